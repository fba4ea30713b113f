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
from rich.markup import escape
from rich.table import Table
from rich.text import Text

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Who copied whom, how, and what changed on the way.")
# emoji codes off: ":thumbs_up:" in a file name stays as written
err = Console(stderr=True, emoji=False)
out = Console(emoji=False)


def _note(console: Console, label: str, style: str, message: object) -> None:
    """A styled label, then the message as plain text: file names, ids and texts a user gave
    are never read as rich markup (an id "[/x]" would otherwise end the program)."""
    console.print(Text.assemble((label, style), " ", str(message)), highlight=False, soft_wrap=True)


def _quiet_libraries() -> None:
    warnings.filterwarnings("ignore")
    for name in ("faiss", "faiss.loader", "sentence_transformers", "transformers", "torch", "trafilatura", "htmldate"):
        logging.getLogger(name).setLevel(logging.ERROR)


@app.command()
def analyze(
    paths: List[str] = typer.Argument(..., help="Files, folders (recursive) or '-' for JSONL on standard input."),
    out_dir: Path = typer.Option(Path("results"), "--out", "-o", help="Folder for documents/pairs/passages.jsonl."),
    mode: str = typer.Option("full", "--mode", help="'full' (semantic, default) or 'fast' (lexical and static model only)."),
    engine: str = typer.Option("local", "--engine", help="'local' (one process, default) or 'spark' (pip install 'filiation[spark]')."),
    master: Optional[str] = typer.Option(None, "--master", help="Spark master URL (default: local[2], or spark-submit's)."),
    id_col: str = typer.Option("id", "--id-col", help="Spark: the column holding document ids."),
    text_col: str = typer.Option("text", "--text-col", help="Spark: the column holding the text."),
    date_col: Optional[str] = typer.Option("date", "--date-col", help="Spark: the column holding dates, if any."),
    output_format: str = typer.Option("parquet", "--format", help="Spark: 'parquet' (default) or 'jsonl' datasets under --out."),
) -> None:
    """Find, align and classify text reuse among documents."""
    _quiet_libraries()
    from .engine.local import analyze as run, manifest_for
    from .schema import write_analysis
    from .settings import Settings

    try:
        settings = Settings(mode=mode)  # type: ignore[arg-type]
    except ValueError as exc:
        _note(err, "error:", "red", exc)
        raise typer.Exit(2)
    if engine not in ("local", "spark"):
        _note(err, "error:", "red", f"--engine must be 'local' or 'spark', not {engine!r}")
        raise typer.Exit(2)
    if engine == "spark":
        _analyze_on_spark(paths, str(out_dir), settings, master, id_col, text_col, date_col, output_format)
        return
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
        _note(err, "warning:", "yellow", problem)
    for limit in analysis.limits:
        _note(err, "limit:", "yellow", limit)
    if not analysis.documents:
        _note(err, "error:", "red", "no document could be read")
        raise typer.Exit(1)
    seconds = time.perf_counter() - started
    write_analysis(analysis, out_dir, manifest_for(analysis, settings, seconds))
    _summary(analysis, out_dir, seconds)


