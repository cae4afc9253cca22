"""QR codes shown on pages: an inline SVG (no script, no style attribute, nothing fetched), with a
title for screen readers. Used for a booking code and for the window's rating invitation."""

from __future__ import annotations

import segno


def qr_svg(data: str, *, title: str, scale: int = 6) -> str:
    """The QR code of ``data`` as inline SVG markup (error correction M, never a micro code)."""
    return str(segno.make(data, error="m", micro=False).svg_inline(scale=scale, title=title))
