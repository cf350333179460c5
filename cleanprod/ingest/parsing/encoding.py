"""Character encoding detection for text exports (CSV, TSV, TXT)."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from .problems import ParseError

CHUNK_SIZE = 1 << 20

# Chinese Excel saves "CSV" in the ANSI code page (GBK) without a BOM. GB18030 is a
# superset of GBK, so one fallback decodes both.
FALLBACK_CODEC = "gb18030"


@dataclass(frozen=True, slots=True)
class DetectedEncoding:
    """The codec that decodes a file and the name shown in the import report."""

    codec: str
    label: str


def detect_encoding(path: Path, declared: str | None = None) -> DetectedEncoding:
    """Return the encoding of the file at ``path`` after decoding all of it strictly.

    Order: a declared encoding, then a byte order mark (UTF-8 or UTF-16), then
    strict UTF-8, then GB18030. The whole file is decoded in a streaming pass, so a
    byte that is invalid late in the file moves detection to the next candidate
    instead of turning into U+FFFD.
    """
    if declared:
        try:
            codec = codecs.lookup(declared).name
        except LookupError:
            raise ParseError(
                "unknown_encoding",
                _(
                    "The declared encoding “%(encoding)s” is not known. Declare one of "
                    "UTF-8, GB18030, GBK or UTF-16, or leave the encoding empty to "
                    "detect it."
                ),
                encoding=declared,
            ) from None
        _validate_or_raise(path, codec, declared)
        return DetectedEncoding(codec, declared)

    with path.open("rb") as file:
        head = file.read(4096)
    if head.startswith(codecs.BOM_UTF8):
        _validate_or_raise(path, "utf-8-sig", "UTF-8")
        return DetectedEncoding("utf-8-sig", "UTF-8 with BOM")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        _validate_or_raise(path, "utf-16", "UTF-16")
        return DetectedEncoding("utf-16", "UTF-16")
    utf16_codec = _guess_utf16_without_bom(head)
    if utf16_codec is not None:
        _validate_or_raise(path, utf16_codec, "UTF-16")
        return DetectedEncoding(utf16_codec, "UTF-16")

    if _find_decode_error(path, "utf-8") is None:
        return DetectedEncoding("utf-8", "UTF-8")
    error = _find_decode_error(path, FALLBACK_CODEC)
    if error is None:
        return DetectedEncoding(FALLBACK_CODEC, "GB18030")
    offset, line = error
    raise ParseError(
        "undetected_encoding",
        _(
            "The file is neither UTF-8 nor GB18030 (GBK) text: line %(line)d contains "
            "bytes that are invalid in both, near byte offset %(offset)d. Save the file "
            "as “CSV UTF-8” and import it again, or declare its encoding."
        ),
        line=line,
        offset=offset,
    )


def _guess_utf16_without_bom(head: bytes) -> str | None:
    """Return a UTF-16 codec when the sample looks like ASCII text in UTF-16.

    UTF-16 text without a BOM is valid UTF-8 when it is mostly ASCII, because every
    other byte is NUL. Such a file would otherwise decode into headers full of NULs.
    """
    sample = head[: len(head) - len(head) % 2]
    if len(sample) < 8:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    pairs = len(sample) // 2
    if odd_nuls > 0.9 * pairs and even_nuls == 0:
        return "utf-16-le"
    if even_nuls > 0.9 * pairs and odd_nuls == 0:
        return "utf-16-be"
    return None


def _validate_or_raise(path: Path, codec: str, label: str) -> None:
    error = _find_decode_error(path, codec)
    if error is None:
        return
    offset, line = error
    raise ParseError(
        "invalid_encoding",
        _(
            "The file is not valid %(encoding)s text: line %(line)d contains invalid "
            "bytes near byte offset %(offset)d. Save the file again in that encoding, or "
            "declare the encoding it was saved in."
        ),
        encoding=label,
        line=line,
        offset=offset,
    )


def _find_decode_error(path: Path, codec: str) -> tuple[int, int] | None:
    """Decode the whole file and return (byte offset, line number) of the first error.

    The offset is approximate by up to a few bytes, because the incremental decoder
    may hold back the start of a multi-byte sequence from the previous chunk.
    """
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    consumed = 0
    newlines = 0
    with path.open("rb") as file:
        while True:
            chunk = file.read(CHUNK_SIZE)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as error:
                position = max(0, min(error.start, len(chunk)))
                line = newlines + chunk.count(b"\n", 0, position) + 1
                return consumed + position, line
            if not chunk:
                return None
            consumed += len(chunk)
            newlines += chunk.count(b"\n")
