"""Engines move data between the stages; every stage's work is a pure function elsewhere."""
