"""The DSM-5 PTSD symptom rule over item ratings, shared by the PCL-5 and the CAPS-5.

A symptom is present when its rating is ``>= symptom_present_at`` (2, "moderately" on the
PCL-5 and "moderate/threshold" on the CAPS-5); the rule needs at least 1 B, 1 C, 2 D and 2 E
symptoms ([S40][S41][S39] in reference/clinical-facts.md).

Missing items are never counted either way: a cluster is met when the answered items already
reach its count, not met when even all its missing items could not reach it, and undecided
(None) otherwise. So a diagnosis is given only when no answer to the missing items could change it.
"""

from __future__ import annotations

from collections.abc import Sequence

from mdma_at.domain.instruments.definitions import ClusterDefinition
from mdma_at.domain.instruments.results import ClusterScore


def score_cluster(
    cluster: ClusterDefinition, answers: Sequence[int | None], present_at: int
) -> ClusterScore:
    """Subtotal and present-symptom count of one cluster.

    Args:
        cluster: the cluster's items and required count.
        answers: all the instrument's answers in form order (None = missing).
        present_at: a symptom is present at ``rating >= present_at``.

    Returns:
        The cluster score; its subtotal is None when any of its items is missing (subtotals
        are never prorated), and `met` is None when missing items leave it undecided.
    """
    ratings = [answers[number - 1] for number in cluster.items]
    answered = [r for r in ratings if r is not None]
    missing = len(ratings) - len(answered)
    present = sum(1 for r in answered if r >= present_at)
    met: bool | None
    if present >= cluster.required_present:
        met = True
    elif present + missing < cluster.required_present:
        met = False
    else:
        met = None
    total = sum(answered) if missing == 0 else None
    return ClusterScore(
        code=cluster.code,
        name=cluster.name,
        total=total,
        present=present,
        required=cluster.required_present,
        missing=missing,
        met=met,
    )


def clusters_met(clusters: Sequence[ClusterScore]) -> tuple[bool | None, tuple[str, ...]]:
    """Whether every cluster is met: True, False (one is not met), or None (undecided).

    Returns:
        The decision and one reason per cluster.
    """
    reasons: list[str] = []
    for cluster in clusters:
        state = {True: "met", False: "not met", None: "undecided (missing items)"}[cluster.met]
        reasons.append(
            f"cluster {cluster.code} ({cluster.name}): {cluster.present} symptom(s) present, "
            f"needs >= {cluster.required}: {state}"
        )
    states = [cluster.met for cluster in clusters]
    if any(state is False for state in states):
        return False, tuple(reasons)
    if all(state is True for state in states):
        return True, tuple(reasons)
    return None, tuple(reasons)
