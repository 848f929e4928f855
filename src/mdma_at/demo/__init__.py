"""The demo clinic: realistic records made through the real use cases (never imported by them)."""
