"""Property tests on hostile input (hypothesis), beside the ones in test_text.py, test_align.py
and tests/read/: the whole normalised document on arbitrary Unicode, the readers on arbitrary
bytes behind every file type, and the pipeline end to end (passages and audit findings) on
small generated corpora."""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from filiation import Document, Settings, analyze
from filiation.model import FINDING_KINDS, ReadProblem
from filiation.read import ReadError, html_to_text, read_paths
from filiation.read.records import read_csv, read_jsonl
from filiation.text.normalise import normalise
from filiation.text.sentences import split_sentences

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"
#: FILIATION_PROPERTY_SCALE=20 runs twenty times the examples (a longer bug hunt than CI's).
SCALE = max(1, int(os.environ.get("FILIATION_PROPERTY_SCALE", "1")))

#: A reason that starts so comes from read_paths' catch-all: a reader raised something other than
#: ReadError/OSError, i.e. a reader bug that the catch-all hid from the user.
_CATCH_ALL = "could not read ("

# ---------------------------------------------------------------- hostile Unicode

_HOSTILE_PIECES = [
    "e\u0301", "\u0301", "a\u0308\u0323", "\u0f40\u0f74\u0f7a",  # combining marks, alone and stacked
    "\u05e9\u05dc\u05d5\u05dd", "\u0645\u0631\u062d\u0628\u0627", "\u200f", "\u200e", "\u202e", "\u2067",  # RTL text and controls
    "\x00", "\r", "\r\n", "\n", "\t", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029",  # NUL, lone CR, odd breaks
    "\U0001f600", "\U0001f469\u200d\U0001f469\u200d\U0001f467", "\U0001f44d\U0001f3fd", "\U0001f1fa\U0001f1f8",
    "\ufe0f", "\u200b", "\u00ad", "\ufeff", "\ufffd",  # emoji, ZWJ, modifiers, flags, invisibles
    "\u0130", "\u00df", "\ufb01", "\u2163", "\u00bd", "\u0663", "\U0001d7d8",  # case and digit oddities
    "U.S.", "Dr.", "No.", "3,400", "5.5", "don't", "’", "“", "”", "—", "…", "...", "?!", ".", " ", "  ",
    "The", "minister", "said", "Erbil", "Kosaka.And", "a.m.",
]
hostile_text = st.one_of(
    st.lists(st.sampled_from(_HOSTILE_PIECES), max_size=60).map("".join),
    st.text(max_size=200),
    st.text(st.characters(codec="utf-8"), max_size=100),
)


def _check_spans_ordered(spans: list[tuple[int, int]], size: int, disjoint: bool = True) -> None:
    previous = 0
    for start, end in spans:
        assert 0 <= start < end <= size, (start, end, size)
        if disjoint:
            assert start >= previous, (spans, size)
        previous = end


@settings(max_examples=300 * SCALE, deadline=None)
@given(hostile_text)
@example("Kosaka.And it went on. Then\rmore\x00text \U0001f600.")
@example("\u05e9\u05dc\u05d5\u05dd. \u202eThe minister said no. e\u0301\u0301.")
def test_normalised_document_offsets_slice_the_original_text(text: str) -> None:
    doc = Document(id="x", text=text)
    n = normalise(doc)
    assert n.doc is doc and n.doc.text == text  # offsets point into the text as given, untouched
    size = len(text)
    # words: one start and end per word hash, in order, disjoint, inside the text, never empty
    assert len(n.word_starts) == len(n.word_ends) == len(n.words) == n.length
    starts, ends = n.word_starts.tolist(), n.word_ends.tolist()
    _check_spans_ordered(list(zip(starts, ends)), size)
    for s, e in zip(starts, ends):
        assert text[s:e].strip() == text[s:e], repr(text[s:e])  # a word has no white space at its edges
    # sentences: ordered, disjoint, inside the text, and what sentence_text returns is that slice
    _check_spans_ordered(n.sentences, size)
    assert n.sentences == split_sentences(text)
    for i, (s, e) in enumerate(n.sentences):
        assert n.sentence_text(i) == text[s:e]
        assert text[s:e] == text[s:e].strip()
    # each sentence's word range: the words that start inside it, in order
    assert n.sentence_words.shape == (len(n.sentences), 2)
    previous_last = 0
    for (s, e), (first, last) in zip(n.sentences, n.sentence_words.tolist()):
        assert previous_last <= first <= last <= n.length
        previous_last = last
        assert all(s <= starts[k] < e for k in range(first, last))
    # shingles and word pairs are sets: sorted, unique, 64-bit
    for values in (n.shingles, n.bigrams):
        assert values.dtype == np.uint64
        assert np.all(values[1:] > values[:-1])
    assert all(isinstance(e, str) and e for e in n.entities)


# ---------------------------------------------------------------- readers on arbitrary bytes

_SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl", ".csv")

