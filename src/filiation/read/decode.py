"""Bytes → text: the one place that guesses encodings.

Every offset downstream points into the text produced here, so the rules are few and fixed:
a byte-order mark wins, then strict UTF-8, then an 8-bit reading.  For 8-bit data Windows-1252
is preferred (it is what real news archives are, and it agrees with Latin-1 on every printable
Latin-1 byte) unless charset-normalizer finds another encoding that reads clearly better,
e.g. Windows-1251 Cyrillic.  Files that mix UTF-8 with stray Windows-1252 bytes are read
piecewise so neither half turns into mojibake.  The only other changes are dropping stray
junk before the text and normalising newlines to ``\\n``.
"""
from __future__ import annotations

import codecs
import re
import unicodedata

from filiation.read.errors import ReadError

#: (byte-order mark, codec) — UTF-32 first, since its little-endian mark starts like UTF-16's.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

#: Control bytes that never occur in text (tab, newlines and form feed are text).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"
_MAX_CONTROL_SHARE = 0.10
#: How many bytes before the text may be dropped as junk (a torn BOM, a cut-off sequence).
_MAX_STRAY = 4
#: Leading characters that are debris, not text: marks and mojibake of byte-order marks.
_JUNK_PREFIXES = ("\u00ef\u00bb\u00bf", "\u00fe\u00ff", "\u00ff\u00fe")

