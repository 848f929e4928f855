"""The daily clinic worklist and the visit booking form (issue 14, item 2)."""