_TEMPLATES = {
    ".txt": "The council approved the budget on Monday.\r\nCritics said it was optimistic.\n".encode(),
    ".html": (b'<html><head><meta charset="windows-1252"><title>T\x92s</title></head><body><article>'
              b"<p>The council approved the budget on Monday after a long debate in the chamber.</p>"
              b"<p>Critics said the \x93figures\x94 were optimistic.</p></article></body></html>"),
    ".jsonl": ('{"id": "a", "text": "The council approved the budget.", "date": 2023, "title": "T"}\n'
               '{"id": "b", "html": "<p>Critics said it was <b>optimistic</b>.</p>", "url": "http://x"}\n'
               '{"text": "No id here.", "source": "wire"}\n').encode(),
    ".csv": ('id,title,text,date\na,T,"The council approved the budget, finally.",2023\n'
             'b,,"Two\nlines",\n,,No id,\n').encode(),
}
_TEMPLATES[".md"] = _TEMPLATES[".txt"]
_TEMPLATES[".htm"] = _TEMPLATES[".html"]


@st.composite
def mutated(draw, suffix: str) -> bytes:
    """A valid file of that type, spoiled: bytes flipped, cut, inserted, repeated or re-encoded."""
    data = bytearray(_TEMPLATES[suffix])
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "repeat", "truncate", "utf16"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[at : at + draw(st.integers(1, 20))]
        elif op == "insert":
            data[at:at] = draw(st.one_of(
                st.binary(max_size=12),
                st.sampled_from([b"\x00", b"\r", b'"', b"\n", b",", b"{", b"}", b"<", b"</p>", b"<div>" * 50,
                                 b"\xef\xbb\xbf", b"\xff\xfe", b"\\u", b"\\ud800", b"[" * 50, b"\xc3", b"\x93"]),
            ))
        elif op == "repeat":
            data[at:at] = data[at : at + 40] * draw(st.integers(1, 30))
        elif op == "truncate":
            del data[at:]
        elif op == "utf16":
            data = bytearray(b"\xff\xfe" + bytes(data).decode("latin-1").encode("utf-16-le"))
    return bytes(data)


def _file_contents(suffix: str):
    return st.one_of(st.binary(max_size=400), mutated(suffix))


@st.composite
def corpus_files(draw) -> list[tuple[str, bytes]]:
    files = []
    for k in range(draw(st.integers(1, 4))):
        suffix = draw(st.sampled_from(_SUFFIXES))
        files.append((f"f{k}{suffix}", draw(_file_contents(suffix))))
    return files


@settings(max_examples=150 * SCALE, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(corpus_files())
def test_arbitrary_bytes_in_any_file_type_give_documents_or_problems(tmp_path: Path, files) -> None:
    folder = tmp_path / "in"
    if folder.exists():
        for p in folder.iterdir():
            p.unlink()
    folder.mkdir(exist_ok=True)
    for name, data in files:
        (folder / name).write_bytes(data)
    result = read_paths([folder])  # must not raise
    assert all(isinstance(p, ReadProblem) and p.where and p.reason for p in result.problems)
    reader_bugs = [str(p) for p in result.problems if p.reason.startswith(_CATCH_ALL)]
    assert not reader_bugs, reader_bugs
    ids = [d.id for d in result.documents]
    assert len(ids) == len(set(ids))
    for d in result.documents:
        assert isinstance(d.id, str) and d.id.strip() == d.id and d.id
        assert isinstance(d.text, str) and d.text.strip() and "\r" not in d.text
        d.text.encode("utf-8")  # no lone surrogates: every output file is UTF-8
        d.id.encode("utf-8")
        assert d.path is not None
    # every file accounts for itself: a document or a problem that names it
    for name, _ in files:
        path = str(folder / name)
        assert any(d.path == path or (d.path or "").startswith(path + ":") for d in result.documents) or any(
            p.where == path or p.where.startswith(path + ":") for p in result.problems), name


@settings(max_examples=200 * SCALE, deadline=None)
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300).map(lambda b: b.decode("latin-1")),
                 mutated(".jsonl").map(lambda b: b.decode("utf-8", "replace")),
                 mutated(".csv").map(lambda b: b.decode("utf-8", "replace"))))
def test_record_parsers_on_any_text_yield_outcomes_and_never_raise(text: str) -> None:
    for reader in (read_jsonl, read_csv):
        outcomes = list(reader(text, "f", "f.x"))
        assert outcomes, reader.__name__  # at least a document or a "no records" problem
        for o in outcomes:
            if isinstance(o, ReadProblem):
                assert o.where.startswith("f.x") and o.reason
            else:
                assert o.text.strip() and o.id and o.path.startswith("f.x")


@settings(max_examples=100 * SCALE, deadline=None)
@given(st.one_of(st.text(max_size=300), mutated(".html").map(lambda b: b.decode("cp1252", "replace")),
                 st.lists(st.sampled_from(["<div>", "</div>", "<p>", "</p>", "<script>", "</script>", "<title>",
                                           "<!--", "-->", "<![CDATA[", "&amp;", "&#0;", "&#x110000;", "<", ">",
                                           "word", "The minister said no.", "\x00", "\r"]),
                          max_size=80).map("".join)))
