"""Relate a pair: the kind of reuse, a confidence, and a direction."""
