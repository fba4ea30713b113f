"""Coverage-guided fuzzing of the read stage (see fuzz/README.md).

Each input is one selector byte and a payload.  The selector picks what the payload goes to:

  0  ``read_bytes_as_text`` (BOM / UTF-8 / 8-bit decoding, junk stripping, binary detection)
  1  ``read_bytes_as_text`` with a declared charset taken from the payload's first line
  2  ``html_to_text`` on the payload decoded (trafilatura, then the tag-stripping fallback)
  3  ``read_jsonl`` on the payload decoded
  4  ``read_csv`` on the payload decoded
  5  the payload written to a file of each type (.txt .html .jsonl .csv) and read by
     ``read_paths``, the public entry point

Expected outcomes are documents, :class:`ReadError` (from the functions that raise it) and
:class:`ReadProblem` (from those that yield or return problems).  Anything else is a crash:
another exception, a ``ReadProblem`` produced by ``read_paths``' catch-all (``could not read
(SomeError: ...)``: a reader raised something the user should never see as such), or a
document that breaks the read stage's promises (empty text, a ``\\r`` left in, text that
cannot be written as UTF-8).

  .venv/bin/python fuzz/fuzz_readers.py [--instrument=PKG,...] [libFuzzer flags] CORPUS_DIR fuzz/seeds
  .venv/bin/python fuzz/fuzz_readers.py --no-atheris --seconds 60                 # random-bytes loop
  .venv/bin/python fuzz/fuzz_readers.py --make-seeds fuzz/seeds                   # write the seed corpus
  .venv/bin/python fuzz/fuzz_readers.py --replay crash-FILE                       # run one input, show the error
"""
from __future__ import annotations

import argparse
import codecs
import hashlib
import os
import random
import sys
import tempfile
import time
import traceback
from pathlib import Path

_USE_ATHERIS = not any(a in ("--no-atheris", "--make-seeds", "--replay") or a.startswith(("--make-seeds=", "--replay="))
                       for a in sys.argv[1:])

if _USE_ATHERIS:
    try:
        import atheris
    except ImportError:  # pragma: no cover - depends on the optional install
        sys.exit("atheris is not installed: `.venv/bin/pip install atheris`, or run with --no-atheris")
    # Coverage is collected in these packages: the readers and the libraries they hand bytes to
    # (the HTML extractor and the charset detector are imported lazily by the readers, so here).
    _INSTRUMENT = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--instrument=")),
                       "filiation,trafilatura,charset_normalizer").split(",")
    sys.argv = [a for a in sys.argv if not a.startswith("--instrument=")]
    with atheris.instrument_imports(include=_INSTRUMENT):
        import charset_normalizer  # noqa: F401
        import trafilatura  # noqa: F401
        from filiation.model import Document, ReadProblem
        from filiation.read import ReadError, html_to_text, read_bytes_as_text, read_paths
        from filiation.read.records import read_csv, read_jsonl
else:
    from filiation.model import Document, ReadProblem
    from filiation.read import ReadError, html_to_text, read_bytes_as_text, read_paths
    from filiation.read.records import read_csv, read_jsonl

CATCH_ALL = "could not read ("
SUFFIXES = (".txt", ".html", ".jsonl", ".csv")
TARGETS = 6
_WORKDIR = Path(tempfile.mkdtemp(prefix="filiation-fuzz-"))


class Crash(AssertionError):
    """An outcome the read stage promises never to produce."""


def _decoded(payload: bytes) -> str:
    """Payload bytes as text, the way a reader would see them after decoding (never raises)."""
    try:
        return read_bytes_as_text(payload, "fuzz")
    except ReadError:
        return payload.decode("utf-8", "surrogateescape")  # keeps odd code points in play


def _check_document(doc: Document) -> None:
    if not isinstance(doc.id, str) or not doc.id:
        raise Crash(f"document without an id: {doc!r}")
    if not doc.text.strip():
        raise Crash(f"document {doc.id!r} has no text")
    if "\r" in doc.text:
        raise Crash(f"document {doc.id!r} kept a carriage return")
    try:
        (doc.id + doc.text).encode("utf-8")
    except UnicodeEncodeError as err:
        raise Crash(f"document {doc.id!r} cannot be written as UTF-8: {err}") from None


