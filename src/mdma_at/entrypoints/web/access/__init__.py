"""Pages for staff administration."""
