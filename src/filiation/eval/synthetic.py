"""Synthetic families of real news text with known parents, for judging stemmata.

Each family starts from a real BBC article (ai-rewrites-dev) and grows three generations:

    R ─┬─ C1 ── G1 ── H1        C1, C2: cut-and-edit copies of R
       ├─ C2 ── G2 ── H2        C3: an LLM's rewrite of R (from the data set)
       └─ C3                    G*, H*: cut-and-edit copies of the generation above

A cut-and-edit copy drops a fifth of the sentences, edits words in some of the rest
(a word dropped, two swapped, a number changed) and adds one sentence of its own taken from
an unrelated article, as republishers do.  In every other family the root is withheld from
the corpus: its children then descend from a *lost source*.  In every fourth family an
intermediate (G2) is withheld instead: H2's expected parent is then C2, its nearest visible
ancestor (one child cannot prove a lost source).
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass

from ..model import Document
from ..text.sentences import split_sentences

_NUMBER = re.compile(r"\b\d+\b")


@dataclass(frozen=True)
class Family:
    documents: list[Document]
    parent: dict[str, str | None]  # true parent of every member, visible or not
    hidden: set[str]


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def _edit_sentence(sentence: str, rng: random.Random) -> str:
    words = sentence.split(" ")
    if len(words) < 6:
        return sentence
    op = rng.choice(("drop", "swap", "number"))
    if op == "number" and _NUMBER.search(sentence):
        return _NUMBER.sub(lambda m: str(int(m.group()) + rng.randint(1, 9)), sentence, count=1)
    k = rng.randrange(1, len(words) - 2)
    if op == "swap":
        words[k], words[k + 1] = words[k + 1], words[k]
    else:
        del words[k]
    return " ".join(words)


def cut_and_edit(text: str, filler: str, rng: random.Random) -> str:
    sentences = _sentences(text)
    keep = [s for k, s in enumerate(sentences) if k == 0 or rng.random() >= 0.2]
    keep = [_edit_sentence(s, rng) if rng.random() < 0.2 else s for s in keep]
    keep.insert(rng.randint(1, len(keep)), filler)
    return " ".join(keep)


def make_families(articles: list[tuple[str, str, str | None]], fillers: list[str], seed: int = 7) -> list[Family]:
    """``articles``: (id, text, rewrite text or None).  Families alternate visible/withheld roots."""
    rng = random.Random(seed)
    families = []
    for k, (root_id, text, rewrite) in enumerate(articles):
        texts: dict[str, str] = {root_id: text}
        parent: dict[str, str | None] = {root_id: None}

        def child(name: str, of: str) -> None:
            texts[name] = cut_and_edit(texts[of], rng.choice(fillers), rng)
            parent[name] = of

        f = f"{root_id}~"
        child(f + "c1", root_id)
        child(f + "c2", root_id)
        child(f + "g1", f + "c1")
        child(f + "g2", f + "c2")
        child(f + "h1", f + "g1")
        child(f + "h2", f + "g2")
        if rewrite:
            texts[f + "c3"] = rewrite
            parent[f + "c3"] = root_id
        # odd families lose their root (a lost source of three children); every fourth an
        # intermediate generation (h2's nearest visible ancestor is then its grandparent c2)
        hidden = {root_id} if k % 2 else ({f + "g2"} if k % 4 == 0 else set())
        docs = [Document(i, t) for i, t in texts.items() if i not in hidden]
        families.append(Family(docs, parent, hidden))
    return families


def expected_parent(family: Family, doc: str) -> str | None:
    """The visible parent, ``"lost"`` when the parent is withheld but has two or more visible
    children (the evidence can show it), else the nearest visible ancestor."""
    p = family.parent[doc]
    while p is not None and p in family.hidden:
        visible_children = [d for d, q in family.parent.items() if q == p and d not in family.hidden]
        if len(visible_children) >= 2:
            return "lost"
        p = family.parent[p]
    return p


def depth(family: Family, doc: str) -> int:
    d, p = 0, family.parent[doc]
    while p is not None:
        d, p = d + 1, family.parent[p]
    return d
