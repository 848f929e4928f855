"""Where a clinical rule or default comes from.

Every default the system applies carries a `Source`, so that a refusal can say which rule it
applied and a monitor can trace it. Where no published value exists, `site_default` is True and
the citation says why the value was chosen (for safety).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Source:
    """A citation for a rule: the publication or label, and whether it is a site default."""

    citation: str
    site_default: bool = False

    def __str__(self) -> str:
        return f"{self.citation} (site default)" if self.site_default else self.citation


_DESIGN = re.compile(r"DESIGN\.md\s*§\s*\d+(?:\.\d+)*")
_ISSUE_LEAD = re.compile(r"\b[Ii]ssue \d+(?: criteria)?:\s*")
_INTERNAL = re.compile(r"(?:,?\s*see\s+)?(?:docs/[\w./-]+\.md|ADR \d{4}|\b[Ii]ssue \d+)")
_EMPTY = re.compile(r"\(\s*[;,]?\s*\)")


def for_clinicians(text: str) -> str:
    """A citation as the clinic reads it: without the project's internal references (design
    notes, decision records, issue numbers, documentation paths), which mean nothing at the
    bedside (issue 13, item 6). The stored and exported text keeps them for reviewers."""
    text = _DESIGN.sub("the project's protocol defaults", text)
    text = _ISSUE_LEAD.sub("", text)
    text = _INTERNAL.sub("", text)
    text = re.sub(r"\(\s*[;,]\s*", "(", text)
    text = re.sub(r"\s*[;,]\s*\)", ")", text)
    text = _EMPTY.sub("", text)
    return re.sub(r"\s{2,}", " ", text).strip()
