"""Bytes → text: encodings, stray bytes, newlines, and what is refused."""
from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from filiation.read import ReadError, read_bytes_as_text
from filiation.read.decode import normalise_newlines

ENGLISH = "It’s a “quoted” line — costs 5 € … naïve café, Größe ±½.\nSecond line.\n"
LATIN1 = "Café déjà vu: naïve façade, Größe ±½ µ ¿qué? «oui» ©2020\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(ENGLISH.encode("utf-8"), ENGLISH, id="utf-8"),
        pytest.param(codecs.BOM_UTF8 + ENGLISH.encode("utf-8"), ENGLISH, id="utf-8-bom"),
        pytest.param(codecs.BOM_UTF16_LE + ENGLISH.encode("utf-16-le"), ENGLISH, id="utf-16-le"),
        pytest.param(codecs.BOM_UTF16_BE + ENGLISH.encode("utf-16-be"), ENGLISH, id="utf-16-be"),
        pytest.param(ENGLISH.encode("utf-32"), ENGLISH, id="utf-32"),
        pytest.param(ENGLISH.encode("cp1252"), ENGLISH, id="cp1252"),
        pytest.param(LATIN1.encode("latin-1"), LATIN1, id="latin-1"),
        pytest.param("It\u2019s".encode("cp1252"), "It\u2019s", id="cp1252-tiny"),
    ],
)
def test_encodings_round_trip(data: bytes, expected: str) -> None:
    assert read_bytes_as_text(data, "x.txt") == expected


def test_cp1252_preferred_over_latin1_for_smart_punctuation() -> None:
    data = b"He said \x93no\x94 \x96 twice\x85 and it\x92s \x80 5."
    assert read_bytes_as_text(data, "x") == "He said “no” – twice… and it’s € 5."


def test_other_8bit_encodings_still_detected() -> None:
    russian = "Привет, как дела? Это тестовый текст на русском языке, достаточно длинный."
    assert read_bytes_as_text(russian.encode("cp1251"), "x") == russian


def test_mixed_utf8_and_cp1252_has_no_mojibake() -> None:
    data = "It’s “mixed” — café. ".encode("utf-8") + b"And it\x92s cp1252 \x93too\x94."
    assert read_bytes_as_text(data, "x") == "It’s “mixed” — café. And it’s cp1252 “too”."


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(b"\xff\xfb" + "Héllo wörld".encode(), "Héllo wörld", id="invalid-utf8-prefix"),
        pytest.param(b"\x81Hello world", "Hello world", id="undefined-cp1252-byte"),
        pytest.param(b"\x01\x02\x03Hello world, this is text", "Hello world, this is text", id="controls"),
        pytest.param("\ufeff\ufeffHello".encode(), "Hello", id="double-bom"),
        pytest.param("ï»¿Hello".encode(), "Hello", id="bom-mojibake"),
    ],
)
def test_stray_leading_bytes_are_dropped(data: bytes, expected: str) -> None:
    assert read_bytes_as_text(data, "x") == expected


def test_leading_curly_quote_in_cp1252_is_kept() -> None:
    assert read_bytes_as_text(b"\x93Hello world", "x") == "“Hello world"


def test_utf8_cut_off_mid_character_at_end() -> None:
    assert read_bytes_as_text("Café au lait".encode() + b"\xe2\x80", "x") == "Café au lait"


def test_newlines_normalised_and_nothing_else_changed() -> None:
    data = b"  indented\r\nwindows\rmac\n\ttab  \n\n"
    assert read_bytes_as_text(data, "x") == "  indented\nwindows\nmac\n\ttab  \n\n"
    assert normalise_newlines("a\r\n\r\nb\r") == "a\n\nb\n"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param(b"", "empty", id="empty"),
        pytest.param(b"  \n\t \r\n", "whitespace", id="whitespace"),
        pytest.param(codecs.BOM_UTF8, "empty", id="bom-only"),
        pytest.param(b"PK\x03\x04\x00\x00binary zip", "binary", id="nul"),
        pytest.param(bytes(range(1, 32)) * 4 + b"abc" + bytes(range(1, 9)) * 8, "binary", id="controls"),
        pytest.param(bytes(range(0x80, 0x100)) * 3, "encoding", id="undecodable"),
        pytest.param(codecs.BOM_UTF16_LE + b"\x00\xd8a", "UTF-16", id="bad-utf16"),
    ],
)
def test_bad_data_raises_read_error(data: bytes, reason: str) -> None:
    with pytest.raises(ReadError) as info:
        read_bytes_as_text(data, "bad.txt")
    assert reason in info.value.reason
    assert info.value.where == "bad.txt"
    assert isinstance(info.value, ValueError)


_TEXT_CHARS = st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn"), blacklist_characters="\ufeff")
_TEXT = st.text(st.one_of(_TEXT_CHARS, st.sampled_from("\n\r\t ")), min_size=1).filter(
    lambda t: t.strip() and not t.startswith(("\u00ef\u00bb\u00bf", "\u00fe\u00ff", "\u00ff\u00fe"))
)


@settings(max_examples=150, deadline=None)
@given(text=_TEXT, codec=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-be-bom", "utf-32"]))
def test_unicode_round_trips(text: str, codec: str) -> None:
    if codec == "utf-16-be-bom":
        data = codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    else:
        data = text.encode(codec)
    assert read_bytes_as_text(data, "x") == normalise_newlines(text)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes_give_text_or_read_error(data: bytes) -> None:
    try:
        text = read_bytes_as_text(data, "x")
    except ReadError:
        return
    assert text.strip() and "\r" not in text
