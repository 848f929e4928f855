"""The trial blind as a property of the data (issue 16, item 3; ADR 0165).

A read model never decides who may see an arm or a kit's contents. It wraps every value that
reveals an allocation in `Concealed`, together with the `Blind` that says who may see it (the
roles that hold an unblinding action at one of the sites, or named people such as the physician
who approved an emergency unblinding). The one place that turns read models into a response (API
serialisation, template context, CLI JSON, file exports) calls `disclose` with the viewer: the
value comes back for a viewer the blind admits and is removed for anyone else, an unknown viewer
(`None`) included.

`Concealed` fails closed when someone forgets `disclose`: printed, formatted, rendered by a
template or converted by `str`, it is the `MASK`; it is no dataclass, mapping or sequence, so a
generic encoder cannot reach inside (FastAPI's encoder refuses it, `json.dumps` refuses it unless
given `default=str`, which gives the mask).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from mdma_at.domain.access import Action, authorize
from mdma_at.domain.errors import PermissionDenied
from mdma_at.domain.staff import Principal

T = TypeVar("T")
U = TypeVar("U")

#: What a concealed value shows where it was not disclosed (a template, a log line, `str`).
MASK = "[blinded]"


@dataclass(frozen=True, slots=True)
class Blind:
    """Who may see a concealed value: a role holding `action` at one of `site_ids`, or one of
    `user_ids` by name. Anyone else, and an unknown viewer, is blinded."""

    action: Action
    site_ids: tuple[int, ...]
    user_ids: frozenset[int] = frozenset()

    def admits(self, viewer: Principal | None) -> bool:
        if viewer is None:
            return False
        if viewer.user_id in self.user_ids:
            return True
        for site_id in self.site_ids:
            try:
                authorize(viewer, self.action, site_id)
            except PermissionDenied:
                continue
            return True
        return False


def allocation_blind(site_ids: Iterable[int], user_ids: Iterable[int] = ()) -> Blind:
    """A study's arms: the unblinded statistician at one of the study's sites (ADR 0161), and
    whoever else is named (the designated physician after an approved unblinding, ADR 0164)."""
    return Blind(Action.VIEW_ALLOCATION, tuple(site_ids), frozenset(user_ids))


def kit_blind(site_id: int) -> Blind:
    """A kit's contents, lot, supplier and strength: the site's pharmacist (ADR 0110)."""
    return Blind(Action.VIEW_UNBLINDED_STOCK, (site_id,))


class Concealed(Generic[T]):
    """A value that reveals an allocation, with the blind that says who may see it.

    Mark a read model's field with it (`arm: Concealed[str] | None`); never unwrap it in a
    service, route or template: `disclose` does, once, for the viewer of the response.
    """

    __slots__ = ("_value", "blind")

    def __init__(self, value: T, blind: Blind) -> None:
        self._value = value
        self.blind = blind

    def reveal_to(self, viewer: Principal | None) -> T | None:
        """The value for a viewer the blind admits; None for anyone else."""
        return self._value if self.blind.admits(viewer) else None

    def map(self, change: Callable[[T], U]) -> Concealed[U]:
        """The same blind over a derived value (a code instead of an enum, a dict for JSON)."""
        return Concealed(change(self._value), self.blind)

    def __str__(self) -> str:
        return MASK

    __repr__ = __str__

    def __format__(self, spec: str) -> str:
        return MASK

    def __html__(self) -> str:  # Jinja2 and MarkupSafe print this
        return MASK

    def __eq__(self, other: object) -> bool:
        return self is other  # no comparison that answers a question about the value

    def __hash__(self) -> int:
        return id(self)

    def __reduce__(self) -> Any:
        raise TypeError("a concealed value is not pickled: disclose it for a viewer first")


class _Removed:
    """A concealed value the viewer may not see: left out of mappings and sequences."""


_REMOVED = _Removed()


def disclose(value: Any, viewer: Principal | None) -> Any:
    """`value` as `viewer` may see it: every `Concealed` inside (dataclasses, mappings, lists,
    tuples, sets, nested at any depth) replaced by its value if the blind admits the viewer, or
    else removed: a key or an element is left out, a dataclass field becomes None. An unknown
    viewer (None) is blinded. Other objects pass unchanged.

    The one function every response goes through: the API, the pages, the CLI's JSON and file
    exports (FHIR, SDTM, research data sets, reports) call it with the signed-in principal.
    """
    out = _walk(value, viewer)
    return None if out is _REMOVED else out


def _walk(value: Any, viewer: Principal | None) -> Any:
    if isinstance(value, Concealed):
        if not value.blind.admits(viewer):
            return _REMOVED
        return _walk(value._value, viewer)
    if isinstance(value, str | bytes | int | float | bool) or value is None:
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for field in dataclasses.fields(value):
            if not field.init:
                continue
            before = getattr(value, field.name)
            after = _walk(before, viewer)
            if after is not before:
                changes[field.name] = None if after is _REMOVED else after
        return dataclasses.replace(value, **changes) if changes else value
    if isinstance(value, dict):
        pairs = {k: _walk(v, viewer) for k, v in value.items()}
        if all(pairs[k] is v for k, v in value.items()):
            return value
        return {k: v for k, v in pairs.items() if v is not _REMOVED}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_walk(v, viewer) for v in value]
        if all(after is before for after, before in zip(items, value, strict=True)):
            return value
        kept = [v for v in items if v is not _REMOVED]
        if isinstance(value, list):
            return kept
        if isinstance(value, tuple) and hasattr(value, "_fields"):  # a named tuple
            make: Any = type(value)
            return make(*(None if v is _REMOVED else v for v in items))
        return type(value)(kept)
    return value
