"""Reports for regulators and ethics committees (issue 17, item 4): printable pages and PDF."""