_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_NEWLINES = re.compile(r"\r\n?")


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF: part of "text as read", so offsets agree across platforms."""
    return _NEWLINES.sub("\n", text) if "\r" in text else text


def read_bytes_as_text(data: bytes, where: str, *, declared: str | None = None) -> str:
    """Decode one file's bytes to newline-normalised text, or raise :class:`ReadError`.

    Raises for empty or whitespace-only data, binary data and data no encoding reads sensibly.
    ``where`` is attached to the error so callers can report it.  ``declared`` is an encoding
    the file names itself (an HTML ``<meta charset>``); it is tried after BOM and strict UTF-8,
    before guessing.
    """
    try:
        text = _decode(data, declared)
        text = normalise_newlines(_strip_leading_junk(text))
        _check_is_text(text)
    except ReadError as err:
        err.where = where
        raise
    return text


def _decode(data: bytes, declared: str | None = None) -> str:
    if not data:
        raise ReadError("empty file")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                raise ReadError(f"invalid {codec.upper()} data after its byte-order mark") from None
    if b"\x00" in data:
        raise ReadError("binary file (contains NUL bytes; UTF-16/32 text needs a byte-order mark)")
    stripped = data.lstrip(_CONTROL_BYTES)  # a few stray control bytes before the text are junk
    sample = (stripped if len(data) - len(stripped) <= 16 else data)[:65536]
    if _control_share_bytes(sample) > _MAX_CONTROL_SHARE:
        raise ReadError("binary file (too many control characters)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        text = _utf8_with_stray_edges(data, err)
        if text is not None:
            return text
    if declared is not None:
        text = _decode_declared(data, declared)
        if text is not None:
            return text
    return _decode_8bit(data)


def _decode_declared(data: bytes, declared: str) -> str | None:
    """Use a declared encoding if Python knows it and it reads the data without errors."""
    try:
        name = codecs.lookup(declared).name
    except (LookupError, ValueError):  # ValueError: a label with a NUL in it
        return None
    if name.startswith(("utf-8", "utf-16", "utf-32")):
        return None  # UTF-8 failed and UTF-16/32 would have had NULs or a BOM: the label is wrong
    if name in ("latin-1", "iso8859-1", "ascii"):
        name = "cp1252"  # what browsers do: these labels mean Windows-1252
    try:
        return data.decode(name)
    except (UnicodeError, LookupError):  # LookupError: a codec that is not a text encoding
        return None


def _control_share_bytes(data: bytes) -> float:
    if not data:
        return 0.0
    return (len(data) - len(data.translate(None, _CONTROL_BYTES))) / len(data)


def _utf8_with_stray_edges(data: bytes, err: UnicodeDecodeError) -> str | None:
    """UTF-8 spoiled only by a few stray bytes before the text, or a sequence cut off at the end.

    Leading bytes are dropped only when they cannot be meant as Windows-1252 text (so a
    Windows-1252 file opening with a curly quote keeps it) or the rest is clearly UTF-8.
    """
    if err.start >= len(data) - 3 and err.reason == "unexpected end of data":
        try:
            return data[: err.start].decode("utf-8")
        except UnicodeDecodeError:
            return None
    if err.start >= _MAX_STRAY:
        return None
    for skip in range(err.end, _MAX_STRAY + 1):
        rest = data[skip:]
        try:
            text = rest.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if not rest.isascii() or not _printable_cp1252(data[:skip]):
            return text
        return None
    return None


def _printable_cp1252(data: bytes) -> bool:
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return all(ch.isprintable() or ch.isspace() for ch in text)


def _cp1252_fallback(err: UnicodeError) -> tuple[str, int]:
    """Codec error handler: read bytes UTF-8 rejects as Windows-1252 (Latin-1 for its 5 holes)."""
    assert isinstance(err, UnicodeDecodeError)
    bad = err.object[err.start : err.end]
    chars = []
    for byte in bad:
        try:
            chars.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            chars.append(chr(byte))
    return "".join(chars), err.end


codecs.register_error("filiation-cp1252", _cp1252_fallback)


def _western(data: bytes) -> str:
    """Windows-1252, or UTF-8 with Windows-1252 for the bytes it rejects when the data is mixed.

    A file is taken as mixed when its valid UTF-8 multi-byte sequences decode mostly to Western
    letters and punctuation; in plain Windows-1252 text such sequences are rare accidents.
    """
    western = other = 0
    for match in _UTF8_MULTIBYTE.finditer(data):
        cp = ord(match.group().decode("utf-8"))
        if 0xA0 <= cp <= 0x24F or 0x2000 <= cp <= 0x20CF or cp == 0x2122:
            western += 1
        else:
            other += 1
    codec = "utf-8" if western > other else "cp1252"
    return data.decode(codec, errors="filiation-cp1252")


def _decode_8bit(data: bytes) -> str:
    from charset_normalizer import from_bytes

    western = _western(data)
    best = from_bytes(data).best()
    guess = str(best) if best is not None else None
    western_mess = _mess(western)
    if guess is None:
        if western_mess > 0.5:
            raise ReadError("could not detect the text encoding")
        return western
    if western_mess <= _mess(guess) + 0.05:
        return western
    return guess


def _mess(text: str) -> float:
    """charset-normalizer's mess ratio on the non-ASCII parts of the text (where encodings differ)."""
    from charset_normalizer.md import mess_ratio

    pieces: list[str] = []
    covered = size = 0
    for match in re.finditer(r"[^\x00-\x7f]", text):
        if match.start() < covered:
            continue
        start, covered = max(match.start() - 32, covered), match.end() + 32
        pieces.append(text[start:covered])
        size += covered - start
        if size > 65536:
            break
    return mess_ratio(" ".join(pieces), maximum_threshold=1.0) if pieces else 0.0


def _strip_leading_junk(text: str) -> str:
    """Drop control characters, stray byte-order marks and their mojibake before the text."""
    start = 0
    while start < len(text):
        for prefix in _JUNK_PREFIXES:
            if text.startswith(prefix, start):
                start += len(prefix)
                break
        else:
            ch = text[start]
            if ch in "\t\n\r\f" or not _is_junk_char(ch):
                break
            start += 1
    return text[start:]


def _is_junk_char(ch: str) -> bool:
    if ch in "\ufeff\ufffe\ufffd":
        return True
    return unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn")


def _check_is_text(text: str) -> None:
    if not text:
        raise ReadError("empty file")
    if not text.strip():
        raise ReadError("file contains only whitespace")
    sample = text[:65536]
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\n\f")
    if controls / len(sample) > _MAX_CONTROL_SHARE:
        raise ReadError("binary file (too many control characters)")
