"""Versioned protocol definitions as data; every rule carries its source.

`get_protocol("mapp_v1")` returns the whole definition. Domain functions take the parts they need
as arguments. The values whose source is a site default, and only those, are listed in the
protocol's `site_settings`, each with the range a site may set it in (`protocols.settings`); a
site's values are stored and audited by `mdma-at site protocol set` or the admin page, and the
services read every rule through `services.protocol_settings.effective_protocol`, the protocol
with the site's values put in (ADR 0090). `protocols.checks.check_protocol` runs at start-up.
"""

from __future__ import annotations

from mdma_at.domain.errors import UnknownProtocol
from mdma_at.protocols.base import Protocol
from mdma_at.protocols.mapp_v1 import MAPP_V1

PROTOCOLS: dict[str, Protocol] = {MAPP_V1.name: MAPP_V1}

#: The programme a patient not (yet) enrolled is screened and scored with, and the one the
#: command line and the forms offer first.
DEFAULT_PROTOCOL = MAPP_V1.name


def get_protocol(name: str) -> Protocol:
    """The protocol called `name`, or `UnknownProtocol`."""
    try:
        return PROTOCOLS[name]
    except KeyError:
        raise UnknownProtocol(name) from None


__all__ = ["DEFAULT_PROTOCOL", "PROTOCOLS", "Protocol", "get_protocol"]