def _check_outcomes(outcomes) -> None:
    for outcome in outcomes:
        if isinstance(outcome, ReadProblem):
            if not outcome.reason or not outcome.where:
                raise Crash(f"empty problem: {outcome!r}")
            if outcome.reason.startswith(CATCH_ALL):
                raise Crash(f"a reader raised instead of judging the input: {outcome}")
        elif isinstance(outcome, Document):
            _check_document(outcome)
        else:
            raise Crash(f"unexpected outcome {outcome!r}")


def run_one(data: bytes) -> None:
    if not data:
        return
    target, payload = data[0] % TARGETS, data[1:]
    if target == 0:
        try:
            text = read_bytes_as_text(payload, "fuzz")
        except ReadError:
            return
        if not text.strip() or "\r" in text:
            raise Crash("read_bytes_as_text returned blank text or a carriage return")
    elif target == 1:
        label, _, body = payload.partition(b"\n")
        try:
            read_bytes_as_text(body, "fuzz", declared=label.decode("latin-1")[:40])
        except ReadError:
            return
    elif target == 2:
        try:
            page = html_to_text(_decoded(payload))
        except ReadError:
            return
        if not page.text.strip():
            raise Crash("html_to_text returned blank text")
    elif target == 3:
        _check_outcomes(read_jsonl(_decoded(payload), "fuzz", "fuzz.jsonl"))
    elif target == 4:
        _check_outcomes(read_csv(_decoded(payload), "fuzz", "fuzz.csv"))
    else:
        paths = []
        for suffix in SUFFIXES:
            path = _WORKDIR / f"input{suffix}"
            path.write_bytes(payload)
            paths.append(path)
        result = read_paths(paths)
        _check_outcomes(result.documents)
        _check_outcomes(result.problems)
        wheres = [p.where for p in result.problems] + [d.path or "" for d in result.documents]
        for path in map(str, paths):
            if not any(w == path or w.startswith(path + ":") for w in wheres):
                raise Crash(f"{path}: neither a document nor a problem came of it")


def test_one_input(data: bytes) -> None:
    """atheris' entry point: anything but the expected outcomes propagates and is a crash."""
    run_one(data)


# ---------------------------------------------------------------- seeds and the plain loop

def seed_inputs() -> dict[str, bytes]:
    """Small valid (and some nearly valid) inputs for every target, keyed by file name."""
    news = "The council approved the budget on Monday. Critics said the \u201cfigures\u201d were optimistic.\n"
    html = (f'<html><head><meta charset="utf-8"><title>Budget</title></head><body><nav>Home | News</nav>'
            f"<article><h1>Budget passes</h1><p>{news}</p><p>{news}</p></article></body></html>")
    jsonl = ('{"id": "a", "text": "The council approved the budget.", "date": "2023-10-27"}\n'
             '{"id": "b", "html": "<p>Critics said it was <b>optimistic</b>.</p>", "title": "T"}\n'
             '{"text": "No id.", "source": "wire", "url": "http://example.com/x"}\n{"id": 5}\n[1]\n{bad\n')
    csv = 'id,title,text,date\na,T,"The council approved the budget, finally.",2023\nb,,"Two\nlines",\n,,No id,\n'
    out = {
        "decode-utf8": b"\x00" + news.encode(),
        "decode-cp1252": b"\x00" + news.encode("cp1252"),
        "decode-mixed": b"\x00" + "Zürich café. ".encode() + b"\x93quoted\x94\r\n",
        "decode-utf16": b"\x00" + codecs.BOM_UTF16_LE + news.encode("utf-16-le"),
        "decode-utf32": b"\x00" + codecs.BOM_UTF32_BE + news.encode("utf-32-be"),
        "decode-1251": b"\x00" + "Совет утвердил бюджет в понедельник.".encode("cp1251"),
        "declared-1252": b"\x01windows-1252\n" + news.encode("cp1252"),
        "declared-bogus": b"\x01x-no-such\n" + "Caf\u00e9 cr\u00e8me, na\u00efve.".encode("latin-1"),
        "html": b"\x02" + html.encode(),
        "html-snippet": b"\x02<p>Just a paragraph of text.</p>",
        "jsonl": b"\x03" + jsonl.encode(),
        "csv": b"\x04" + csv.encode(),
        "files-html": b"\x05" + html.encode(),
        "files-jsonl": b"\x05" + jsonl.encode(),
        "files-csv": b"\x05" + csv.encode(),
    }
    return out


