"""Records leaving the system: gathered as the exporting user may read them (issue 17)."""
