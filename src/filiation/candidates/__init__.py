"""Find candidate pairs without comparing all pairs: a lexical sketch, semantic neighbours, merged."""
from .lsh import band_pairs
from .minhash import oph_signatures
from .screen import share_specifics
from .semantic import semantic_neighbours

__all__ = ["oph_signatures", "band_pairs", "semantic_neighbours", "share_specifics"]
