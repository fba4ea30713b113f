"""Align a batch of candidate pairs: the step both engines run per pair.

Work is batched across pairs: first every pair's verbatim passages and sentence candidates,
then one matcher pass over all candidates (and one transformer pass over the sentences the
static model left in doubt), then each pair's evidence.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..align.sentence_match import decision_threshold, pair_features, paraphrase_probability
from ..align.sentences import choose_sentence_matches, diagonal_band, sentence_candidates
from ..align.verbatim import TokenAlignment, align_verbatim
from ..embed.documents import document_vector, sentence_vectors
from ..model import PairEvidence, Passage
from ..relate.evidence import masks_from_spans, measure_pair, verbatim_sentences
from ..settings import Settings
from ..text.normalise import NormalisedDocument


@dataclass
class AlignedPair:
    a: int
    b: int
    spans: list[TokenAlignment]
    sentence_matches: list[tuple[int, int, float]]
    evidence: PairEvidence
    passages: tuple[Passage, ...]


Encoder = Callable[[list[str]], np.ndarray]

#: candidate pairs aligned together (one static encoding of their documents' sentences, one
#: matcher pass, one transformer pass)
PAIRS_PER_BATCH = 2048


def align_candidate_pairs(
    docs: list[NormalisedDocument],
    doc_vectors: np.ndarray | None,
    pairs: np.ndarray,
    settings: Settings,
    transformer: Encoder | None = None,
    notes: list[str] | None = None,
) -> list[AlignedPair]:
    """Passages and evidence of each pair, in the order given; ``notes`` receives a line per
    limit a pair hit.  Pairs go in batches of ``PAIRS_PER_BATCH``, so what a batch holds
    (sentence vectors of its documents, candidate sentence pairs) is bounded whatever the
    number of pairs.  ``doc_vectors=None``: pooled here from the sentence vectors (a caller
    that has not computed them saves encoding each document twice)."""
    out: list[AlignedPair] = []
    for lo in range(0, len(pairs), PAIRS_PER_BATCH):
        out.extend(_align_batch(docs, doc_vectors, pairs[lo : lo + PAIRS_PER_BATCH], settings, transformer, notes))
    return out


def _align_batch(docs, doc_vectors, pairs: np.ndarray, settings: Settings, transformer: Encoder | None,
                 notes: list[str] | None) -> list[AlignedPair]:
    involved = np.unique(pairs).tolist()
    vectors = dict(zip(involved, sentence_vectors([docs[k] for k in involved])))
    if doc_vectors is None:
        doc_vectors = {k: document_vector(docs[k], v) for k, v in vectors.items()}
    staged = []
    cand_rows: list[tuple[int, int, int, float]] = []  # (pair index, i, j, static cosine)
    for p, (ia, ib) in enumerate(pairs.tolist()):
        a, b = docs[ia], docs[ib]
        spans = align_verbatim(a.words, b.words, settings.seed_words, settings.gap_words, settings.min_passage_words)
        mask_a, mask_b = masks_from_spans(a, b, spans)
        skip_a, skip_b = verbatim_sentences(a, mask_a), verbatim_sentences(b, mask_b)
        cands = sentence_candidates(
            vectors[ia], vectors[ib], skip_a, skip_b,
            settings.min_sentence_cosine, max_cells=settings.max_sentence_pairs,
        )
        live_a, live_b = int((~skip_a).sum()), int((~skip_b).sum())
        if notes is not None and diagonal_band(live_a, live_b, settings.max_sentence_pairs) is not None:
            notes.append(f"{a.doc.id} / {b.doc.id}: {live_a:,} x {live_b:,} sentences exceed max_sentence_pairs "
                         f"({settings.max_sentence_pairs:,}); only sentences near the same relative position were compared")
        cand_rows.extend((p, i, j, c) for i, j, c in cands)
        staged.append((spans, mask_a, mask_b))

    probs = _judge(docs, pairs, cand_rows, settings, transformer)

    per_pair: list[list[tuple[int, int, float]]] = [[] for _ in range(len(pairs))]
    for (p, i, j, _), prob in zip(cand_rows, probs.tolist()):
        per_pair[p].append((i, j, prob))

    out = []
    for p, (ia, ib) in enumerate(pairs.tolist()):
        a, b = docs[ia], docs[ib]
        spans, mask_a, mask_b = staged[p]
        matches = choose_sentence_matches(per_pair[p], settings.match_probability, settings.out_of_order_probability)
        evidence = measure_pair(
            a, b, spans, mask_a, mask_b, {m[0] for m in matches}, {m[1] for m in matches},
            float(doc_vectors[ia] @ doc_vectors[ib]),
        )
        out.append(AlignedPair(ia, ib, spans, matches, evidence, _passages(a, b, spans, matches)))
    return out


def _judge(docs, pairs, cand_rows, settings: Settings, transformer: Encoder | None) -> np.ndarray:
    """P(paraphrase) of every candidate sentence pair; the transformer sees only doubtful ones."""
    if not cand_rows:
        return np.zeros(0)
    texts_a, texts_b = [], []
    for p, i, j, _ in cand_rows:
        ia, ib = pairs[p]
        texts_a.append(docs[ia].sentence_text(i))
        texts_b.append(docs[ib].sentence_text(j))
    cos_static = np.array([c for *_, c in cand_rows])
    feats = pair_features(texts_a, texts_b, cos_static, None)
    probs = paraphrase_probability(feats, "static")
    if transformer is None:
        return probs
    doubt = np.flatnonzero(
        (probs >= settings.doubt_low) & (probs < settings.doubt_high) & _worth_asking(docs, pairs, cand_rows, probs, settings)
    )
    if len(doubt):
        # encode each distinct sentence once
        keys = {}
        for r in doubt.tolist():
            p, i, j, _ = cand_rows[r]
            ia, ib = pairs[p]
            keys.setdefault((int(ia), i), texts_a[r])
            keys.setdefault((int(ib), j), texts_b[r])
        order = list(keys)
        vecs = transformer([keys[k] for k in order])
        where = {k: n for n, k in enumerate(order)}
        cos_sem = np.empty(len(doubt))
        for n, r in enumerate(doubt.tolist()):
            p, i, j, _ = cand_rows[r]
            ia, ib = pairs[p]
            cos_sem[n] = float(vecs[where[(int(ia), i)]] @ vecs[where[(int(ib), j)]])
        sub = pair_features([texts_a[r] for r in doubt], [texts_b[r] for r in doubt], cos_static[doubt], cos_sem)
        full = paraphrase_probability(sub, "full")
        # rescale so both models' decision thresholds coincide
        probs = probs.copy()
        probs[doubt] = full + (decision_threshold("static") - decision_threshold("full"))
    return probs


def _worth_asking(docs, pairs, cand_rows, probs: np.ndarray, settings: Settings) -> np.ndarray:
    """Per candidate row: does its pair stand to change with the transformer's opinion?

    Only if the sentences it could match, doubtful ones included, are a fair share of either
    text; a pair of same-topic texts with one or two look-alike sentences stays unrelated
    whatever the transformer says, and most candidate pairs in a large corpus are such pairs.
    """
    rows = np.array([(p, i, j) for p, i, j, _ in cand_rows], dtype=np.int64).reshape(-1, 3)
    live = probs >= settings.doubt_low
    share = np.zeros(len(pairs))
    for side, col in ((0, 1), (1, 2)):
        p_i = np.unique(rows[live][:, [0, col]], axis=0)
        distinct = np.bincount(p_i[:, 0], minlength=len(pairs)).astype(np.float64)
        sizes = np.array([max(1, len(docs[pairs[p][side]].sentences)) for p in range(len(pairs))], dtype=np.float64)
        share = np.maximum(share, distinct / sizes)
    return share[rows[:, 0]] >= settings.min_semantic_potential


def _passages(a: NormalisedDocument, b: NormalisedDocument, spans, matches) -> tuple[Passage, ...]:
    out = []
    for s in spans:
        out.append(
            Passage(
                a.doc.id, b.doc.id,
                int(a.word_starts[s.a_start]), int(a.word_ends[s.a_end - 1]),
                int(b.word_starts[s.b_start]), int(b.word_ends[s.b_end - 1]),
                "verbatim", round(s.score, 4),
            )
        )
    for i, j, prob in matches:
        (as_, ae), (bs, be) = a.sentences[i], b.sentences[j]
        out.append(Passage(a.doc.id, b.doc.id, as_, ae, bs, be, "paraphrase", round(float(min(1.0, prob)), 4)))
    out.sort(key=lambda p: (p.a_start, p.b_start))
    return tuple(out)
