"""Test helpers shared by the tiers (importable as `support` thanks to pythonpath)."""
