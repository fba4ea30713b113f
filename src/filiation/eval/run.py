"""``filiation eval``: the pipeline on every labelled set, figures printed next to each bar.

Each set is analysed as one corpus, the way a user would run it, with the one shipped
configuration.  Figures are compared with ``floors.json``; a drop below a floor fails.
"""
from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Callable

import numpy as np
from rich.console import Console
from rich.table import Table

from ..model import REUSE_RELATIONS, Analysis, Document, Pair
from ..settings import Settings
from ..text.sentences import split_sentences
from .datasets import load_jsonl, load_msrp, load_short_answers
from .metrics import accuracy, f1, macro_f1, precision_recall

FLOORS = Path(__file__).with_name("floors.json")


def _analyze(docs: list[Document], mode: str) -> tuple[Analysis, float]:
    from ..engine.local import analyze

    started = time.perf_counter()
    result = analyze(docs, Settings(mode=mode))  # type: ignore[arg-type]
    return result, time.perf_counter() - started


def _index(pairs: list[Pair]) -> dict[tuple[str, str], Pair]:
    return {(p.a, p.b): p for p in pairs}


def _get(index, x: str, y: str) -> Pair | None:
    return index.get((x, y)) or index.get((y, x))


def _source(p: Pair) -> str | None:
    return p.a if p.direction == "a->b" else p.b if p.direction == "b->a" else None


def _confusion_table(title: str, rows: list[tuple[str, str]], console: Console) -> None:
    truth_labels = sorted({t for t, _ in rows})
    pred_labels = sorted({p for _, p in rows})
    counts = Counter(rows)
    table = Table(title=title)
    table.add_column("truth \\ predicted")
    for p in pred_labels:
        table.add_column(p, justify="right")
    for t in truth_labels:
        table.add_row(t, *[str(counts.get((t, p), 0)) for p in pred_labels])
    console.print(table)


# --- the seeds ---------------------------------------------------------------------------

SEED_EXPECTATIONS = {
    # (a-prefix, b-prefix): (accepted relations, accepted directions)
    ("000", "001"): ({"edited_copy"}, {"common_source"}),
    ("000", "002"): ({"paraphrase"}, {"a->b", "unknown"}),
    ("001", "002"): ({"paraphrase"}, {"a->b", "unknown"}),
    ("000", "003"): ({"summary"}, {"a->b", "unknown"}),
    ("001", "003"): ({"summary"}, {"a->b", "unknown"}),
    ("002", "003"): (set(REUSE_RELATIONS) | {None}, {"common_source", "unknown", None}),
    ("000", "004"): ({"same_event"}, {"unknown"}),
    ("001", "004"): ({"same_event"}, {"unknown"}),
    ("002", "004"): ({"same_event"}, {"unknown"}),
    ("003", "004"): ({"same_event"}, {"unknown"}),
}


def eval_seeds(seeds: Path, data: Path, mode: str, console: Console) -> dict[str, float]:
    from ..read import read_paths

    docs = read_paths([seeds]).documents
    analysis, seconds = _analyze(docs, mode)
    by_prefix = {d.id[:3]: d.id for d in docs}
    index = _index(analysis.pairs)
    table = Table(title=f"seeds ({len(docs)} documents, {seconds:.1f} s)")
    for col in ("pair", "relation", "direction", "confidence", "expected", "ok"):
        table.add_column(col)
    right = 0
    for (x, y), (relations, directions) in SEED_EXPECTATIONS.items():
        p = _get(index, by_prefix[x], by_prefix[y])
        rel, direction = (p.relation, p.direction) if p else (None, None)
        if p and p.a != by_prefix[x] and direction in ("a->b", "b->a"):
            direction = "b->a" if direction == "a->b" else "a->b"
        ok = rel in relations and direction in directions
        right += ok
        table.add_row(f"{x}~{y}", str(rel), str(direction), f"{p.confidence:.2f}" if p else "-",
                      "/".join(sorted(map(str, relations)))[:30] + " " + "/".join(sorted(map(str, directions))),
                      "✓" if ok else "✗")
    console.print(table)
    stemma_ok, why = _seed_stemma_right(analysis, by_prefix)
    console.print(f"  stemma: {'right' if stemma_ok else 'wrong: ' + why} (one story of five; 000, 001 from one lost "
                  f"source; 002, 003 from it or from 000/001, never from each other; 004 without a derivation edge)")
    return {"seeds.pairs_right": right / len(SEED_EXPECTATIONS), "seeds.stemma_right": float(stemma_ok)}


