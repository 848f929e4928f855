"""Trials (issue 16): studies and their participants, sealed randomisation, the allocation list
for the unblinded statistician, and emergency unblinding (docs/trials.md)."""
