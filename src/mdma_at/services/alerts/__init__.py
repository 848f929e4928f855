"""Alerts that need someone now: the live list and paging the on-call physician."""
