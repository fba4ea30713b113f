"""Align a candidate pair: verbatim passages and paraphrased sentences, offsets on both sides."""
from .sentence_match import FEATURES, pair_features, paraphrase_probability
from .sentences import choose_sentence_matches, sentence_candidates
from .verbatim import TokenAlignment, align_verbatim

__all__ = [
    "TokenAlignment",
    "align_verbatim",
    "sentence_candidates",
    "choose_sentence_matches",
    "pair_features",
    "paraphrase_probability",
    "FEATURES",
]
