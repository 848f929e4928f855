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
from mdma_at.domain.accountability.ledger import (
    Books,
    Kind,
    Movement,
    SessionTally,
    fold,
    fold_more,
    stock_change,
)
from mdma_at.domain.accountability.report import ContainerPeriod, period_register
from mdma_at.domain.accountability.stock import Container, Contents, Form, Unit, unit_for
from mdma_at.domain.accountability.views import KitLine, stock_lines

__all__ = [
    "Books",
    "Container",
    "ContainerPeriod",
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
    "fold_more",
    "period_register",
    "stock_change",
    "stock_lines",
    "unit_for",
]
