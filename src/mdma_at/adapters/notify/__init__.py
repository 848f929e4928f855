"""Notifiers: the ways a page reaches the on-call physician (services.ports.Notifier)."""