def mutate(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(7)
        at = rng.randrange(len(buf) + 1)
        if op == 0 and buf:
            buf[min(at, len(buf) - 1)] = rng.randrange(256)
        elif op == 1:
            del buf[at : at + rng.randint(1, 32)]
        elif op == 2:
            buf[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif op == 3:
            buf[at:at] = rng.choice([b"\x00", b"\r", b"\n", b'"', b",", b"{", b"}", b"<div>" * 200, b"[" * 200,
                                     b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\\ud800", b"&#0;", b"<!--",
                                     b"\xc3", b"\xe2\x80", b"\x93", b"\xa0", b"<meta charset=utf-16>"])
        elif op == 4:
            chunk = bytes(buf[at : at + rng.randint(1, 64)])
            buf[at:at] = chunk * rng.randint(1, 50)
        elif op == 5:
            del buf[at:]
        else:
            buf = bytearray(bytes(buf[:1]) + bytes(rng.randrange(256) for _ in range(rng.randint(0, 512))))
    return bytes(buf)


def plain_loop(seconds: float, seed: int, crashes: Path) -> int:
    """Random and mutated inputs for ``seconds``; every crash is saved and printed.  Returns crashes."""
    rng = random.Random(seed)
    pool = list(seed_inputs().values())
    found = 0
    runs = 0
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        data = mutate(rng.choice(pool), rng) if rng.random() < 0.8 else bytes(
            rng.randrange(256) for _ in range(rng.randint(1, 256)))
        runs += 1
        try:
            run_one(data)
        except Exception:  # noqa: BLE001 - this is the crash detector
            found += 1
            crashes.mkdir(parents=True, exist_ok=True)
            name = crashes / f"crash-{hashlib.sha1(data).hexdigest()}"
            name.write_bytes(data)
            print(f"CRASH saved to {name}:\n{traceback.format_exc()}", file=sys.stderr)
    elapsed = time.monotonic() - started
    print(f"plain loop: {runs} executions in {elapsed:.0f} s ({runs / elapsed:.0f}/s), {found} crashes")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-atheris", action="store_true", help="a plain random/mutated-bytes loop, no coverage")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the plain loop runs")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the plain loop")
    parser.add_argument("--crashes", type=Path, default=Path("fuzz/crashes"), help="where the plain loop saves crashes")
    parser.add_argument("--make-seeds", type=Path, metavar="DIR", help="write the seed corpus to DIR and stop")
    parser.add_argument("--replay", type=Path, nargs="+", metavar="FILE", help="run these inputs once each")
    args, rest = parser.parse_known_args()
    if args.make_seeds:
        args.make_seeds.mkdir(parents=True, exist_ok=True)
        for name, data in seed_inputs().items():
            (args.make_seeds / name).write_bytes(data)
        print(f"wrote {len(seed_inputs())} seeds to {args.make_seeds}")
        return
    if args.replay:
        bad = 0
        for path in args.replay:
            try:
                run_one(path.read_bytes())
                print(f"{path}: ok")
            except Exception:  # noqa: BLE001
                bad += 1
                print(f"{path}: CRASH\n{traceback.format_exc()}")
        sys.exit(1 if bad else 0)
    if args.no_atheris:
        sys.exit(1 if plain_loop(args.seconds, args.seed, args.crashes) else 0)
    atheris.Setup([sys.argv[0], *rest], test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
