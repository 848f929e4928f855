"""Screening work-up: the eligibility verdict, the physician's signature, the first-dose gate."""
