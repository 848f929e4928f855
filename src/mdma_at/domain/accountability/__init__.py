"""Drug accountability: the controlled-substance register (issue 15).

Containers received by lot, an append-only ledger of movements, balances folded from it, counts
and discrepancies, and the blinded view of the stock. Pure: standard library only.
"""

from mdma_at.domain.accountability.counts import (
    Count,
    Discrepancy,
    check_count,
    check_period_close,
    check_resolution,
)
from mdma_at.domain.accountability.ledger import Books, Kind, Movement, SessionTally, fold
from mdma_at.domain.accountability.stock import Container, Contents, Form, Unit, unit_for
from mdma_at.domain.accountability.views import KitLine, stock_lines

__all__ = [
    "Books",
    "Container",
    "Contents",
    "Count",
    "Discrepancy",
    "Form",
    "Kind",
    "KitLine",
    "Movement",
    "SessionTally",
    "Unit",
    "check_count",
    "check_period_close",
    "check_resolution",
    "fold",
    "stock_lines",
    "unit_for",
]
