"""Item-level validation: the answers a form, a link or the command line hands in.

Errors name the item by its number on the form (``items[3]``), the value given and the allowed
range, so that a form can put the message next to the item. Nothing is ever stored from a list
that fails here. A missing answer is ``None`` (on the command line: an empty slot or ``NA``); what
it does to the score is the instrument's missing-item rule, never a silent zero.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.instruments.definitions import AnswerKind, InstrumentDefinition

Answer = int | None

MISSING_TOKENS = frozenset({"", "na", "n/a"})
YES_TOKENS = frozenset({"yes", "y", "1"})
NO_TOKENS = frozenset({"no", "n", "0"})
#: A rating as the form writes it: ASCII digits (``[0-9]``, not ``\d``, which matches every
#: script's digits), no plus sign, no leading zero; a minus passes to be refused as out of range.
_PLAIN_NUMBER = re.compile(r"0|-?[1-9][0-9]*")
_LONGEST_RATING = 6  # characters; every rating scale ends far below 100000


def _field(number: int) -> str:
    return f"items[{number}]"


def _allowed(definition: InstrumentDefinition, number: int) -> str:
    if definition.answer_kind is AnswerKind.YES_NO:
        return "yes/no or 1/0"
    item = definition.item(number)
    return f"{item.minimum}–{item.maximum}"


def check_count(definition: InstrumentDefinition, count: int) -> None:
    """Refuse a list of answers of the wrong length.

    Raises:
        InvalidInput: ``items``, naming the expected and the given count.
    """
    if count != definition.item_count:
        raise InvalidInput(
            "items",
            f"{definition.name} has {definition.item_count} items, got {count} answers",
        )


def validate_answers(
    definition: InstrumentDefinition, answers: Sequence[int | bool | None]
) -> tuple[Answer, ...]:
    """Check typed answers (from a service or a form already converted to integers).

    Args:
        definition: the instrument.
        answers: one answer per item in form order; ``None`` for a missing answer; for yes/no
            items ``True``/``False`` or 1/0.

    Returns:
        The answers as integers (yes = 1, no = 0) or None.

    Raises:
        InvalidInput: wrong count (``items``) or a value outside an item's range (``items[n]``,
            e.g. ``items[3]: 5 is outside 0–4``).
    """
    check_count(definition, len(answers))
    checked: list[Answer] = []
    for number, value in enumerate(answers, start=1):
        if value is None:
            checked.append(None)
            continue
        yes_no = definition.answer_kind is AnswerKind.YES_NO
        # bool is an int: True/False stand for yes/no, never for a rating
        if not isinstance(value, int) or (isinstance(value, bool) and not yes_no):
            raise InvalidInput(
                _field(number),
                f"{value!r} is not a number (allowed {_allowed(definition, number)})",
            )
        item = definition.item(number)
        rating = int(value)
        if not item.minimum <= rating <= item.maximum:
            raise InvalidInput(
                _field(number),
                f"{rating} is outside {_allowed(definition, number)}",
            )
        checked.append(rating)
    return tuple(checked)


def parse_answers(definition: InstrumentDefinition, texts: Sequence[str]) -> tuple[Answer, ...]:
    """Parse answers typed as text (command line, HTML form fields).

    Ordinal items take integers; yes/no items take ``yes``/``no``/``y``/``n``/``1``/``0``
    (any case). An empty text or ``NA`` is a missing answer.

    Raises:
        InvalidInput: wrong count (``items``), a non-numeric or unknown answer, or a value
            outside the item's range (``items[n]``).
    """
    check_count(definition, len(texts))
    parsed: list[int | None] = []
    for number, raw in enumerate(texts, start=1):
        text = raw.strip()
        token = text.lower()
        if token in MISSING_TOKENS:
            parsed.append(None)
        elif definition.answer_kind is AnswerKind.YES_NO:
            if token in YES_TOKENS:
                parsed.append(1)
            elif token in NO_TOKENS:
                parsed.append(0)
            else:
                raise InvalidInput(_field(number), f"{text!r} is not yes/no or 1/0")
        elif _PLAIN_NUMBER.fullmatch(text) and len(text) > _LONGEST_RATING:
            # out of range whatever its value (and int() refuses more than 4300 digits)
            allowed = _allowed(definition, number)
            raise InvalidInput(_field(number), f"{text[:_LONGEST_RATING]}… is outside {allowed}")
        elif _PLAIN_NUMBER.fullmatch(text):
            parsed.append(int(text))
        elif text.lstrip("+-").isdecimal():
            # int() would take '١', '１', '+1' and '0001'; a rating is written as on the form
            raise InvalidInput(
                _field(number),
                f"{text!r} must be written with the digits 0-9, without a sign or leading zeros "
                f"(allowed {_allowed(definition, number)})",
            )
        else:
            raise InvalidInput(
                _field(number),
                f"{text!r} is not a number (allowed {_allowed(definition, number)}, "
                "or empty/NA for a missing answer)",
            )
    return validate_answers(definition, parsed)
