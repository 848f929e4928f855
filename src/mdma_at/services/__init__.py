"""Use cases: one function per command or query, inside a unit of work, every write audited."""
