"""Deterministic benchmark corpus of news-length documents built from MSRP sentences.

    python bench/corpus.py --docs 20000 --out bench/out/corpus-20000 [--seed 13]
                           [--msrp ../shared/data/msrp]

Writes ``documents.jsonl`` ({"id", "text"}) and ``truth.jsonl`` ({"source", "derived",
"kind"}).  About 5% of the documents are planted derivatives of a base document
(kinds in ``KINDS``); base ids are ``n00001``…, derived ids ``d00001``…, and the file
order is one random shuffle of all of them.

Why the words inside each sentence *instance* are shuffled: drawing ~35 sentences per
document from ~11,000 MSRP sentences makes ~16% of random document pairs share whole
sentences, so every benchmark would measure that artefact instead of planted reuse.
Shuffling each placement keeps real news vocabulary and sentence lengths but makes
independent placements share almost no 5-grams.  ``--no-shuffle`` reproduces the
artefact for comparison.

Every document draws from its own RNG seeded by (seed, role, index), so output is
identical for a given seed and independent of generation order.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
import time
from itertools import combinations
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from filiation.candidates.lexical import document_shingles as word_shingle_hashes  # noqa: E402

KINDS = ("duplicate", "light_edit", "excerpt", "cut_edit", "rewrite")
DERIVED_SHARE = 0.05
DEFAULT_MSRP = Path(__file__).resolve().parents[2] / "shared" / "data" / "msrp"

# MSRP is tokenised ("Dominick 's", "evidence ."): glue clitics and punctuation back.
_DETOK = [(" n't", "n't"), (" 's", "'s"), (" 're", "'re"), (" 've", "'ve"), (" 'll", "'ll"),
          (" 'd", "'d"), (" 'm", "'m"), (" ,", ","), (" .", "."), (" ;", ";"), (" :", ":"),
          (" %", "%"), (" ?", "?"), (" !", "!"), ("$ ", "$")]
_NOISE = re.compile(r"^[^\w$%]+$")  # lone quotes, brackets, dashes: meaningless once shuffled
# Hyphenated compounds ("18-to-49-year-old") are several words to a \w+ shingler and
# would survive shuffling as whole 5-grams shared between unrelated documents.
_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")
# Abbreviations that keep their period when a sentence's last word moves mid-sentence.
_ABBREV = re.compile(r"(?:[A-Za-z]\.){2,}|(?:Inc|Corp|Co|Ltd|Jr|Sr|St|Bros)\.")

Sentence = tuple[str, ...]
# A placed sentence: (MSRP sentence index, paragraph number, its words in placed order).
Placed = tuple[int, int, list[str]]


def _words(raw: str) -> list[str]:
    """Detokenise one MSRP string and split it into words without end punctuation."""
    text = raw.replace("\t", ", ").replace("...", " ")  # a tab stands for a comma in some
    for a, b in _DETOK:
        text = text.replace(a, b)
    text = _HYPHEN.sub(" ", text)
    words = [w for w in text.split() if not _NOISE.match(w)]
    if words and words[-1][-1:] in ".?!" and not _ABBREV.fullmatch(words[-1]):
        words[-1] = words[-1][:-1]
    return [w for w in words if w]


def load_msrp(msrp_dir: Path) -> tuple[list[Sentence], list[list[int]]]:
    """Distinct MSRP sentences (as words) and, for each, its Quality-1 paraphrase partners."""
    index: dict[str, int] = {}
    sentences: list[Sentence] = []
    partners: list[list[int]] = []

    def add(sid: str, raw: str) -> int:
        if sid not in index:
            index[sid] = len(sentences)
            sentences.append(tuple(_words(raw)))
            partners.append([])
        return index[sid]

    for name in ("msr_paraphrase_train.txt", "msr_paraphrase_test.txt"):
        with open(msrp_dir / name, encoding="utf-8-sig", newline="") as f:
            rows = csv.reader(f, delimiter="\t", quotechar='"')
            next(rows)  # header
            for row in rows:
                if len(row) < 5:
                    continue
                quality, id1, id2, s1, s2 = row[:5]
                a, b = add(id1, s1), add(id2, s2)
                if quality.strip() == "1" and a != b:
                    partners[a].append(b)
                    partners[b].append(a)

    # A sentence-initial "The" would stay capitalised mid-sentence after shuffling;
    # lowercase an initial word when the corpus also uses it in lowercase elsewhere.
    lower_seen = {w for s in sentences for w in s[1:] if w.islower()}
    fixed = []
    for s in sentences:
        if s and s[0].istitle() and s[0].lower() in lower_seen:
            s = (s[0].lower(),) + s[1:]
        fixed.append(s)
    keep = [i for i, s in enumerate(fixed) if len(s) >= 3]  # drop empty/garbled rows
    remap = {old: new for new, old in enumerate(keep)}
    return ([fixed[i] for i in keep],
            [[remap[p] for p in partners[i] if p in remap] for i in keep])


class Generator:
    """Builds base and derived documents from the MSRP sentence pool."""

    def __init__(self, sentences: list[Sentence], partners: list[list[int]], seed: int,
                 shuffle: bool = True):
        self.sentences = sentences
        self.partners = partners
        self.seed = seed
        self.shuffle = shuffle
        # Substitutes are drawn from all tokens, so frequent words are drawn often.
        self.vocab = [w for s in sentences for w in s]

    def rng(self, role: str, i: int) -> random.Random:
        """Per-document RNG: string seeds are hashed with SHA-512, stable across runs."""
        return random.Random(f"{self.seed}:{role}:{i}")

    def place(self, rng: random.Random, sid: int) -> list[str]:
        """One placement of a sentence: its words in a fresh random order."""
        s = self.sentences[sid]
        return rng.sample(s, len(s)) if self.shuffle else list(s)

    def base(self, i: int) -> list[Placed]:
        """A news-length document (600–800 words) in paragraphs of 3–5 sentences."""
        rng = self.rng("base", i)
        target = rng.randint(600, 770)  # leaves room for a sentence under the 800 cap
        doc: list[Placed] = []
        used: set[int] = set()
        n_words, para, left = 0, 0, rng.randint(3, 5)
        while n_words < target:
            sid = rng.randrange(len(self.sentences))
            if sid in used or n_words + len(self.sentences[sid]) > 800:
                continue
            used.add(sid)
            words = self.place(rng, sid)
            doc.append((sid, para, words))
            n_words += len(words)
            left -= 1
            if left == 0:
                para, left = para + 1, rng.randint(3, 5)
        return doc

    def edit_words(self, rng: random.Random, words: list[str], p: float,
                   ops: str = "sdi") -> list[str]:
        """Each word with probability p is substituted (s), deleted (d) or gets an insert (i)."""
        out: list[str] = []
        for w in words:
            if rng.random() >= p:
                out.append(w)
                continue
            op = rng.choice(ops)
            if op == "s":
                out.append(rng.choice(self.vocab))
            elif op == "i":
                out += [w, rng.choice(self.vocab)]
        return out or words[:1]

    def edit_doc(self, rng: random.Random, doc: list[Placed], p: float) -> list[Placed]:
        return [(sid, para, self.edit_words(rng, w, p)) for sid, para, w in doc]

    def derive(self, i: int, source: list[Placed], kind: str) -> list[Placed]:
        """A planted derivative of ``source`` of the given kind."""
        rng = self.rng("derived", i)
        n = len(source)
        if kind == "duplicate":  # exact copy, at most 1% of words touched
            return self.edit_doc(rng, source, rng.uniform(0.0, 0.01))
        if kind == "light_edit":  # 5% word edits, the odd sentence dropped
            drop = {rng.randrange(n)} | {k for k in range(n) if rng.random() < 0.04}
            kept = [s for k, s in enumerate(source) if k not in drop]
            return self.edit_doc(rng, kept, 0.05)
        if kind == "excerpt":  # a contiguous 30–60% of the sentences, lightly edited
            m = max(1, round(rng.uniform(0.3, 0.6) * n))
            start = rng.randrange(n - m + 1)
            return self.edit_doc(rng, source[start : start + m], 0.02)
        if kind == "cut_edit":  # runs of sentences cut from several places + 5% edits
            drop: set[int] = set()
            for _ in range(rng.randint(3, 5)):
                start, length = rng.randrange(n), rng.randint(1, 4)
                drop.update(range(start, min(n, start + length)))
            kept = [s for k, s in enumerate(source) if k not in drop] or source[:1]
            return self.edit_doc(rng, kept, 0.05)
        if kind == "rewrite":  # paraphrase partner where MSRP has one, else 15% substituted
            out: list[Placed] = []
            for sid, para, words in source:
                if self.partners[sid]:
                    pid = rng.choice(self.partners[sid])
                    out.append((pid, para, self.place(rng, pid)))
                else:
                    out.append((sid, para, self.edit_words(rng, words, 0.15, "s")))
            return out
        raise ValueError(f"unknown kind {kind!r}")


def render(doc: list[Placed]) -> str:
    """Sentences capitalised and closed with a period, paragraphs separated by a blank line."""
    paras: list[list[str]] = []
    last = None
    for _, para, words in doc:
        if para != last:
            paras.append([])
            last = para
        first, *rest = words
        words = [first[:1].upper() + first[1:], *rest]
        end = words[-1].rstrip(",;:")
        words[-1] = end if end.endswith(".") else end + "."
        paras[-1].append(" ".join(words))
    return "\n\n".join(" ".join(p) for p in paras)


def build(n_docs: int, seed: int, msrp_dir: Path, shuffle: bool = True):
    """Return (documents, truth): lists of dicts in file order."""
    sentences, partners = load_msrp(msrp_dir)
    gen = Generator(sentences, partners, seed, shuffle)
    n_derived = round(n_docs * DERIVED_SHARE)
    n_base = n_docs - n_derived

    rng = random.Random(f"{seed}:corpus")
    sources = rng.sample(range(n_base), n_derived)  # distinct sources
    kinds = [KINDS[k % len(KINDS)] for k in range(n_derived)]
    rng.shuffle(kinds)

    base = [gen.base(i) for i in range(n_base)]
    docs = [{"id": f"n{i + 1:05d}", "text": render(d)} for i, d in enumerate(base)]
    truth = []
    for k, (src, kind) in enumerate(zip(sources, kinds)):
        did = f"d{k + 1:05d}"
        docs.append({"id": did, "text": render(gen.derive(k, base[src], kind))})
        truth.append({"source": f"n{src + 1:05d}", "derived": did, "kind": kind})
    rng.shuffle(docs)
    return docs, truth


def shared_5gram_share(docs: list[dict], truth: list[dict], sample: int = 2000,
                       seed: int = 0) -> tuple[float, int]:
    """Share of pairs among ``sample`` random documents that share any word 5-gram.

    Planted (source, derived) pairs are left out.  Uses an inverted index over the
    sample, so all sample*(sample-1)/2 pairs are covered without comparing them one by one.
    """
    rng = random.Random(f"{seed}:pairs")
    picked = sorted(rng.sample(range(len(docs)), min(sample, len(docs))))
    sets = word_shingle_hashes([docs[i]["text"] for i in picked])
    doc_of = np.repeat(np.arange(len(sets)), [len(s) for s in sets])
    hashes = np.concatenate(sets)
    order = np.argsort(hashes, kind="stable")
    hashes, doc_of = hashes[order], doc_of[order]
    cuts = np.flatnonzero(np.diff(hashes)) + 1
    sharing: set[tuple[int, int]] = set()
    for group in np.split(doc_of, cuts):
        if len(group) > 1:
            sharing.update(combinations(sorted(set(group.tolist())), 2))
    planted = {frozenset((t["source"], t["derived"])) for t in truth}
    ids = [docs[i]["id"] for i in picked]
    sharing = {p for p in sharing if frozenset((ids[p[0]], ids[p[1]])) not in planted}
    n_pairs = len(picked) * (len(picked) - 1) // 2
    return len(sharing) / n_pairs, n_pairs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=20000)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--msrp", type=Path, default=DEFAULT_MSRP)
    ap.add_argument("--no-shuffle", action="store_true",
                    help="place sentences verbatim (reproduces the shared-sentence artefact)")
    ap.add_argument("--pair-sample", type=int, default=2000,
                    help="documents sampled for the shared-5-gram statistic (0: skip)")
    args = ap.parse_args()

    t0 = time.perf_counter()
    docs, truth = build(args.docs, args.seed, args.msrp, shuffle=not args.no_shuffle)
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "documents.jsonl", "w", encoding="utf-8") as f:
        f.writelines(json.dumps(d, ensure_ascii=False) + "\n" for d in docs)
    with open(args.out / "truth.jsonl", "w", encoding="utf-8") as f:
        f.writelines(json.dumps(t) + "\n" for t in truth)
    elapsed = time.perf_counter() - t0

    n_words = [len(d["text"].split()) for d in docs]
    print(f"wrote {len(docs)} documents ({len(truth)} derived) to {args.out} "
          f"in {elapsed:.1f} s")
    print(f"words per document: mean {np.mean(n_words):.0f}, "
          f"min {min(n_words)}, max {max(n_words)}")
    if args.pair_sample:
        share, n_pairs = shared_5gram_share(docs, truth, args.pair_sample, args.seed)
        print(f"random document pairs sharing any word 5-gram: {share:.2e} "
              f"({round(share * n_pairs)} of {n_pairs} pairs among {args.pair_sample} docs)")


if __name__ == "__main__":
    main()
