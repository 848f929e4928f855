"""`python -m mdma_at` is the `mdma-at` command."""

from mdma_at.entrypoints.cli.main import app

app()