def _seed_stemma_right(analysis: Analysis, by_prefix: dict[str, str]) -> tuple[bool, str]:
    if len(analysis.stories) != 1 or len(analysis.stories[0].documents) != 5:
        return False, f"{len(analysis.stories)} stories of sizes {[len(s.documents) for s in analysis.stories]}"
    story = analysis.stories[0]
    lost = {n.id for n in story.nodes if n.kind == "lost_source"}
    parent = {e.target: e.source for e in story.edges}
    d = {k: by_prefix[k] for k in ("000", "001", "002", "003", "004")}
    if not (parent.get(d["000"]) in lost and parent.get(d["000"]) == parent.get(d["001"])):
        return False, "000 and 001 are not children of one lost source"
    allowed = {parent[d["000"]], d["000"], d["001"]}
    if parent.get(d["002"]) not in allowed or parent.get(d["003"]) not in allowed:
        return False, "002 or 003 has a parent other than the lost source, 000 or 001"
    if any(d["004"] in (e.source, e.target) for e in story.edges):
        return False, "004 has a derivation edge"
    return True, ""


# --- short answers -------------------------------------------------------------------------

def eval_short_answers(seeds: Path, data: Path, mode: str, console: Console) -> dict[str, float]:
    docs, labels = load_short_answers(data)
    analysis, seconds = _analyze(docs, mode)
    index = _index(analysis.pairs)
    truth, pred, rows = [], [], []
    contain: dict[str, list[float]] = {}
    for d in docs:
        task, cat = labels[d.id]
        if cat == "orig":
            continue
        p = _get(index, d.id, f"orig_task{task}")
        rel = p.relation if p else "none"
        truth.append(cat != "non")
        pred.append(rel in REUSE_RELATIONS)
        rows.append((cat, rel))
        if p:
            c = p.evidence.containment_a if p.a == d.id else p.evidence.containment_b
        else:
            c = 0.0
        contain.setdefault(cat, []).append(c)
    _confusion_table(f"short-answers-dev: level x relation ({len(docs)} documents, {seconds:.1f} s)", rows, console)
    means = {c: float(np.mean(v)) for c, v in contain.items()}
    ordered = means.get("cut", 0) >= means.get("light", 0) >= means.get("heavy", 0) >= means.get("non", 0)
    acc = accuracy(truth, pred)
    console.print(f"  reused vs not: accuracy {acc:.3f} (bar 0.98), macro-F1 {macro_f1(truth, pred):.3f}; "
                  f"mean 5-gram containment " + ", ".join(f"{c} {means[c]:.2f}" for c in ("cut", "light", "heavy", "non") if c in means)
                  + f" — levels ordered: {'yes' if ordered else 'no'}")
    return {"short_answers.accuracy": acc, "short_answers.levels_ordered": float(ordered)}


# --- MSRP (the sentence matcher) -------------------------------------------------------------

def eval_msrp(seeds: Path, data: Path, mode: str, console: Console) -> dict[str, float]:
    from ..align.sentence_match import decision_threshold, pair_features, paraphrase_probability
    from ..embed import static_encoder, transformer_available, transformer_encoder

    test = load_msrp(data, "test")
    a = [r[0] for r in test]
    b = [r[1] for r in test]
    y = np.array([r[2] for r in test], dtype=bool)
    st = static_encoder()
    cos_s = np.sum(st.encode(a) * st.encode(b), axis=1)
    model = "full" if mode == "full" and transformer_available() else "static"
    cos_t = None
    if model == "full":
        tr = transformer_encoder()
        cos_t = np.sum(tr.encode(a) * tr.encode(b), axis=1)
    prob = paraphrase_probability(pair_features(a, b, cos_s, cos_t), model)
    yhat = prob >= decision_threshold(model)
    tp = int(np.sum(yhat & y)); fp = int(np.sum(yhat & ~y)); fn = int(np.sum(~yhat & y))
    acc = float(np.mean(yhat == y))
    score = f1(tp, fp, fn)
    console.print(f"msrp test ({len(test)} pairs, {model} matcher, threshold fitted on train): "
                  f"accuracy {acc:.3f} (bar 0.75), F1 {score:.3f} (bar 0.82)  [tp {tp} fp {fp} fn {fn}]")
    return {"msrp.accuracy": acc, "msrp.f1": score}


