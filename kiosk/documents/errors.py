"""Errors of the document renderer (one root: DocumentError)."""

from __future__ import annotations


class DocumentError(Exception):
    """A document could not be built or rendered; `reason` is a stable code."""

    reason = "render_failed"


class FontMissing(DocumentError):
    """No CJK TrueType font to embed (install fonts-wqy-microhei)."""

    reason = "font_missing"


class SealMissing(DocumentError):
    """The layout names a seal image that is not shipped (assets/seals)."""

    reason = "seal_missing"
