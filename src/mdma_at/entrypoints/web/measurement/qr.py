"""The QR code of a self-report link, drawn on the server as inline SVG with segno.

Inline SVG needs no image route and no script, so the strict Content-Security-Policy holds, and
the link never leaves the page that shows it (no third-party QR service sees the token). segno
writes presentation attributes (`stroke`, `fill`), not `style`, which the policy would refuse.
"""

from __future__ import annotations

import segno
from markupsafe import Markup

SCALE = 4  # pixels per module: about 3 cm on screen for a link, easy for a phone camera


def qr_svg(url: str) -> Markup:
    """The QR code of `url` as an `<svg>` element (error correction M, white quiet zone)."""
    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=SCALE, light="#fff", svgclass="qr", title="QR code of the link")
    return Markup(svg)
