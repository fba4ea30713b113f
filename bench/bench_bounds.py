"""Pathological inputs: do they stay within a time and memory bound?

    python bench/bench_bounds.py [--megabytes 5] [--documents 10000] [--mode fast] [--peer-timeout 300]

Two cases, each written to bench/out/bounds/ and analysed by ``filiation analyze`` in a child
process (wall time and peak RSS of the child are printed, with every ``limit:`` line it
reported):

* **pair**: two documents of ``--megabytes`` MB each, the second a copy of the first with two
  words changed in every paragraph.  Peer: the standard library's ``difflib.SequenceMatcher``
  matching blocks over the same two word lists (what a script would reach for first), in a
  child process stopped after ``--peer-timeout`` seconds.
* **boilerplate**: ``--documents`` documents of four unrelated paragraphs each, all ending in
  one shared paragraph.  Peer: datasketch ``MinHashLSH`` at threshold 0.1 (the Jaccard such
  documents share), counting the candidate pairs it returns that filiation would then have to
  align.

Texts are sentences of words drawn from the seed articles' vocabulary with a fixed seed, so a
run is reproducible and no two paragraphs share a phrase by accident.
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "bounds"


def _vocabulary() -> list[str]:
    words = set()
    for path in sorted((ROOT / "examples" / "seeds").glob("*.txt")):
        words |= {w.strip(".,;:\"'()") for w in path.read_text(encoding="utf-8").split()}
    return sorted(w for w in words if w.isalpha())


def _paragraph(rng: random.Random, vocab: list[str]) -> str:
    return " ".join(" ".join(rng.choice(vocab) for _ in range(rng.randint(8, 25))).capitalize() + "."
                    for _ in range(rng.randint(2, 6)))


def write_pair(megabytes: float, vocab: list[str]) -> Path:
    rng = random.Random(7)
    folder = OUT / f"pair-{megabytes:g}mb"
    folder.mkdir(parents=True, exist_ok=True)
    paragraphs, size = [], 0
    while size < megabytes * 1_000_000:
        paragraphs.append(_paragraph(rng, vocab))
        size += len(paragraphs[-1]) + 2
    edited = []
    for p in paragraphs:
        words = p.split()
        for _ in range(2):
            words[rng.randrange(len(words))] = rng.choice(vocab)
        edited.append(" ".join(words))
    (folder / "a.txt").write_text("\n\n".join(paragraphs), encoding="utf-8")
    (folder / "b.txt").write_text("\n\n".join(edited), encoding="utf-8")
    return folder


def write_boilerplate(documents: int, vocab: list[str]) -> Path:
    rng = random.Random(8)
    path = OUT / f"boilerplate-{documents}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    shared = _paragraph(rng, vocab)
    with path.open("w", encoding="utf-8") as fh:
        for k in range(documents):
            text = "\n\n".join([_paragraph(rng, vocab) for _ in range(4)] + [shared])
            fh.write(json.dumps({"id": f"b{k:05d}", "text": text}) + "\n")
    return path


# runs the command and prints its peak RSS (KiB) last on stderr: that child's own peak, not the
# largest of every child this benchmark has run so far
_MEASURED = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(r.returncode)")


def run_child(argv: list[str], timeout: float | None = None) -> tuple[float, float, str, str, bool]:
    """(seconds, peak RSS in GiB, stdout, stderr, finished) of one child process."""
    started = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-c", _MEASURED, *argv], capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - started, float("nan"), "", "", False
    seconds = time.perf_counter() - started
    *lines, peak = done.stderr.rstrip("\n").split("\n")
    return seconds, int(peak) / 2**20, done.stdout, "\n".join(lines), done.returncode == 0


def analyse(inputs: Path, mode: str) -> tuple[float, float, list[str]]:
    out = OUT / f"results-{inputs.stem}"
    seconds, peak, _, stderr, finished = run_child(
        [sys.executable, "-m", "filiation.cli", "analyze", str(inputs), "--out", str(out), "--mode", mode])
    if not finished:
        sys.exit(f"filiation failed on {inputs}:\n{stderr}")
    limits = [line for line in stderr.splitlines() if line.startswith("limit:")]
    manifest = json.loads((out / "manifest.json").read_text())
    print(f"  filiation ({mode}): {seconds:.1f} s, peak RSS {peak:.2f} GiB, {manifest['pairs']:,} related pairs")
    for line in limits:
        print(f"    {line}")
    return seconds, peak, limits


PEER_PAIR = """
import difflib, sys
a = open(sys.argv[1], encoding="utf-8").read().split()
b = open(sys.argv[2], encoding="utf-8").read().split()
blocks = difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
print(len(blocks))
"""

PEER_BOILERPLATE = """
import json, sys
from datasketch import MinHash, MinHashLSH
lsh = MinHashLSH(threshold=0.1, num_perm=128)
sketches = {}
for line in open(sys.argv[1], encoding="utf-8"):
    row = json.loads(line)
    words = row["text"].lower().split()
    m = MinHash(num_perm=128)
    m.update_batch([" ".join(words[i:i + 5]).encode() for i in range(max(1, len(words) - 4))])
    lsh.insert(row["id"], m)
    sketches[row["id"]] = m
pairs = sum(len(lsh.query(m)) - 1 for m in sketches.values()) // 2
print(pairs)
"""


def _gib(peak: float) -> str:
    return "unknown (stopped)" if peak != peak else f"{peak:.2f} GiB"


def peer(script: str, args: list[str], timeout: float) -> tuple[float, float, str, bool]:
    seconds, peak, stdout, _, finished = run_child([sys.executable, "-c", script, *args], timeout)
    return seconds, peak, stdout.strip(), finished


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megabytes", type=float, default=5.0)
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--mode", default="fast", choices=["fast", "full"])
    parser.add_argument("--peer-timeout", type=float, default=300.0)
    args = parser.parse_args()
    vocab = _vocabulary()

    folder = write_pair(args.megabytes, vocab)
    print(f"pair: two {args.megabytes:g} MB near-identical documents ({folder})")
    ours, _, _ = analyse(folder, args.mode)
    seconds, peak, _, finished = peer(PEER_PAIR, [str(folder / "a.txt"), str(folder / "b.txt")], args.peer_timeout)
    state = "" if finished else f" (stopped at the {args.peer_timeout:.0f} s limit)"
    print(f"  peer difflib.SequenceMatcher on words: {seconds:.1f} s{state}, peak RSS {_gib(peak)}")
    print(f"  ratio peer / filiation: {'>' if not finished else ''}{seconds / ours:.1f}x")

    path = write_boilerplate(args.documents, vocab)
    print(f"boilerplate: {args.documents:,} documents sharing one paragraph ({path})")
    ours, _, _ = analyse(path, args.mode)
    seconds, peak, pairs, finished = peer(PEER_BOILERPLATE, [str(path)], args.peer_timeout)
    state = f", {int(pairs):,} candidate pairs to align" if finished else f" (stopped at the {args.peer_timeout:.0f} s limit)"
    print(f"  peer datasketch MinHashLSH(0.1): {seconds:.1f} s{state}, peak RSS {_gib(peak)}")
    print(f"  ratio peer / filiation: {'>' if not finished else ''}{seconds / ours:.1f}x")


if __name__ == "__main__":
    main()
