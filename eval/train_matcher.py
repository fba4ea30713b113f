"""Fit the sentence matcher's two weight sets on the MSRP *training* split.

Writes ``src/filiation/align/matcher_weights.json``.  The threshold of each model is the one
that maximises accuracy on the training split; the test split is only scored, never fitted
(``filiation eval`` prints the test figures).  Development tool: reads ../shared/data.

    python eval/train_matcher.py [--data ../shared/data]
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from filiation.align.sentence_match import FEATURES, pair_features
from filiation.embed import static_encoder, transformer_encoder
from filiation.eval.datasets import load_msrp


def features_for(pairs, semantic: bool) -> np.ndarray:
    a = [p[0] for p in pairs]
    b = [p[1] for p in pairs]
    st = static_encoder()
    cs = np.sum(st.encode(a) * st.encode(b), axis=1)
    ct = None
    if semantic:
        tr = transformer_encoder()
        ct = np.sum(tr.encode(a) * tr.encode(b), axis=1)
    return pair_features(a, b, cs, ct)


def best_threshold(prob: np.ndarray, y: np.ndarray) -> float:
    grid = np.linspace(0.2, 0.8, 61)
    acc = [np.mean((prob >= t) == y) for t in grid]
    return float(grid[int(np.argmax(acc))])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data")
    args = ap.parse_args()
    train = load_msrp(Path(args.data), "train")
    y = np.array([p[2] for p in train])
    models = {}
    for name, semantic in (("static", False), ("full", True)):
        x = features_for(train, semantic)
        clf = LogisticRegression(C=1.0, max_iter=2000).fit(x, y)
        prob = clf.predict_proba(x)[:, 1]
        t = best_threshold(prob, y)
        models[name] = {"coef": clf.coef_[0].round(6).tolist(), "intercept": round(float(clf.intercept_[0]), 6), "threshold": t}
        print(name, "train accuracy", round(float(np.mean((prob >= t) == y)), 4), "threshold", t)
    out = Path(__file__).resolve().parents[1] / "src/filiation/align/matcher_weights.json"
    payload = {"features": list(FEATURES), "fitted_on": "MSRP train split (4,045 pairs)", "models": models}
    out.write_text(json.dumps(payload, indent=2) + "\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
