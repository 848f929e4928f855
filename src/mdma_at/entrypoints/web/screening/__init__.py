"""Screening and consent pages."""
