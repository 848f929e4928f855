"""The `mdma-at` command line (Typer). Commands parse, call one service or pure function, render."""