# --- AI rewrites ---------------------------------------------------------------------------------

def eval_ai_rewrites(seeds: Path, data: Path, mode: str, console: Console) -> dict[str, float]:
    folder = data / "ai-rewrites-dev"
    docs = [Document(r["id"], r["text"]) for r in load_jsonl(folder / "documents.jsonl")]
    truth = load_jsonl(folder / "pairs.jsonl")
    family = {}
    for t in truth:
        family[t["source"]] = t["source"]
        family[t["rewrite"]] = t["source"]
    analysis, seconds = _analyze(docs, mode)
    index = _index(analysis.pairs)
    found = backwards = 0
    rows = []
    for t in truth:
        p = _get(index, t["source"], t["rewrite"])
        rel = p.relation if p else "none"
        rows.append((t["model"], rel))
        if p and p.relation in REUSE_RELATIONS:
            found += 1
            if _source(p) == t["rewrite"]:
                backwards += 1
    reuse = [p for p in analysis.pairs if p.relation in REUSE_RELATIONS]
    right = sum(1 for p in reuse if p.a in family and family.get(p.a) == family.get(p.b))
    recall = found / max(1, len(truth))
    precision = right / max(1, len(reuse))
    back = backwards / max(1, found)
    _confusion_table(f"ai-rewrites-dev: model x relation ({len(docs)} documents, {seconds:.1f} s)", rows, console)
    console.print(f"  recall {recall:.3f} (bar 0.95), precision {precision:.3f} (bar 0.98), "
                  f"backwards {back:.3f} (bar <= 0.10)")
    return {"ai_rewrites.recall": recall, "ai_rewrites.precision": precision, "ai_rewrites.forwards": 1 - back}


# --- same event ----------------------------------------------------------------------------------

