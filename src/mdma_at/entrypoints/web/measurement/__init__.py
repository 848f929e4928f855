"""Pages of measurement-based care."""
