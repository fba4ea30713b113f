"""The Spark engine's session and readers: Parquet, JSONL and text folders → documents.

Every record goes through the local readers' own checks (``record_to_document`` for
records, ``read_bytes_as_text`` for files), in the Python workers, so a document read by
Spark has the text, id and metadata the local engine would give it.  Ids:

- Parquet and JSONL: the id column, as text (a numeric id becomes its digits);
- text folders: the file's path relative to the folder given, without its extension
  (``sub/name``), as ``read.walk`` forms them; a single file: its name without extension.

A column named by the caller that the data lacks is an error naming it (``SparkInputError``);
the default date column ``date`` may be absent (no dates).  Nothing here collects the corpus:
the readers return RDDs of ``Document`` and of ``ReadProblem``.
"""
from __future__ import annotations

import os
import sys
from pathlib import PurePosixPath
from typing import Iterable, Iterator, Sequence
from urllib.parse import unquote

from ..model import Document, ReadProblem

DEFAULT_DATE_COL = "date"
FORMATS = ("parquet", "jsonl", "text")
_JSON_SUFFIXES = (".jsonl", ".json", ".ndjson", ".jsonl.gz", ".json.gz", ".ndjson.gz")
_TEXT_KINDS = {".txt": "text", ".md": "text", ".html": "html", ".htm": "html"}


class SparkInputError(ValueError):
    """An input the Spark engine cannot read as asked (a missing column, an unknown format)."""


def pyspark_available() -> bool:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return False
    return True


