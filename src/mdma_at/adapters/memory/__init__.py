"""In-memory adapters: a unit of work and every repository of the port, held in a dict.

Fast service tests run on them; `tests/contract` proves they behave as the SQL adapters do
(ADR 0006).
"""
