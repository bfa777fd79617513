"""Image formats told from their first bytes, never from a file name or a declared label."""

from __future__ import annotations

_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"GIF87a", "image/gif", ".gif"),
    (b"GIF89a", "image/gif", ".gif"),
)
_EXTENSIONS = {
    "image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp", "image/gif": ".gif",
    "image/heic": ".heic", "image/heif": ".heif",
}  # fmt: skip


def sniff_mime(data: bytes) -> str | None:
    """Return the MIME type the bytes really are (png, jpeg, webp, gif, heic/heif), else None."""
    for magic, mime, _ in _SIGNATURES:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in {b"heic", b"heix", b"heim", b"heis"}:
            return "image/heic"
        if brand in {b"mif1", b"msf1", b"heif"}:
            return "image/heif"
    return None


def extension_for(mime: str) -> str:
    """File extension (with dot) for a MIME type; `.bin` when unknown."""
    return _EXTENSIONS.get(mime, ".bin")