def eval_same_event(seeds: Path, data: Path, mode: str, console: Console) -> dict[str, float]:
    records = load_jsonl(data / "same-event-dev" / "documents.jsonl")
    docs = [Document(r["id"], r["text"]) for r in records]
    event = {r["id"]: r["event"] for r in records}
    analysis, seconds = _analyze(docs, mode)
    related = {(p.a, p.b) for p in analysis.pairs}
    tp = sum(1 for a, b in related if event[a] == event[b])
    fp = len(related) - tp
    by_event = Counter(event.values())
    positives = sum(n * (n - 1) // 2 for n in by_event.values())
    fn = positives - tp
    cross_reuse = sum(1 for p in analysis.pairs if p.relation in REUSE_RELATIONS and event[p.a] != event[p.b])
    topics: dict[str, Counter] = {}
    for r in records:
        topics.setdefault(str(r["topic"]), Counter())[r["event"]] += 1
    cross_pairs = sum(c[e1] * c[e2] for c in topics.values() for e1 in c for e2 in c if e1 < e2)
    precision, recall = precision_recall(tp, fp, fn)
    score = f1(tp, fp, fn)
    rows = [("same event" if event[p.a] == event[p.b] else "other event", p.relation) for p in analysis.pairs]
    _confusion_table(f"same-event-dev: truth x relation ({len(docs)} documents, {seconds:.1f} s)", rows, console)
    share = cross_reuse / max(1, cross_pairs)
    console.print(f"  related-vs-same-event F1 {score:.3f} (bar 0.90; precision {precision:.3f}, recall {recall:.3f}); "
                  f"reuse across events {share:.4f} of same-topic cross-event pairs (bar <= 0.001)")
    return {"same_event.f1": score, "same_event.no_cross_reuse": 1 - share}


# --- stemmata of synthetic families ----------------------------------------------------------

def eval_stemma(seeds: Path, data: Path, mode: str, console: Console) -> dict[str, float]:
    from .synthetic import depth, expected_parent, make_families

    records = load_jsonl(data / "ai-rewrites-dev" / "documents.jsonl")
    text = {r["id"]: r["text"] for r in records}
    rewrites = {t["source"]: t["rewrite"] for t in load_jsonl(data / "ai-rewrites-dev" / "pairs.jsonl") if t["model"] == "GPT-4o"}
    articles = sorted(i for i in text if i.startswith("bbc-") and len(split_sentences(text[i])) >= 12)
    roots, spare = articles[::2][:30], articles[1::2]
    fillers = [text[i][s:e] for i in spare for s, e in split_sentences(text[i])[1:3]]
    families = make_families([(r, text[r], text.get(rewrites.get(r, ""))) for r in roots], fillers)
    docs = [d for f in families for d in f.documents]
    analysis, seconds = _analyze(docs, mode)
    parent: dict[str, str] = {}
    lost: set[str] = set()
    for story in analysis.stories:
        lost |= {n.id for n in story.nodes if n.kind == "lost_source"}
        parent.update({e.target: e.source for e in story.edges})
    right: Counter = Counter()
    total: Counter = Counter()
    lost_found = lost_total = 0
    for f in families:
        visible = [d.id for d in f.documents]
        for doc in visible:
            want = expected_parent(f, doc)
            if want is None:
                ok = doc not in parent
            elif want == "lost":
                siblings = [x for x in visible if expected_parent(f, x) == "lost"]
                ok = parent.get(doc) in lost and len({parent.get(x) for x in siblings}) == 1
            else:
                ok = parent.get(doc) == want
            level = depth(f, doc)
            total[level] += 1
            right[level] += ok
        for h in f.hidden:
            kids = [x for x in visible if f.parent[x] == h]
            if len(kids) >= 2:
                lost_total += 1
                lost_found += len({parent.get(x) for x in kids}) == 1 and parent.get(kids[0]) in lost
    table = Table(title=f"stemma on synthetic families ({len(families)} families, {len(docs)} documents, {seconds:.1f} s)")
    for col in ("generation", "documents", "parent right"):
        table.add_column(col)
    for level in sorted(total):
        table.add_row(str(level), str(total[level]), f"{right[level] / total[level]:.3f}")
    console.print(table)
    overall = sum(right.values()) / max(1, sum(total.values()))
    depth3 = right[3] / max(1, total[3])
    recall = lost_found / max(1, lost_total)
    console.print(f"  parent accuracy {overall:.3f}, at depth 3 {depth3:.3f} (bar 0.90); "
                  f"lost sources found {lost_found}/{lost_total} = {recall:.3f}")
    return {"stemma.parent_accuracy": overall, "stemma.parent_accuracy_depth3": depth3, "stemma.lost_source_recall": recall}


# --- FRANK summaries ------------------------------------------------------------------------------

def eval_frank(seeds: Path, data: Path, mode: str, console: Console) -> dict[str, float]:
    rows = load_jsonl(data / "frank-dev" / "pairs.jsonl")
    docs: dict[str, Document] = {}
    truth = []
    for n, r in enumerate(rows):
        art = f"article-{r['article_id']}"
        docs.setdefault(art, Document(art, r["article"]))
        sid = f"summary-{n:04d}-{r['system']}"
        docs[sid] = Document(sid, r["summary"])
        truth.append((art, sid, r["dataset"]))
    analysis, seconds = _analyze(list(docs.values()), mode)
    index = _index(analysis.pairs)
    linked = Counter()
    totals = Counter()
    table_rows = []
    for art, sid, ds in truth:
        p = _get(index, art, sid)
        rel = p.relation if p else "none"
        table_rows.append((ds, rel))
        totals[ds] += 1
        if p and p.relation in REUSE_RELATIONS:
            linked[ds] += 1
    article_of = {sid: art for art, sid, _ in truth} | {art: art for art, _, _ in truth}
    reuse = [p for p in analysis.pairs if p.relation in REUSE_RELATIONS]
    right = sum(1 for p in reuse if article_of.get(p.a) == article_of.get(p.b))
    share = sum(linked.values()) / max(1, len(truth))
    precision = right / max(1, len(reuse))
    _confusion_table(f"frank-dev: dataset x relation ({len(docs)} documents, {seconds:.1f} s)", table_rows, console)
    console.print(f"  summaries linked {share:.3f} (bar 0.85; cnndm {linked['cnndm'] / max(1, totals['cnndm']):.3f}, "
                  f"bbc {linked['bbc'] / max(1, totals['bbc']):.3f}), precision {precision:.3f} (bar 0.98)")
    return {"frank.linked": share, "frank.precision": precision}


# --- the audit: planted edits in real articles, and the seeds' hand-checked findings ------------

def _spans_meet(a: tuple[int, int] | None, b: tuple[int, int] | None) -> bool:
    return a is not None and b is not None and a[0] < b[1] and b[0] < a[1]


def _finding_hits(finding, truth_kind: str, truth_derived, truth_sources: dict) -> bool:
    """A finding names a planted edit when the kind agrees and it points at the same place
    (for an omission, in the same source: ``truth_sources`` maps each source that holds the
    dropped text to its span there)."""
    if finding.kind != truth_kind:
        return False
    if truth_kind == "missing_credit":
        return True
    if truth_kind == "omission":
        return _spans_meet(finding.source_span, truth_sources.get(finding.source))
    return _spans_meet(finding.derived_span, truth_derived)


def _score_findings(cases, console: Console, title: str) -> dict[str, tuple[int, int, int, int]]:
    """``kind -> (right findings, findings, planted, planted found)`` over ``(findings, truths)`` cases, where a
    truth is ``(kind, derived_span, source_span)``; printed as a table."""
    from ..model import FINDING_KINDS

    tp: Counter = Counter()
    made: Counter = Counter()
    planted: Counter = Counter()
    hit_truth: Counter = Counter()
    for findings, truths in cases:
        for f in findings:
            made[f.kind] += 1
            if any(_finding_hits(f, *t) for t in truths):
                tp[f.kind] += 1
        for t in truths:
            if t[0] in FINDING_KINDS:
                planted[t[0]] += 1
                if any(_finding_hits(f, *t) for f in findings):
                    hit_truth[t[0]] += 1
    table = Table(title=title)
    for col in ("kind", "planted", "found", "findings", "precision", "recall"):
        table.add_column(col, justify="right" if col != "kind" else "left")
    out = {}
    for k in FINDING_KINDS:
        p = tp[k] / made[k] if made[k] else float("nan")
        r = hit_truth[k] / planted[k] if planted[k] else float("nan")
        table.add_row(k, str(planted[k]), str(hit_truth[k]), str(made[k]), f"{p:.3f}", f"{r:.3f}")
        out[k] = (tp[k], made[k], planted[k], hit_truth[k])
    console.print(table)
    return out


def eval_audit(seeds: Path, data: Path, mode: str, console: Console) -> dict[str, float]:
    from ..engine.local import audit_against
    from ..read import read_paths
    from .edits import load_bbc_articles, make_edited_cases

    started = time.perf_counter()
    cases = []
    for case in make_edited_cases(load_bbc_articles(data), seed=0, per_article=2):
        findings = audit_against(case.derived, [case.source], mode=mode)
        truths = [(e.kind, e.derived_span, {case.source.id: e.source_span}) for e in case.edits]
        cases.append((findings, truths))
    seconds = time.perf_counter() - started
    scores = _score_findings(cases, console, f"audit of planted edits in real articles ({len(cases)} cases, {seconds:.1f} s)")
    figures: dict[str, float] = {}
    for k, (tp, made, planted, found) in scores.items():
        if made:
            figures[f"audit.{k}.precision"] = tp / made
        if planted:
            figures[f"audit.{k}.recall"] = found / planted

    analysis, _ = _analyze(read_paths([seeds]).documents, mode)
    findings = analysis.findings  # the audit runs inside analyze
    truth = json.loads(Path(__file__).with_name("seed_findings.json").read_text(encoding="utf-8"))
    text = {d.id: d.text for d in analysis.documents}
    by_doc: dict[str, list] = {}
    for t in truth:
        d = text[t["derived"]]
        dspan = (d.index(t["derived_quote"]), d.index(t["derived_quote"]) + len(t["derived_quote"])) if t["derived_quote"] else None
        sspans = {}
        for where in [t, *t.get("also", [])]:  # the same source text held by another extant source
            s, quote = text[where["source"]], where["source_quote"]
            sspans[where["source"]] = (s.index(quote), s.index(quote) + len(quote)) if quote else None
        by_doc.setdefault(t["derived"], []).append((t["kind"], dspan, sspans))
    derived_ids = sorted({d.id for d in analysis.documents})
    seed_cases = [([f for f in findings if f.derived == doc], by_doc.get(doc, [])) for doc in derived_ids]
    seed_scores = _score_findings(seed_cases, console, "audit of the seeds against hand-checked findings")
    tp = sum(v[0] for v in seed_scores.values())
    made = sum(v[1] for v in seed_scores.values())
    planted = sum(v[2] for v in seed_scores.values())
    found = sum(v[3] for v in seed_scores.values())
    independent = sum(1 for f in findings if f.derived.startswith("004"))
    console.print(f"  seeds: precision {tp / max(1, made):.3f}, recall {found / max(1, planted):.3f} "
                  f"({found} of {planted} hand-checked findings); findings on the independent article 004: {independent}")
    figures["audit.seeds.precision"] = tp / max(1, made)
    figures["audit.seeds.recall"] = found / max(1, planted)
    figures["audit.seeds.independent_clean"] = float(independent == 0)
    return figures


# --- consistency: does the audit flag the summaries people judged wrong, and only those? ---------

def _flagged(rows: list[tuple[str, str]], mode: str) -> tuple[list[list], float]:
    """The audit's findings for each ``(document, summary)``, the summary read as derived from
    the document (``audit_against``: the pair is aligned whatever the candidate stages say)."""
    from ..engine.local import audit_against

    started = time.perf_counter()
    findings = [audit_against(Document("summary", summary), [Document("document", document)], mode=mode)
                for document, summary in rows]
    return findings, time.perf_counter() - started


def _balanced(flags: list[bool], wrong: list[bool]) -> tuple[float, float, float]:
    """``(balanced accuracy, share of wrong ones flagged, share of right ones left alone)``."""
    caught = sum(f for f, w in zip(flags, wrong) if w) / max(1, sum(wrong))
    clean = sum(not f for f, w in zip(flags, wrong) if not w) / max(1, len(wrong) - sum(wrong))
    return (caught + clean) / 2, caught, clean


def eval_summedits(seeds: Path, data: Path, mode: str, console: Console) -> dict[str, float]:
    rows = load_jsonl(data / "summedits-dev" / "pairs.jsonl")
    findings, seconds = _flagged([(r["document"], r["summary"]) for r in rows], mode)
    flags = [bool(f) for f in findings]
    wrong = [not r["consistent"] for r in rows]
    table = Table(title=f"summedits-dev: a finding of any kind = inconsistent ({len(rows)} summaries, {seconds:.1f} s)")
    for col in ("domain", "summaries", "inconsistent flagged", "consistent left alone", "balanced accuracy"):
        table.add_column(col, justify="left" if col == "domain" else "right")
    content = [any(f.kind != "missing_credit" for f in fs) for fs in findings]
    figures = {}
    for domain in sorted({r["domain"] for r in rows}) + ["all"]:
        at = [k for k, r in enumerate(rows) if domain in ("all", r["domain"])]
        bal, caught, clean = _balanced([flags[k] for k in at], [wrong[k] for k in at])
        table.add_row(domain, str(len(at)), f"{caught:.3f}", f"{clean:.3f}", f"{bal:.3f}")
        if domain in ("news", "all"):
            figures[f"summedits.{domain}.balanced_accuracy"] = bal
            figures[f"summedits.{domain}.balanced_accuracy_content"] = _balanced(
                [content[k] for k in at], [wrong[k] for k in at])[0]
    console.print(table)
    kinds = Counter(f.kind for fs, w in zip(findings, wrong) if not w for f in fs)
    console.print("  findings on consistent summaries (false alarms) by kind: "
                  + (", ".join(f"{k} {n}" for k, n in kinds.most_common()) or "none"))
    by_type = Counter()
    caught_type = Counter()
    for r, f in zip(rows, flags):
        for t in r["edit_types"] if not r["consistent"] else []:
            by_type[t] += 1
            caught_type[t] += f
    console.print("  inconsistent summaries caught, per edit type: "
                  + ", ".join(f"{t} {caught_type[t] / by_type[t]:.3f} ({by_type[t]})" for t in sorted(by_type)))
    console.print(f"  balanced accuracy: news {figures['summedits.news.balanced_accuracy']:.3f}, "
                  f"all {figures['summedits.all.balanced_accuracy']:.3f} (bar 0.75 each); counting only findings "
                  f"about the content (missing_credit left out): news {figures['summedits.news.balanced_accuracy_content']:.3f}, "
                  f"all {figures['summedits.all.balanced_accuracy_content']:.3f}")
    return figures


FRANK_ERRORS = ("RelE", "EntE", "CircE", "OutE", "GramE", "CorefE", "LinkE")


def eval_frank_audit(seeds: Path, data: Path, mode: str, console: Console) -> dict[str, float]:
    rows = load_jsonl(data / "frank-dev" / "pairs.jsonl")
    findings, seconds = _flagged([(r["article"], r["summary"]) for r in rows], mode)
    flags = [bool(f) for f in findings]
    factual = [r["factuality"] >= 1.0 for r in rows]
    clean = sum(not f for f, ok in zip(flags, factual) if ok) / max(1, sum(factual))
    parts = []
    for e in FRANK_ERRORS:
        having = [f for r, f in zip(rows, flags) if r["errors"].get(e, 1.0) < 1.0]
        if having:
            parts.append(f"{e} {sum(having) / len(having):.3f} ({len(having)})")
    console.print(f"frank-dev audit ({len(rows)} summaries against their articles, {seconds:.1f} s): fully factual "
                  f"summaries with no finding {clean:.3f} (bar 0.90; {sum(factual)} of them); "
                  f"summaries with an error flagged, per error type: {', '.join(parts)}")
    return {"frank.factual_clean": clean}


SETS: dict[str, Callable[..., dict[str, float]]] = {
    "seeds": eval_seeds,
    "msrp": eval_msrp,
    "short-answers": eval_short_answers,
    "ai-rewrites": eval_ai_rewrites,
    "same-event": eval_same_event,
    "frank": eval_frank,
    "stemma": eval_stemma,
    "audit": eval_audit,
    "summedits": eval_summedits,
    "frank-audit": eval_frank_audit,
}


def run_evaluation(data: Path, seeds: Path, only, mode: str, check_floors: bool, console: Console) -> int:
    names = list(only) if only else list(SETS)
    unknown = [n for n in names if n not in SETS]
    if unknown:
        console.print(f"unknown set(s): {', '.join(unknown)}; choose from {', '.join(SETS)}")
        return 2
    if not data.is_dir():
        console.print(f"no labelled data at {data}: pass --data FOLDER")
        return 2
    figures: dict[str, float] = {}
    for name in names:
        figures.update(SETS[name](seeds, data, mode, console))
    table = Table(title=f"figures ({mode} mode)")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("floor", justify="right")
    floors = json.loads(FLOORS.read_text())
    tolerance = floors["tolerance"]
    broken = []
    for key, value in figures.items():
        floor = floors["floors"].get(f"{mode}:{key}")
        mark = ""
        if floor is not None and value < floor - tolerance:
            broken.append(key)
            mark = " ✗"
        table.add_row(key, f"{value:.3f}", "" if floor is None else f"{floor:.3f}{mark}")
    console.print(table)
    if check_floors and broken:
        console.print(f"[red]below floor:[/red] {', '.join(broken)}")
        return 1
    return 0
