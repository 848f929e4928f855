"""Where a clinical rule or default comes from.

Every default the system applies carries a `Source`, so that a refusal can say which rule it
applied and a monitor can trace it. Where no published value exists, `site_default` is True and
the citation says why the value was chosen (for safety).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Source:
    """A citation for a rule: the publication or label, and whether it is a site default."""

    citation: str
    site_default: bool = False

    def __str__(self) -> str:
        return f"{self.citation} (site default)" if self.site_default else self.citation
