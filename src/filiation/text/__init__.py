"""Normalise: words with offsets into the original text, sentences, shingles."""
from .sentences import split_sentences
from .shingles import shingle_hashes, word_hashes
from .tokens import Tokens, tokenize, word_keys

__all__ = ["Tokens", "tokenize", "word_keys", "split_sentences", "shingle_hashes", "word_hashes"]
