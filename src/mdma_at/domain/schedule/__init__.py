"""The protocol schedule: visit definitions, planning, windows and re-planning."""
