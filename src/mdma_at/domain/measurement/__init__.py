"""Measurement-based care around the instrument library: self-report links, alert
acknowledgement and trajectories (issue 4, items 3-6). Pure: the standard library only.

Scoring itself lives in `mdma_at.domain.instruments`; this package decides what the clinic does
with the scores.
"""