def spark_session(master: str | None = "local[2]", app_name: str = "filiation", conf: dict | None = None):
    """The active session, or a new one on ``master`` (``None``: spark-submit's master, or
    ``local[2]`` outside spark-submit).

    For a session it creates on a local master: the Python workers run this interpreter (so
    they import the same filiation), shuffles use few partitions, the UI is off and the JVM
    gets a quarter of the memory (``FILIATION_SPARK_DRIVER_MEMORY`` overrides it); on any
    master BLAS keeps to one thread per Python worker (Spark already runs one per core)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as err:  # pragma: no cover - the extra is not installed
        raise ImportError("the Spark engine needs pyspark: pip install 'filiation[spark]'") from err

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    submitted = "PYSPARK_GATEWAY_PORT" in os.environ  # launched by spark-submit, which names the master
    if master is None and not submitted:
        master = "local[2]"
    local = master is not None and master.startswith("local")
    if local:  # workers on this machine run this interpreter; a cluster names its own
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name)
    if master is not None:
        builder = builder.master(master)
    settings = {
        "spark.sql.shuffle.partitions": str(2 * int(_local_cores(master))) if local else None,
        "spark.default.parallelism": _local_cores(master) if local else None,
        "spark.ui.enabled": "false" if local else None,
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.adaptive.enabled": "true",
        # local[N]: the executors live in the driver's JVM, which holds the cached corpus too
        "spark.driver.memory": os.environ.get("FILIATION_SPARK_DRIVER_MEMORY", _local_heap()) if local else None,
        # cached rows carry arrays of a thousand numbers: build column batches of fewer rows
        "spark.sql.inMemoryColumnarStorage.batchSize": "1000",
        "spark.python.worker.reuse": "true",
        "spark.executorEnv.OPENBLAS_NUM_THREADS": "1",
        "spark.executorEnv.OMP_NUM_THREADS": "1",
        "spark.executorEnv.MKL_NUM_THREADS": "1",
        "spark.executorEnv.TOKENIZERS_PARALLELISM": "false",
        "spark.executorEnv.HF_HUB_OFFLINE": "1",
        "spark.executorEnv.TRANSFORMERS_OFFLINE": "1",
        **(conf or {}),
    }
    for key, value in settings.items():
        if value is not None:
            builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


# ---------------------------------------------------------------------------------------------
# formats and paths


def _hadoop_path(spark, path: str):
    jvm = spark.sparkContext._jvm
    p = jvm.org.apache.hadoop.fs.Path(path)
    return p, p.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())


def qualified(spark, path: str) -> str:
    """``path`` as Hadoop names it (``file:/abs/path``, ``hdfs://host/path``), no trailing slash."""
    p, fs = _hadoop_path(spark, path)
    return str(fs.makeQualified(p).toString()).rstrip("/")


def _is_dir(spark, path: str) -> bool:
    p, fs = _hadoop_path(spark, path)
    if not fs.exists(p):
        raise SparkInputError(f"{path}: no such file or folder")
    return bool(fs.getFileStatus(p).isDirectory())


def detect_format(spark, path: str) -> str:
    """``parquet``, ``jsonl`` or ``text`` from the name, or for a folder from the files in it
    (Parquet parts make a Parquet dataset, JSON lines files a JSONL one, else text files)."""
    low = path.lower().rstrip("/")
    if low.endswith(".parquet"):
        return "parquet"
    if low.endswith(_JSON_SUFFIXES):
        return "jsonl"
    if not _is_dir(spark, path):
        if PurePosixPath(low).suffix in _TEXT_KINDS:
            return "text"
        raise SparkInputError(f"{path}: cannot tell its format; name one (parquet, jsonl or text)")
    p, fs = _hadoop_path(spark, path)
    files = fs.listFiles(p, True)
    seen = 0
    kinds: set[str] = set()
    while files.hasNext() and seen < 10_000:
        name = str(files.next().getPath().getName()).lower()
        seen += 1
        if name.endswith(".parquet"):
            return "parquet"
        if name.endswith(_JSON_SUFFIXES):
            kinds.add("jsonl")
        elif PurePosixPath(name).suffix in _TEXT_KINDS:
            kinds.add("text")
    if "jsonl" in kinds:
        return "jsonl"
    return "text"


# ---------------------------------------------------------------------------------------------
# readers


def read_inputs(spark, inputs: Sequence[str], *, id_col: str = "id", text_col: str = "text",
                date_col: str | None = DEFAULT_DATE_COL, title_col: str | None = None, fmt: str | None = None):
    """``(outcomes, where)``: an RDD of ``(order, Document | ReadProblem)`` over all inputs,
    ``order`` saying which of two documents with one id came first (input, file, position)."""
    if fmt is not None and fmt not in FORMATS:
        raise SparkInputError(f"unknown input format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if not inputs:
        raise SparkInputError("no inputs given")
    parts = []
    for number, path in enumerate(inputs):
        path = os.fspath(path)
        kind = fmt or detect_format(spark, path)
        if kind == "text":
            parts.append(_read_text_files(spark, path, number))
        else:
            parts.append(_read_records(spark, path, number, kind, id_col, text_col, date_col, title_col))
    return parts[0] if len(parts) == 1 else spark.sparkContext.union(parts)


def _read_records(spark, path: str, number: int, kind: str, id_col: str, text_col: str,
                  date_col: str | None, title_col: str | None):
    from pyspark.sql import functions as F
    from pyspark.sql.types import DateType, TimestampNTZType, TimestampType

    if kind == "parquet":
        df = spark.read.parquet(path)
    else:
        # strings for every primitive: a numeric id stays its digits, a date its text
        df = spark.read.option("primitivesAsString", "true").option("mode", "PERMISSIVE").json(path)
    columns = {f.name: f.dataType for f in df.schema.fields}
    flags = {"id": ("--id-col", id_col), "text": ("--text-col", text_col)}
    if date_col is not None:
        flags["date"] = ("--date-col", date_col)
    if title_col is not None:
        flags["title"] = ("--title-col", title_col)
    wanted: dict[str, str] = {}
    for role, (flag, name) in flags.items():
        if name in columns:
            wanted[role] = name
        elif role == "date" and name == DEFAULT_DATE_COL:
            continue  # the default date column may be absent: documents without dates
        else:
            shown = ", ".join(sorted(c for c in columns if c != "_corrupt_record")) or "none"
            raise SparkInputError(f"{path}: no column {name!r} for the document {role} "
                                  f"(columns: {shown}); name another with {flag}")

    def as_text(role: str):
        name = wanted[role]
        if isinstance(columns[name], (TimestampType, TimestampNTZType)):
            return F.date_format(F.col(name), "yyyy-MM-dd'T'HH:mm:ssXXX" if isinstance(columns[name], TimestampType)
                                 else "yyyy-MM-dd'T'HH:mm:ss")
        if isinstance(columns[name], DateType):
            return F.date_format(F.col(name), "yyyy-MM-dd")
        return F.col(name).cast("string")

    cols = [as_text(role).alias(role) if role in wanted else F.lit(None).cast("string").alias(role)
            for role in ("id", "text", "date", "title")]
    cols.append(F.col("_metadata.file_path").alias("_where"))
    cols.append(F.monotonically_increasing_id().alias("_pos"))
    corrupt = "_corrupt_record" in columns
    if corrupt:
        cols.append(F.col("_corrupt_record"))
        df = df.cache()  # Spark refuses to query the corrupt-record column of raw JSON otherwise
    rows = df.select(*cols).rdd
    return rows.map(lambda row: _record_outcome(row, number, corrupt))


def _record_outcome(row, number: int, corrupt: bool):
    from ..read.errors import ReadError
    from ..read.records import record_to_document

    where = _local_path(row["_where"])
    order = (number, where, row["_pos"])
    if corrupt and row["_corrupt_record"] is not None:
        return order, ReadProblem(where, "invalid JSON line")
    record = {k: row[k] for k in ("id", "text", "date", "title") if row[k] is not None}
    if "id" not in record:
        return order, ReadProblem(where, "record without an id")
    try:
        return order, record_to_document(record, record["id"], where)
    except ReadError as err:
        return order, ReadProblem(f"{where} (id {row['id']!r})", err.reason)


def _read_text_files(spark, path: str, number: int):
    """Text (and HTML) files under a folder, or one file, decoded as the local reader does."""
    root = qualified(spark, path)
    single = not _is_dir(spark, path)
    df = spark.read.format("binaryFile").option("recursiveFileLookup", "true").load(path)
    rows = df.select("path", "content").rdd
    local = path if "://" not in path and not path.startswith("file:") else None
    return rows.flatMap(lambda row: _file_outcome(row["path"], row["content"], root, single, number, local))


def _file_outcome(uri: str, content: bytes, root: str, single: bool, number: int, local: str | None) -> Iterator:
    from ..read.decode import read_bytes_as_text
    from ..read.errors import ReadError
    from ..read.html import _declared_charset, html_to_text

    name = PurePosixPath(uri).name
    kind = _TEXT_KINDS.get(PurePosixPath(name).suffix.lower())
    rel = _relative(uri, root, single)
    if kind is None or any(part.startswith(".") for part in rel.split("/")):
        return  # other file types and hidden entries, as read.walk skips them
    stem = rel.rsplit("/", 1)
    stem[-1] = PurePosixPath(stem[-1]).stem
    doc_id = "/".join(stem)
    if local is None:
        where = _local_path(uri)
    else:  # the path as the local reader names it: the input as given, then the path below it
        where = local if single else os.path.join(os.path.normpath(local), *rel.split("/"))
    order = (number, rel, 0)
    try:
        data = bytes(content)
        if kind == "text":
            yield order, Document(id=doc_id, text=read_bytes_as_text(data, where), path=where)
        else:
            page = html_to_text(read_bytes_as_text(data, where, declared=_declared_charset(data)))
            yield order, Document(id=doc_id, text=page.text, title=page.title, date=page.date, url=page.url, path=where)
    except ReadError as err:
        yield order, ReadProblem(where, err.reason)
    except Exception as err:  # noqa: BLE001 - a reader bug must not cost the user the whole run
        yield order, ReadProblem(where, f"could not read ({type(err).__name__}: {err})")


def _relative(uri: str, root: str, single: bool) -> str:
    """The path of ``uri`` below ``root`` (both Hadoop-qualified), '/'-separated."""
    a, b = _plain(uri), _plain(root)
    if single:
        return PurePosixPath(a).name
    if a.startswith(b + "/"):
        return a[len(b) + 1:]
    return PurePosixPath(a).name


def _plain(uri: str) -> str:
    """A Hadoop path string with ``file:///x`` and ``file:/x`` alike, percent-escapes undone."""
    text = unquote(uri)
    if text.startswith("file:///"):
        text = "file:/" + text[len("file:///"):]
    return text.rstrip("/")


def _local_path(uri: str | None) -> str:
    """A local file's path as the local engine reports it; other URIs as they are."""
    if not uri:
        return "<unknown>"
    text = _plain(uri)
    return text[len("file:"):] if text.startswith("file:/") else text


def split_outcomes(outcomes) -> tuple:
    """``(documents, problems)``: documents unique by id (the first kept), ``(idx, Document)``
    numbered in id order as the local engine numbers them, and every problem, duplicates
    included.  Both are RDDs; ``documents`` is persisted by the caller."""
    tagged = outcomes.map(lambda o: (isinstance(o[1], Document), o))
    problems = tagged.filter(lambda t: not t[0]).map(lambda t: t[1][1])
    docs = tagged.filter(lambda t: t[0]).map(lambda t: (t[1][1].id, (t[1][0], t[1][1], ())))
    unique = docs.reduceByKey(_keep_first)
    duplicates = unique.flatMap(lambda kv: kv[1][2])
    return unique.mapValues(lambda v: v[1]), problems.union(duplicates)


def _keep_first(x, y):
    first, other = (x, y) if x[0] <= y[0] else (y, x)
    doc = other[1]
    lost = ReadProblem(doc.path or doc.id, f"duplicate id {doc.id!r}: kept the first")
    return first[0], first[1], first[2] + other[2] + (lost,)


def iter_chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _local_cores(master: str | None) -> str:
    """The cores of a ``local[N]`` master (``local[*]``, ``local``: this machine's)."""
    import re

    found = re.fullmatch(r"local\[(\d+)(?:,\d+)?\]", master or "")
    if found:
        return found.group(1)
    return "1" if master == "local" else str(os.cpu_count() or 2)


def _local_heap() -> str:
    """A quarter of this machine's memory, between 2 and 16 GiB, for a local master's JVM."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return "4g"
    return f"{max(2, min(16, total // 4 // 2**30))}g"
