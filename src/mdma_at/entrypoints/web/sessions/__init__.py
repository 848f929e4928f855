"""The dosing-session console and record."""
