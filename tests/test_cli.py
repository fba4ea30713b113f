"""The command line, run as a user runs it: exit codes, files written, messages without tracebacks."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from filiation import Settings, analyze
from filiation.cli import app
from filiation.schema import OUTPUT_FILES, pair_from_row, read_jsonl

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "seeds"


def filiation_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, COLUMNS="200", NO_COLOR="1")
    return subprocess.run(
        [sys.executable, "-c", "from filiation.cli import main; main()", *args],
        capture_output=True, text=True, cwd=cwd, env=env, timeout=120,
    )


def test_analyze_seeds_fast_writes_results(tmp_path: Path) -> None:
    proc = filiation_cli("analyze", str(SEEDS), "--out", "results", "--mode", "fast", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    out = tmp_path / "results"
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)
    docs = read_jsonl(out / "documents.jsonl")
    assert [d["id"] for d in docs] == sorted(p.stem for p in SEEDS.glob("*.txt"))
    # the files hold what the library finds
    library = analyze([SEEDS], Settings(mode="fast"))
    assert [pair_from_row(r) for r in read_jsonl(out / "pairs.jsonl")] == library.pairs
    assert len(read_jsonl(out / "passages.jsonl")) == len(library.passages)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["settings"]["mode"] == "fast" and manifest["transformer_used"] is False
    # the summary names the results folder
    assert "results" in proc.stdout and "documents" in proc.stdout


def test_analyze_in_process_with_a_bad_file_warns_and_goes_on(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("000_66e213ce11b8a80c.txt", "001_9ba277ab45f85cb1.txt"):
        (corpus / name).write_bytes((SEEDS / name).read_bytes())
    (corpus / "broken.txt").write_bytes(b"\x00\xff\x00\xfe" * 100)
    result = CliRunner().invoke(app, ["analyze", str(corpus), "--out", str(tmp_path / "o"), "--mode", "fast"])
    assert result.exit_code == 0, result.output
    assert "warning" in result.stderr and "broken.txt" in result.stderr
    assert len(read_jsonl(tmp_path / "o" / "documents.jsonl")) == 2
    assert len(read_jsonl(tmp_path / "o" / "pairs.jsonl")) == 1


def test_only_a_binary_file_exits_1_naming_it_without_traceback(tmp_path: Path) -> None:
    """Regression: analyze() used to crash in band_pairs (IndexError on zero documents) before the
    CLI's 'no document could be read' check, so the exit 1 came with a traceback and without the
    warning that names the file."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "blob.txt").write_bytes(bytes(range(256)) * 8)
    proc = filiation_cli("analyze", str(folder), "--out", str(tmp_path / "o"), "--mode", "fast", cwd=tmp_path)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "Error" not in proc.stderr
    assert "blob.txt" in proc.stderr
    assert "no document could be read" in proc.stderr
    assert not (tmp_path / "o").exists()


def test_invalid_mode_exits_2_with_a_message(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["analyze", str(SEEDS), "--out", str(tmp_path / "o"), "--mode", "quick"])
    assert result.exit_code == 2
    assert "mode must be 'fast' or 'full'" in result.stderr
    assert "quick" in result.stderr
    assert not isinstance(result.exception, ValueError)
    assert not (tmp_path / "o").exists()


def test_invalid_mode_as_a_user_sees_it(tmp_path: Path) -> None:
    proc = filiation_cli("analyze", str(SEEDS), "--mode", "quick", cwd=tmp_path)
    assert proc.returncode == 2
    assert "mode must be 'fast' or 'full'" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "results").exists()


def test_missing_paths_argument_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["analyze"])
    assert result.exit_code == 2
    assert "Missing argument" in result.output or "Missing argument" in result.stderr


@pytest.mark.spark
def test_analyze_on_spark_writes_the_local_engines_pairs_as_parquet_and_jsonl(tmp_path: Path) -> None:
    pytest.importorskip("pyspark")
    import shutil

    if not shutil.which("java") and not os.environ.get("JAVA_HOME"):
        pytest.skip("the Spark engine needs Java (17+)")
    proc = filiation_cli("analyze", str(SEEDS), "--engine", "spark", "--mode", "fast", "--format", "jsonl",
                         "--out", "spark-results", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    manifest = json.loads((tmp_path / "spark-results" / "manifest.json").read_text())
    rows = [json.loads(line) for part in sorted((tmp_path / "spark-results" / "pairs").glob("part-*"))
            for line in part.read_text().splitlines()]
    local = analyze([SEEDS], Settings(mode="fast"))
    assert manifest["documents"] == 5 and manifest["pairs"] == len(local.pairs) == len(rows)
    assert {(r["a"], r["b"], r["relation"]) for r in rows} == {(p.a, p.b, p.relation) for p in local.pairs}
    bad = filiation_cli("analyze", str(SEEDS), "--engine", "spark", "--format", "csv", "--out", "x", cwd=tmp_path)
    assert bad.returncode == 2 and "--format must be" in bad.stderr and "Traceback" not in bad.stderr
