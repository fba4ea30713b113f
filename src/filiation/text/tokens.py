"""Words with character offsets into the original text.

A word's *key* is its lowercased form with inner dots and apostrophes removed, so that
"U.S." and "US", "don't" and "dont" compare equal: the small edits that republishers make
should not break verbatim alignment.  Numbers keep their separators ("3,400" is one word).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

# A number with thousands/decimal separators, or a word with inner dots/apostrophes/hyphens kept
# together ("U.S.", "don't", "al-Sudani" -> "al", "sudani" as two words: hyphens split).
WORD_RE = re.compile(r"\d+(?:[.,]\d+)*|\w+(?:[.'’]\w+)*\.?", re.UNICODE)
#: Function words: what two texts share without sharing content.
STOPWORDS = frozenset(
    """a an the of to in on at for by with from and or but is are was were be been being has have
    had it its this that these those as s he she they we i you his her their our not no said says
    will would could should may might can do does did than then there here which who whom whose
    what when where why how also about into over after before up out so if""".split()
)
_STRIP = str.maketrans("", "", ".'’,")


@dataclass(frozen=True)
class Tokens:
    """The words of one text: keys for comparing, offsets for reporting."""

    keys: list[str]
    starts: np.ndarray  # int64, character offset of each word in the original text
    ends: np.ndarray

    def __len__(self) -> int:
        return len(self.keys)


def _key(word: str) -> str:
    return word.lower().translate(_STRIP) or word.lower()


def tokenize(text: str) -> Tokens:
    """Split ``text`` into words, keeping where each one stands in ``text``."""
    keys: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for m in WORD_RE.finditer(text):
        word = m.group()
        end = m.end()
        if word.endswith(".") and word.count(".") == 1:
            # a plain sentence-final period is not part of the word; "U.S." keeps its dot
            end -= 1
            word = word[:-1]
        keys.append(_key(word))
        starts.append(m.start())
        ends.append(end)
    return Tokens(keys, np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64))


def word_keys(text: str) -> list[str]:
    """Only the keys of ``text``'s words: the fast path when no offsets are needed."""
    return [_key(w) for w in WORD_RE.findall(text)]
