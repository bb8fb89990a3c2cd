"""Pure rules for uploaded proof materials: what the content is, how a name is shown."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, unquote

#: Magic bytes → MIME type. Only these are accepted, whatever the name or declared type.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
#: Bytes needed to recognise every accepted type.
SNIFF_BYTES = 8
MAX_NAME_CHARS = 120


def sniff_content_type(head: bytes) -> str | None:
    """The MIME type of a file from its first bytes, or None when it is not PDF/JPEG/PNG."""
    for magic, content_type in _SIGNATURES:
        if head.startswith(magic):
            return content_type
    return None


_PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")


def decode_percent_name(raw: str) -> str:
    """A file name some clients percent-encode (aiohttp sends `filename*=utf-8''%E8%AF%81.pdf`
    or `filename="%E8%AF%81.pdf"`) decoded, when it is valid UTF-8 percent-encoding;
    any other name (`100%.pdf`, bytes that are not UTF-8) unchanged."""
    if not _PERCENT_ESCAPE.search(raw):
        return raw
    try:
        return unquote(raw, errors="strict")
    except UnicodeDecodeError:
        return raw


def sanitize_file_name(raw: str | None, content_type: str) -> str:
    """A name for display only (never a path): percent-encoding decoded, the last path
    segment, printable characters only, bounded length; a generic name when nothing is left."""
    name = unicodedata.normalize("NFC", decode_percent_name(raw or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable()).strip().lstrip(".")
    if len(name) > MAX_NAME_CHARS:
        _stem, dot, ext = name.rpartition(".")
        keep = ext if dot and len(ext) <= 10 else ""
        name = name[: MAX_NAME_CHARS - len(keep) - 1] + ("." + keep if keep else "")
    return name or "证明材料" + EXTENSIONS.get(content_type, "")


def content_disposition(name: str) -> str:
    """`attachment` with an ASCII fallback and the real name per RFC 5987 (filename*)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
