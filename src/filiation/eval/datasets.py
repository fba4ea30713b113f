"""Loaders for the labelled sets in ``../shared/data`` (development data, never shipped)."""
from __future__ import annotations

import csv
import json
from pathlib import Path

from ..model import Document

csv.field_size_limit(1 << 30)


def load_msrp(data: Path, split: str) -> list[tuple[str, str, int]]:
    """``(sentence_1, sentence_2, label)`` rows of MSRP's ``train`` or ``test`` file."""
    path = data / "msrp" / f"msr_paraphrase_{split}.txt"
    rows = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quotechar='"')
        next(reader)
        for row in reader:
            if len(row) < 5:
                continue
            rows.append((row[3], row[4], int(row[0])))
    return rows


def load_short_answers(data: Path) -> tuple[list[Document], dict[str, tuple[str, str]]]:
    """Documents of the short-answer set and ``id -> (task, category)``."""
    from ..read import read_paths

    folder = data / "short-answers-dev"
    labels: dict[str, tuple[str, str]] = {}
    with open(folder / "labels.csv", encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            labels[Path(row["File"]).stem] = (row["Task"], row["Category"])
    result = read_paths([folder / "texts"])
    docs = [d for d in result.documents if d.id in labels]
    return docs, labels


def load_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
