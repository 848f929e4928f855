"""Pure clinical rules. Standard library only; time is passed in, never read."""
