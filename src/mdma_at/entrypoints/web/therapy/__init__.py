"""Pages of the therapy notes and the check-ins after dosing (issue 14, items 4-5)."""