def test_html_extractor_gives_text_or_read_error(html: str) -> None:
    try:
        page = html_to_text(html)
    except ReadError as err:
        assert err.reason
        return
    assert page.text.strip()
    assert "\r" not in page.text


# ---------------------------------------------------------------- end to end on generated corpora

def _sentences(name_prefix: str) -> list[str]:
    (path,) = SEEDS.glob(f"{name_prefix}_*.txt")
    text = path.read_text(encoding="utf-8")
    return [" ".join(text[s:e].split()) for s, e in split_sentences(text)]


BASE = _sentences("000")
OTHER = _sentences("004")
FAST_AUDIT = Settings(mode="fast", audit=True)
_NOISE = ["\x00", "\r", "e\u0301", "\u202e", "\U0001f600", "“", "”", "\"", "3,400", "12", "percent", "not", "\n",
          "\n\n", "according to officials,", "allegedly", "U.S.", "..."]


@st.composite
def edited(draw, sentences: list[str]) -> str:
    """A copy of a run of ``sentences`` with random edits: words dropped, changed and added,
    numbers and quotes touched, sentences dropped or swapped, hostile characters sprinkled."""
    lo = draw(st.integers(0, len(sentences) - 1))
    hi = draw(st.integers(lo + 1, min(len(sentences), lo + 20)))
    out = []
    for sentence in sentences[lo:hi]:
        if draw(st.integers(0, 9)) == 0:
            continue
        words = sentence.split(" ")
        for _ in range(draw(st.integers(0, 3))):
            at = draw(st.integers(0, len(words)))
            op = draw(st.sampled_from(["drop", "change", "add", "digit"]))
            if op == "drop" and at < len(words) and len(words) > 1:
                del words[at]
            elif op == "change" and at < len(words):
                words[at] = draw(st.sampled_from(_NOISE + ["rebels", "Tuesday", "the", "said"]))
            elif op == "add":
                words.insert(at, draw(st.sampled_from(_NOISE)))
            elif op == "digit" and at < len(words):
                words[at] = "".join(str((int(c) + 1) % 10) if c.isdigit() else c for c in words[at])
        out.append(" ".join(words))
    if len(out) > 1 and draw(st.booleans()):
        i = draw(st.integers(0, len(out) - 2))
        out[i], out[i + 1] = out[i + 1], out[i]
    return draw(st.sampled_from([" ", "\n", "\n\n", "\r\n"])).join(out) or "x"


@st.composite
def small_corpus(draw) -> list[Document]:
    base_lo = draw(st.integers(0, len(BASE) - 10))
    base = " ".join(BASE[base_lo : base_lo + draw(st.integers(5, 30))])
    docs = [Document(id="base", text=base, date=draw(st.sampled_from([None, "2023-10-27", "not a date"])))]
    base_sentences = [base[s:e] for s, e in split_sentences(base)]
    for k in range(draw(st.integers(1, 2))):
        docs.append(Document(id=f"copy{k}", text=draw(edited(base_sentences)),
                             date=draw(st.sampled_from([None, "2023-10-28", "2023-10-26T10:00:00Z"]))))
    if draw(st.booleans()):
        docs.append(Document(id="other", text=draw(edited(OTHER))))
    if draw(st.booleans()):
        docs.append(Document(id="odd", text=draw(st.lists(st.sampled_from(_HOSTILE_PIECES), min_size=1,
                                                          max_size=40).map("".join))))
    return docs


def _inside(span, text: str) -> bool:
    return span is None or (0 <= span[0] <= span[1] <= len(text))


@settings(max_examples=25 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(small_corpus())
def test_analyze_with_audit_never_raises_and_every_offset_slices_its_document(docs: list[Document]) -> None:
    analysis = analyze(docs, FAST_AUDIT)
    event(f"pairs with passages: {min(2, sum(1 for p in analysis.pairs if p.passages))}")
    event(f"findings: {'some' if analysis.findings else 'none'}")
    texts = {d.id: d.text for d in analysis.documents}
    assert set(texts) == {d.id for d in docs}
    for pair in analysis.pairs:
        for p in pair.passages:
            assert (p.a, p.b) == (pair.a, pair.b)
            assert 0 <= p.a_start < p.a_end <= len(texts[p.a]), p
            assert 0 <= p.b_start < p.b_end <= len(texts[p.b]), p
    for sid, spans in analysis.sentences.items():
        _check_spans_ordered(spans, len(texts[sid]))
    for f in analysis.findings:
        assert f.kind in FINDING_KINDS and f.severity in ("high", "medium", "low")
        assert f.derived in texts and f.source in texts and f.derived != f.source
        assert _inside(f.derived_span, texts[f.derived]), f
        assert _inside(f.source_span, texts[f.source]), f
        if f.derived_span is not None:
            assert f.derived_text == texts[f.derived][f.derived_span[0] : f.derived_span[1]]
        if f.source_span is not None:
            assert f.source_text == texts[f.source][f.source_span[0] : f.source_span[1]]
    json.dumps([f.explanation for f in analysis.findings])  # plain strings, writable
