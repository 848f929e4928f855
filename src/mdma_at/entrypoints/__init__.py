"""Outermost ring: HTTP API, web pages and the command line. Nothing imports entrypoints."""
