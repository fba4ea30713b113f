"""The command line: each command a few lines over a library call."""
from __future__ import annotations

import logging
import sys
import time
import warnings
from collections import Counter
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Who copied whom, how, and what changed on the way.")
err = Console(stderr=True)
out = Console()


def _quiet_libraries() -> None:
    warnings.filterwarnings("ignore")
    for name in ("faiss", "faiss.loader", "sentence_transformers", "transformers", "torch", "trafilatura", "htmldate"):
        logging.getLogger(name).setLevel(logging.ERROR)


@app.command()
def analyze(
    paths: List[str] = typer.Argument(..., help="Files, folders (recursive) or '-' for JSONL on standard input."),
    out_dir: Path = typer.Option(Path("results"), "--out", "-o", help="Folder for documents/pairs/passages.jsonl."),
    mode: str = typer.Option("full", "--mode", help="'full' (semantic, default) or 'fast' (lexical and static model only)."),
) -> None:
    """Find, align and classify text reuse among documents."""
    _quiet_libraries()
    from .engine.local import analyze as run, manifest_for
    from .schema import write_analysis
    from .settings import Settings

    try:
        settings = Settings(mode=mode)  # type: ignore[arg-type]
    except ValueError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2)
    started = time.perf_counter()
    with Progress(TextColumn("{task.description:<11}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True, disable=not err.is_terminal) as bar:
        tasks: dict[str, int] = {}

        def tick(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=max(total, 1))
            bar.update(tasks[stage], completed=done, total=max(total, 1))

        analysis = run(paths, settings, progress=tick)
    for problem in analysis.problems:
        err.print(f"[yellow]warning:[/yellow] {problem}", highlight=False, soft_wrap=True)
    if not analysis.documents:
        err.print("[red]error:[/red] no document could be read")
        raise typer.Exit(1)
    seconds = time.perf_counter() - started
    write_analysis(analysis, out_dir, manifest_for(analysis, settings, seconds))
    _summary(analysis, out_dir, seconds)


def _summary(analysis, out_dir: Path, seconds: float) -> None:
    counts = Counter(p.relation for p in analysis.pairs)
    table = Table(title=f"{len(analysis.documents)} documents, {len(analysis.pairs)} related pairs ({seconds:.1f} s)")
    table.add_column("relation")
    table.add_column("pairs", justify="right")
    for relation in ("duplicate", "edited_copy", "paraphrase", "summary", "same_event"):
        table.add_row(relation, str(counts.get(relation, 0)))
    out.print(table)
    top = sorted(analysis.pairs, key=lambda p: -p.confidence)[:10]
    if top:
        detail = Table(title="strongest pairs")
        for col in ("a", "b", "relation", "direction", "confidence"):
            detail.add_column(col)
        for p in top:
            detail.add_row(p.a, p.b, p.relation, p.direction, f"{p.confidence:.2f}")
        out.print(detail)
    _findings_summary(analysis.findings)
    out.print(f"{len(analysis.stories)} stories; results in {out_dir}/ "
              "(documents.jsonl, pairs.jsonl, passages.jsonl, stemma.json, audit.jsonl, manifest.json)")


def _findings_summary(findings) -> None:
    """Per derived document: how many findings of each kind, the worst first."""
    from .model import FINDING_KINDS

    if not findings:
        return
    by_doc: dict[str, Counter] = {}
    for f in findings:
        by_doc.setdefault(f.derived, Counter())[f.kind] += 1
    table = Table(title="audit: what derived documents changed against their sources")
    table.add_column("derived")
    short = {k: k.replace("_", " ") for k in FINDING_KINDS}
    for k in FINDING_KINDS:
        table.add_column(short[k], justify="right")
    worst = sorted(by_doc.items(), key=lambda item: -sum(item[1].values()))
    for doc, counts in worst[:20]:
        table.add_row(doc, *(str(counts.get(k, "")) for k in FINDING_KINDS))
    out.print(table)


@app.command()
def audit(
    derived: Path = typer.Argument(..., help="The derived document (a text, HTML or Markdown file)."),
    source: List[Path] = typer.Argument(..., help="The document(s) it was made from."),
    mode: str = typer.Option("full", "--mode", help="'full' (MiniLM judges support) or 'fast' (static vectors)."),
    as_json: bool = typer.Option(False, "--json", help="Print the findings as JSON lines (as in audit.jsonl)."),
) -> None:
    """What DERIVED changed, invented or dropped against SOURCE."""
    _quiet_libraries()
    import json
    from dataclasses import replace

    from .engine.local import audit_against
    from .read import read_paths
    from .schema import finding_row

    docs = []
    for path in [derived, *source]:
        result = read_paths([path])
        for problem in result.problems:
            err.print(f"[yellow]warning:[/yellow] {problem}", highlight=False, soft_wrap=True)
        if len(result.documents) != 1:
            err.print(f"[red]error:[/red] {path}: expected one readable document, found {len(result.documents)}")
            raise typer.Exit(2)
        docs.append(result.documents[0])
    if len({d.id for d in docs}) != len(docs):
        docs = [replace(d, id=f"{d.id}#{n}") for n, d in enumerate(docs)]
    findings = audit_against(docs[0], docs[1:], mode=mode)
    if as_json:
        for f in findings:
            sys.stdout.write(json.dumps(finding_row(f), ensure_ascii=False) + "\n")
        return
    if not findings:
        out.print(f"{docs[0].id}: nothing changed, invented or dropped was found against {', '.join(d.id for d in docs[1:])}")
        return
    colour = {"high": "red", "medium": "yellow", "low": "cyan"}
    for f in findings:
        out.print(f"[{colour[f.severity]}]{f.severity:<6}[/] [bold]{f.kind}[/bold]  {f.explanation}", highlight=False)
        if f.derived_text:
            out.print(f"        copy:   {f.derived_text[:300]}", highlight=False)
        if f.source_text:
            out.print(f"        source: {f.source_text[:300]}", highlight=False)


@app.command()
def stemma(
    results: Path = typer.Argument(..., help="A results folder written by 'filiation analyze' (its stemma.json)."),
    fmt: str = typer.Option("dot", "--format", "-f", help="dot, graphml, mermaid or svg."),
    story: Optional[str] = typer.Option(None, "--story", help="Only this story id (default: every story)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write here instead of standard output."),
) -> None:
    """Draw the family trees of a results folder."""
    import json

    from .schema import stories_from_document, write_text_atomic
    from .stemma.render import FORMATS, render_story

    if fmt not in FORMATS:
        err.print(f"[red]error:[/red] unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
        raise typer.Exit(2)
    path = results / "stemma.json" if results.is_dir() else results
    try:
        stories = stories_from_document(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        err.print(f"[red]error:[/red] {path}: no such file (run 'filiation analyze ... --out {results}' first)")
        raise typer.Exit(2)
    except (ValueError, KeyError, TypeError) as exc:
        err.print(f"[red]error:[/red] {path}: not a stemma.json written by filiation ({exc})")
        raise typer.Exit(2)
    if story is not None:
        stories = [s for s in stories if s.id == story]
        if not stories:
            err.print(f"[red]error:[/red] {path}: no story {story!r}")
            raise typer.Exit(2)
    text = "".join(render_story(s, fmt) for s in stories)
    if out is None:
        sys.stdout.write(text)
    else:
        write_text_atomic(out, text)


@app.command("eval")
def evaluate(
    data: Path = typer.Option(Path("../shared/data"), "--data", help="Folder of labelled sets."),
    seeds: Path = typer.Option(Path("examples/seeds"), "--seeds", help="The seed articles."),
    sets: Optional[List[str]] = typer.Option(None, "--set", help="Only these sets (repeatable)."),
    mode: str = typer.Option("full", "--mode"),
    check_floors: bool = typer.Option(True, "--floors/--no-floors", help="Fail when a figure drops below its floor."),
) -> None:
    """Run the pipeline on every labelled set and print its figures next to the bar."""
    _quiet_libraries()
    from .eval.run import run_evaluation

    code = run_evaluation(data, seeds, sets, mode, check_floors, out)
    raise typer.Exit(code)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