def _analyze_on_spark(paths: list[str], destination: str, settings, master: Optional[str], id_col: str, text_col: str,
                      date_col: Optional[str], output_format: str) -> None:
    """``analyze --engine spark``: the same stages on Spark, results written from the executors
    as Parquet (or JSON lines) datasets under ``destination``, which may be any Hadoop URI."""
    from .engine.spark_io import SparkInputError, pyspark_available

    if not pyspark_available():
        _note(err, "error:", "red", "the Spark engine needs pyspark: pip install 'filiation[spark]'")
        raise typer.Exit(2)
    if output_format not in ("parquet", "jsonl"):
        _note(err, "error:", "red", f"--format must be 'parquet' or 'jsonl', not {output_format!r}")
        raise typer.Exit(2)
    from .engine.spark import write_spark_results

    started = time.perf_counter()
    try:
        manifest = write_spark_results(paths, destination, settings, output_format=output_format, master=master,
                                       id_col=id_col, text_col=text_col, date_col=date_col or None)
    except SparkInputError as exc:
        _note(err, "error:", "red", exc)
        raise typer.Exit(2)
    for problem in manifest.get("problems", []):
        _note(err, "warning:", "yellow", problem)
    for limit in manifest.get("limits", []):
        _note(err, "limit:", "yellow", limit)
    if not manifest.get("documents"):
        _note(err, "error:", "red", "no document could be read")
        raise typer.Exit(1)
    out.print(f"{manifest['documents']:,} documents, {manifest.get('pairs', 0):,} related pairs on Spark "
              f"({time.perf_counter() - started:.1f} s); results in {destination}", markup=False, highlight=False)


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
            detail.add_row(Text(p.a), Text(p.b), p.relation, p.direction, f"{p.confidence:.2f}")
        out.print(detail)
    _findings_summary(analysis.findings)
    out.print(f"{len(analysis.stories)} stories; results in {escape(str(out_dir))}/ (open {escape(str(out_dir / 'report.html'))} in a browser; "
              "data in documents, texts, pairs, passages, audit .jsonl, stemma.json, manifest.json)")


def _findings_summary(findings, key=lambda f: f.derived,
                      title: str = "audit: what derived documents changed against their sources",
                      column: str = "derived") -> None:
    """Per derived document (or per ``key``): how many findings of each kind, the worst first."""
    from .model import FINDING_KINDS

    if not findings:
        return
    by_doc: dict[str, Counter] = {}
    for f in findings:
        by_doc.setdefault(key(f), Counter())[f.kind] += 1
    table = Table(title=title)
    table.add_column(column)
    short = {k: k.replace("_", " ") for k in FINDING_KINDS}
    for k in FINDING_KINDS:
        table.add_column(short[k], justify="right")
    worst = sorted(by_doc.items(), key=lambda item: -sum(item[1].values()))
    for doc, counts in worst[:20]:
        table.add_row(Text(doc), *(str(counts.get(k, "")) for k in FINDING_KINDS))
    out.print(table)


@app.command()
def audit(
    derived: Optional[Path] = typer.Argument(None, help="The derived document (a text, HTML or Markdown file)."),
    source: Optional[List[Path]] = typer.Argument(None, help="The document(s) it was made from."),
    pairs: Optional[Path] = typer.Option(None, "--pairs", help="Audit many pairs: a JSONL file of "
                                         "{\"id\", \"source\", \"derived\"} (or source_path / derived_path)."),
    out_dir: Optional[Path] = typer.Option(None, "--out", "-o", help="With --pairs: the folder for audit.jsonl."),
    mode: str = typer.Option("full", "--mode", help="'full' (MiniLM judges support) or 'fast' (static vectors)."),
    as_json: bool = typer.Option(False, "--json", help="Print the findings as JSON lines (as in audit.jsonl)."),
) -> None:
    """What DERIVED changed, invented or dropped against SOURCE; or every pair of --pairs."""
    _quiet_libraries()
    if mode not in ("full", "fast"):
        _note(err, "error:", "red", f"--mode must be 'full' or 'fast', not {mode!r}")
        raise typer.Exit(2)
    if pairs is not None:
        if derived is not None or source:
            _note(err, "error:", "red", "give either DERIVED SOURCE... or --pairs FILE, not both")
            raise typer.Exit(2)
        if out_dir is None:
            _note(err, "error:", "red", "--pairs needs --out DIR (where audit.jsonl is written)")
            raise typer.Exit(2)
        _audit_pairs(pairs, out_dir, mode)
        return
    if derived is None or not source:
        _note(err, "error:", "red", "give DERIVED and at least one SOURCE, or --pairs FILE --out DIR")
        raise typer.Exit(2)
    _audit_one(derived, source, mode, as_json)


