"""Concrete adapters: the database, password hashing, clocks."""
