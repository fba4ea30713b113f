"""One frozen settings object for the whole pipeline, validated with messages that say what to do.

There is one configuration for every corpus: no per-set switches.  The defaults are the
figures the evaluation (README) was run with.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal

Mode = Literal["fast", "full"]


@dataclass(frozen=True)
class Settings:
    mode: Mode = "full"  # "fast": lexical signals and the static model only, no transformer
    # read/normalise
    shingle_size: int = 5  # words per shingle for the lexical sketch and containment
    # candidates
    num_perm: int = 128  # MinHash bins (a power of two)
    bands: int = 64  # LSH bands x rows <= num_perm; 64x2 reaches pairs down to Jaccard ~0.1
    rows: int = 2
    max_bucket: int = 500  # LSH buckets larger than this are boilerplate: skipped and counted
    neighbours: int = 20  # semantic neighbours asked for per document
    min_doc_cosine: float = 0.4  # semantic neighbours below this are not candidates
    screen_entities: float = 0.2  # a candidate pair is aligned only if names/numbers overlap this much,
    screen_bigrams: float = 0.15  # or this share of one text's content-word pairs occurs in the other
    brief_sentences: int = 2  # a text of at most this many sentences is a brief (a one-line summary, a news brief)
    brief_length_ratio: float = 3.0  # ...and is compared, as a brief, with texts at least this many times longer
    brief_neighbours: int = 5  # a brief's nearest such texts by event terms, aligned whatever the screen says
    # align
    seed_words: int = 4  # verbatim seeds: shared word 4-grams
    gap_words: int = 8  # edited words allowed inside one verbatim passage
    min_passage_words: int = 10
    min_sentence_cosine: float = 0.5  # static cosine for a sentence pair to be judged at all
    max_sentence_pairs: int = 4_000_000  # sentence pairs compared per document pair; past it only a band around the diagonal (reported)
    doubt_low: float = 0.1  # static matcher probabilities in [low, high) go to the transformer
    doubt_high: float = 0.8
    min_semantic_potential: float = 0.15  # ask the transformer only for pairs whose matchable sentences reach this share of a text
    match_probability: float = 0.35  # a sentence "draws on" another (looser than MSRP's paraphrase)
    out_of_order_probability: float = 0.6  # a match against both texts' order must be this sure
    # relate
    date_tolerance_hours: float = 12.0  # clock and time-zone noise when ordering by date
    event_cut: float = 0.16  # same event: average-link clusters of event links merge down to this mean link
    event_names_weight: float = 0.25  # ...cosines of the words (weight 1 - this) and of the names and numbers (this), mixed
    event_cluster_pairs: int = 200  # a cluster of at most this many documents reports every pair in it; a larger one its candidate pairs
    brief_min_event_cosine: float = 0.1  # a brief summarises the longer text nearest it (event cosine x document cosine), at event cosine this close or more,
    brief_margin: float = 2.25  # ...and this many times nearer than any other (copies of that text aside): 1.5 on each of the two cosines
    reworded_specifics: float = 0.55  # a rewording (no verbatim reuse, a retelling) keeps at least this share of the names and numbers of the text with fewer,
    reworded_names: int = 10  # ...judged, for a rewording read from its wording, where that text has at least this many
    retelling_shared: int = 5  # a loose rewrite (retelling): at least this many of those names and numbers shared,
    retelling_similarity: float = 0.55  # ...document vectors at least this alike,
    retelling_margin: float = 1.5  # ...and the other this many times closer by event cosine than any text outside both's reuse
    # audit
    audit: bool = True  # check each derived document against its sources (audit.jsonl)

    def __post_init__(self) -> None:
        if self.mode not in ("fast", "full"):
            raise ValueError(f"mode must be 'fast' or 'full', not {self.mode!r}")
        if self.num_perm <= 0 or self.num_perm & (self.num_perm - 1):
            raise ValueError(f"num_perm must be a power of two, not {self.num_perm}")
        if self.bands * self.rows > self.num_perm:
            raise ValueError(
                f"bands x rows ({self.bands} x {self.rows}) exceeds num_perm ({self.num_perm}): "
                "lower bands or rows, or raise num_perm"
            )
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
                raise ValueError(f"{f.name} must not be negative, got {value}")
        if self.brief_margin < 1 or self.brief_length_ratio < 1 or self.retelling_margin < 1:
            raise ValueError("brief_margin, brief_length_ratio and retelling_margin must be at least 1")
        if not 0 < self.event_cut <= 1:
            raise ValueError("event_cut must lie in (0, 1]")
        if not 0 <= self.event_names_weight <= 1:
            raise ValueError("event_names_weight must lie in [0, 1]")
        if not 0 <= self.min_semantic_potential <= 1:
            raise ValueError("min_semantic_potential must lie in [0, 1]")
        if not 0 <= self.doubt_low <= self.doubt_high <= 1:
            raise ValueError("doubt_low <= doubt_high must both lie in [0, 1]")

    def replace(self, **changes) -> "Settings":
        from dataclasses import replace

        return replace(self, **changes)