def _audit_one(derived: Path, source: List[Path], mode: str, as_json: bool) -> None:
    import json
    from dataclasses import replace

    from .engine.local import audit_against
    from .read import read_paths
    from .schema import finding_row

    docs = []
    for path in [derived, *source]:
        result = read_paths([path])
        for problem in result.problems:
            _note(err, "warning:", "yellow", problem)
        if len(result.documents) != 1:
            _note(err, "error:", "red", f"{path}: expected one readable document, found {len(result.documents)}")
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
        out.print(f"{docs[0].id}: nothing changed, invented or dropped was found against {', '.join(d.id for d in docs[1:])}",
                  markup=False, highlight=False)
        return
    colour = {"high": "red", "medium": "yellow", "low": "cyan"}
    for f in findings:
        out.print(f"[{colour[f.severity]}]{f.severity:<6}[/] [bold]{f.kind}[/bold]  {escape(f.explanation)}", highlight=False)
        if f.derived_text:
            out.print(f"        copy:   {f.derived_text[:300]}", highlight=False, markup=False)
        if f.source_text:
            out.print(f"        source: {f.source_text[:300]}", highlight=False, markup=False)


def _audit_pairs(pairs_file: Path, out_dir: Path, mode: str) -> None:
    """Every pair of ``pairs_file`` audited in this one process (models load once), findings to
    ``out_dir/audit.jsonl`` with their pair's id; bad lines are named and skipped."""
    from .engine.local import audit_against
    from .read.pairs import read_audit_pairs
    from .schema import finding_row, write_jsonl_atomic

    started = time.perf_counter()
    todo, problems = read_audit_pairs(pairs_file)
    for problem in problems:
        _note(err, "warning:", "yellow", problem)
    if not todo:
        _note(err, "error:", "red", f"{pairs_file}: no pair could be read")
        raise typer.Exit(2)
    rows: list[dict] = []
    by_pair: dict[str, list] = {}
    with Progress(TextColumn("audit"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("audit", total=len(todo))
        for pair in todo:
            findings = audit_against(pair.derived, [pair.source], mode=mode)
            by_pair[pair.id] = findings
            rows.extend({"pair": pair.id} | finding_row(f) for f in findings)
            bar.advance(task)
    write_jsonl_atomic(out_dir / "audit.jsonl", rows)
    _findings_summary([f for fs in by_pair.values() for f in fs], key=lambda f: f.derived.removesuffix("/derived"),
                      title="audit: findings per pair", column="pair")
    flagged = sum(1 for fs in by_pair.values() if fs)
    out.print(f"{len(todo)} pairs audited in {time.perf_counter() - started:.1f} s, {flagged} with findings, "
              f"{len(problems)} line{'' if len(problems) == 1 else 's'} skipped; findings in {escape(str(out_dir / 'audit.jsonl'))}", highlight=False)


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
        _note(err, "error:", "red", f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
        raise typer.Exit(2)
    path = results / "stemma.json" if results.is_dir() else results
    try:
        stories = stories_from_document(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        _note(err, "error:", "red", f"{path}: no such file (run 'filiation analyze ... --out {results}' first)")
        raise typer.Exit(2)
    except (ValueError, KeyError, TypeError) as exc:
        _note(err, "error:", "red", f"{path}: not a stemma.json written by filiation ({exc})")
        raise typer.Exit(2)
    if story is not None:
        stories = [s for s in stories if s.id == story]
        if not stories:
            _note(err, "error:", "red", f"{path}: no story {story!r}")
            raise typer.Exit(2)
    text = "".join(render_story(s, fmt) for s in stories)
    if out is None:
        sys.stdout.write(text)
    else:
        write_text_atomic(out, text)


@app.command()
def report(
    results: Path = typer.Argument(..., help="A results folder written by 'filiation analyze'."),
    to: Optional[Path] = typer.Option(None, "--out", "-o", help="Where to write (default: RESULTS/report.html)."),
) -> None:
    """Write the self-contained HTML report of a results folder again."""
    from .report import Results, ResultsError, write_report

    try:
        loaded = Results.load(results)
    except ResultsError as exc:
        _note(err, "error:", "red", exc)
        raise typer.Exit(2)
    target = to or results / "report.html"
    write_report(loaded, target)
    out.print(f"wrote {target}", markup=False)


@app.command()
def serve(
    results: Optional[Path] = typer.Option(None, "--results", help="A results folder written by 'filiation analyze'."),
    archive: Optional[Path] = typer.Option(None, "--archive", help="An archive to check against (and add to, with the token)."),
    mode: str = typer.Option("full", "--mode", help="How archive checks run: 'full' or 'fast'."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on (loopback by default)."),
    port: int = typer.Option(8000, "--port"),
    token: Optional[str] = typer.Option(None, "--token", envvar="FILIATION_TOKEN", show_envvar=True,
                                        help="Bearer token for routes that change state (else they are off)."),
    cors_origin: Optional[List[str]] = typer.Option(None, "--cors-origin", help="Allow this origin (repeatable); none by default."),
    max_body: int = typer.Option(5_000_000, "--max-body", help="Largest request body, bytes."),
    max_documents: int = typer.Option(100, "--max-documents", help="Most documents in one POST /api/analyze."),
    max_text: int = typer.Option(500_000, "--max-text", help="Longest document text, characters."),
) -> None:
    """Serve the report's pages and a JSON API (OpenAPI at /openapi.json)."""
    _quiet_libraries()
    import uvicorn

    from .report import ResultsError
    from .service import Limits, create_app

    from .archive import ArchiveError

    if results is None and archive is None:
        _note(err, "error:", "red", "give --results, --archive or both")
        raise typer.Exit(2)
    if archive is not None and not archive.exists():
        _note(err, "error:", "red", f"{archive}: no such archive")
        raise typer.Exit(2)
    try:
        application = create_app(results, archive=archive, archive_mode=mode, token=token, cors_origins=tuple(cors_origin or ()),
                                 limits=Limits(max_body_bytes=max_body, max_documents=max_documents, max_text_chars=max_text))
    except (ResultsError, ArchiveError, ValueError) as exc:
        _note(err, "error:", "red", exc)
        raise typer.Exit(2)
    err.print(f"serving {escape(str(results or archive))} on http://{host}:{port}/ (API under /api/, schema at /openapi.json)")
    uvicorn.run(application, host=host, port=port, log_level="warning")


archive_app = typer.Typer(no_args_is_help=True, help="A persistent archive that new articles are checked against.")
app.add_typer(archive_app, name="archive")


def _open_archive(path: Path, mode: str = "full", must_exist: bool = False):
    from .archive import Archive, ArchiveError
    from .settings import Settings

    if must_exist and not path.exists():
        _note(err, "error:", "red", f"{path}: no such archive (create it with 'filiation archive add {path} PATHS...')")
        raise typer.Exit(2)
    try:
        return Archive(path, Settings(mode=mode))  # type: ignore[arg-type]
    except (ArchiveError, ValueError) as exc:
        _note(err, "error:", "red", exc)
        raise typer.Exit(2)


def _read_or_exit(paths) -> list:
    from .read import read_paths

    result = read_paths(list(paths))
    for problem in result.problems:
        _note(err, "warning:", "yellow", problem)
    if not result.documents:
        _note(err, "error:", "red", "no document could be read")
        raise typer.Exit(1)
    return result.documents


@archive_app.command("add")
def archive_add(
    archive: Path = typer.Argument(..., help="The archive file (SQLite; created if missing)."),
    paths: List[str] = typer.Argument(..., help="Files, folders (recursive) or '-' for JSONL on standard input."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Print each id once it is safely stored."),
) -> None:
    """Add documents to an archive; re-adding a document is a no-op."""
    _quiet_libraries()
    docs = _read_or_exit(paths)
    with _open_archive(archive) as store:
        def done(ids: list[str]) -> None:
            if verbose:
                sys.stdout.write("".join(f"added {i}\n" for i in ids))
                sys.stdout.flush()

        report = store.add(docs, done=done)
        total = len(store)
    for problem in report.problems:
        _note(err, "warning:", "yellow", problem)
    out.print(f"{len(report.added)} added, {len(report.unchanged)} already archived; {archive} holds {total} documents",
              highlight=False, soft_wrap=True, markup=False)


def _print_check(result) -> None:
    if not result.pairs:
        out.print(f"{result.document.id}: nothing in the archive is related "
                  f"({result.candidates} candidates, {result.timings_ms['total']:.0f} ms)", highlight=False, markup=False)
        return
    table = Table(title=f"{escape(result.document.id)}: {len(result.pairs)} related archived documents "
                        f"({result.timings_ms['total']:.0f} ms)")
    from .relate.direction import source_of

    for col in ("archived", "relation", "derivation", "confidence", "passages"):
        table.add_column(col)
    for p in sorted(result.pairs, key=lambda p: -p.confidence):
        other = p.b if p.a == result.document.id else p.a
        src = source_of(p)
        way = {None: p.direction.replace("_", " "), other: "new from archived", result.document.id: "archived from new"}
        table.add_row(Text(other), p.relation, way.get(src, p.direction), f"{p.confidence:.2f}", str(len(p.passages)))
    out.print(table)
    for f in result.findings:
        out.print(f"  {f.severity:<6} {f.kind}: {f.explanation}", highlight=False, markup=False)


@app.command()
def check(
    archive: Path = typer.Argument(..., help="An archive made by 'filiation archive add'."),
    paths: List[str] = typer.Argument(..., help="The new article(s): files, folders or '-'."),
    mode: str = typer.Option("full", "--mode", help="'full' (semantic) or 'fast'."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per article: pairs (ids as in pairs.jsonl), passages, findings."),
) -> None:
    """What in the archive each new article reuses, and how."""
    _quiet_libraries()
    import json

    docs = _read_or_exit(paths)
    with _open_archive(archive, mode, must_exist=True) as store:
        for doc in docs:
            result = store.check(doc)
            if as_json:
                sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
            else:
                _print_check(result)


@app.command()
def watch(
    archive: Path = typer.Argument(..., help="An archive made by 'filiation archive add' (created if missing)."),
    folder: Optional[List[Path]] = typer.Option(None, "--folder", help="A folder to watch for new files (repeatable)."),
    feed: Optional[List[str]] = typer.Option(None, "--feed", help="An RSS/Atom feed URL or file (repeatable)."),
    webhook: Optional[str] = typer.Option(None, "--webhook", help="POST each result here as JSON, besides printing it."),
    interval: float = typer.Option(60.0, "--interval", help="Seconds between looks."),
    once: bool = typer.Option(False, "--once", help="Look once and stop."),
    add: bool = typer.Option(True, "--add/--no-add", help="Archive each checked article after checking it."),
    mode: str = typer.Option("full", "--mode"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON lines instead of tables."),
    allow_private: bool = typer.Option(False, "--allow-private-addresses",
                                       help="Fetch pages on loopback/intranet addresses (refused by default)."),
) -> None:
    """Check new articles as they arrive in a folder or a feed; remembers what it has seen."""
    _quiet_libraries()
    import json

    from .archive.watch import post_webhook, sources_of, watch_once

    if not folder and not feed:
        _note(err, "error:", "red", "give at least one --folder or --feed")
        raise typer.Exit(2)
    from functools import partial

    from .archive.watch import fetch_page

    arrivals = sources_of(list(folder or []), list(feed or []), partial(fetch_page, allow_private=allow_private))

    def report(result) -> None:
        payload = result.to_json()
        if as_json:
            sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        else:
            _print_check(result)
        if webhook:
            try:
                post_webhook(webhook, payload)
            except OSError as exc:
                _note(err, "warning:", "yellow", f"{webhook}: webhook failed ({exc})")

    def warn(problem) -> None:
        _note(err, "warning:", "yellow", problem)

    with _open_archive(archive, mode) as store:
        while True:
            watch_once(store, arrivals(), report, warn, add=add)
            if once:
                return
            time.sleep(interval)


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
