"""Sentence encoders: a static model for everything, a transformer only where doubt remains."""
from .static import StaticEncoder, static_encoder
from .transformer import TransformerEncoder, transformer_available, transformer_encoder

__all__ = [
    "StaticEncoder",
    "static_encoder",
    "TransformerEncoder",
    "transformer_encoder",
    "transformer_available",
]
