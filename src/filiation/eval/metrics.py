"""Plain metrics: confusion, accuracy, macro-F1, precision/recall."""
from __future__ import annotations

from collections import Counter
from typing import Hashable, Sequence


def confusion(truth: Sequence[Hashable], predicted: Sequence[Hashable]) -> Counter:
    return Counter(zip(truth, predicted))


def accuracy(truth: Sequence, predicted: Sequence) -> float:
    return sum(t == p for t, p in zip(truth, predicted)) / max(1, len(truth))


def f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / max(1, 2 * tp + fp + fn)


def macro_f1(truth: Sequence, predicted: Sequence) -> float:
    labels = sorted(set(truth) | set(predicted), key=str)
    scores = []
    for label in labels:
        tp = sum(t == label and p == label for t, p in zip(truth, predicted))
        fp = sum(t != label and p == label for t, p in zip(truth, predicted))
        fn = sum(t == label and p != label for t, p in zip(truth, predicted))
        scores.append(f1(tp, fp, fn))
    return sum(scores) / max(1, len(scores))


def precision_recall(tp: int, fp: int, fn: int) -> tuple[float, float]:
    return tp / max(1, tp + fp), tp / max(1, tp + fn)
