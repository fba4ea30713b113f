"""Files and folders: ids, order, what is skipped, and every bad file as one problem."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from filiation.read import ReadResult, read_paths

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
SHORT_ANSWERS = SHARED_DATA / "short-answers-dev" / "texts"


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8", newline="")
    else:
        path.write_bytes(data)
    return path


def problems_by_where(result: ReadResult) -> dict[str, str]:
    return {p.where: p.reason for p in result.problems}


def test_folder_ids_are_relative_paths_without_extension(tmp_path: Path) -> None:
    root = tmp_path / "root"
    write(root / "a.txt", "Alpha text.")
    write(root / "sub" / "x.txt", "Ex text.")
    write(root / "sub" / "deeper" / "y.md", "# Why\nMarkdown text.")
    write(root / "b.c.txt", "Dotted name.")
    result = read_paths([root])
    assert result.problems == []
    ids = [d.id for d in result.documents]
    assert sorted(ids) == ["a", "b.c", "sub/deeper/y", "sub/x"]
    by_id = {d.id: d for d in result.documents}
    assert by_id["sub/x"].path == str(root / "sub" / "x.txt")
    assert by_id["sub/x"].text == "Ex text."
    assert by_id["sub/deeper/y"].text == "# Why\nMarkdown text."


def test_seed_style_folder_id(tmp_path: Path) -> None:
    seeds = tmp_path / "examples" / "seeds"
    write(seeds / "000_66e213ce11b8a80c.txt", "A seed article.")
    result = read_paths([seeds])
    assert [d.id for d in result.documents] == ["000_66e213ce11b8a80c"]


def test_order_is_sorted_and_deterministic(tmp_path: Path) -> None:
    for name in ["c.txt", "a.txt", "b/z.txt", "b/a.txt", "B.txt"]:
        write(tmp_path / "r" / name, f"text of {name}")
    first = [d.id for d in read_paths([tmp_path / "r"]).documents]
    assert first == ["B", "a", "b/a", "b/z", "c"]
    assert first == [d.id for d in read_paths([tmp_path / "r"]).documents]


def test_file_given_directly_uses_its_stem(tmp_path: Path) -> None:
    path = write(tmp_path / "deep" / "story.txt", "A story.")
    result = read_paths([str(path)])
    assert [(d.id, d.path, d.text) for d in result.documents] == [("story", str(path), "A story.")]


def test_several_paths_in_given_order(tmp_path: Path) -> None:
    write(tmp_path / "one" / "a.txt", "one a")
    write(tmp_path / "two" / "b.md", "two b")
    single = write(tmp_path / "single.txt", "single")
    result = read_paths([tmp_path / "two", single, tmp_path / "one"])
    assert [d.id for d in result.documents] == ["b", "single", "a"]


def test_hidden_and_other_types_skipped_silently(tmp_path: Path) -> None:
    root = tmp_path / "root"
    write(root / "keep.txt", "kept")
    write(root / ".hidden.txt", "hidden file")
    write(root / ".git" / "x.txt", "hidden folder")
    write(root / "image.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    write(root / "notes.pdf", b"%PDF-1.4")
    write(root / "UPPER.TXT", "upper case extension")
    result = read_paths([root])
    assert [d.id for d in result.documents] == ["UPPER", "keep"]
    assert result.problems == []


def test_folder_without_readable_files_is_a_problem(tmp_path: Path) -> None:
    write(tmp_path / "empty" / "only.pdf", b"%PDF-1.4")
    result = read_paths([tmp_path / "empty"])
    assert result.documents == []
    [problem] = result.problems
    assert problem.where == str(tmp_path / "empty")
    assert problem.reason.startswith("no readable files in folder")


def test_unsupported_file_given_directly_is_a_problem(tmp_path: Path) -> None:
    path = write(tmp_path / "paper.pdf", b"%PDF-1.4")
    result = read_paths([path])
    assert result.documents == []
    assert "unsupported file type '.pdf'" in problems_by_where(result)[str(path)]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_symlink_loops_do_not_hang_and_files_are_read_once(tmp_path: Path) -> None:
    root = tmp_path / "root"
    write(root / "sub" / "x.txt", "x text")
    write(tmp_path / "outside" / "o.txt", "outside text")
    os.symlink(root, root / "sub" / "loop")  # loop back to the top
    os.symlink(root / "sub", root / "again")  # the same folder under another name
    os.symlink(tmp_path / "outside", root / "linked")  # a real folder elsewhere
    result = read_paths([root])
    ids = [d.id for d in result.documents]
    assert sorted(ids) in (["again/x", "linked/o"], ["linked/o", "sub/x"])
    assert result.problems == []


def test_missing_path_is_a_problem(tmp_path: Path) -> None:
    write(tmp_path / "good.txt", "good")
    missing = tmp_path / "nope.txt"
    result = read_paths([missing, tmp_path / "good.txt"])
    assert [d.id for d in result.documents] == ["good"]
    assert problems_by_where(result) == {str(missing): "no such file or folder"}


def test_broken_symlink_is_a_problem(tmp_path: Path) -> None:
    root = tmp_path / "root"
    write(root / "good.txt", "good")
    os.symlink(tmp_path / "gone.txt", root / "dangling.txt")
    result = read_paths([root])
    assert [d.id for d in result.documents] == ["good"]
    assert problems_by_where(result) == {str(root / "dangling.txt"): "broken symbolic link"}


def test_bad_files_become_problems_and_good_files_are_read(tmp_path: Path) -> None:
    root = tmp_path / "root"
    write(root / "a_good.txt", "First good document.")
    write(root / "b_empty.txt", b"")
    write(root / "c_blank.md", b"  \r\n\t\n")
    write(root / "d_binary.txt", b"\x7fELF\x02\x01\x01\x00\x00\x00binary")
    write(root / "e_controls.txt", bytes(range(1, 9)) * 20)
    write(root / "f_undecodable.txt", bytes(range(0x80, 0x100)) * 3)
    write(root / "g_good.txt", "Second good document.")
    result = read_paths([root])
    assert [d.id for d in result.documents] == ["a_good", "g_good"]
    problems = problems_by_where(result)
    assert set(problems) == {
        str(root / name)
        for name in ["b_empty.txt", "c_blank.md", "d_binary.txt", "e_controls.txt", "f_undecodable.txt"]
    }
    assert problems[str(root / "b_empty.txt")] == "empty file"
    assert "whitespace" in problems[str(root / "c_blank.md")]
    assert "binary" in problems[str(root / "d_binary.txt")]
    assert "binary" in problems[str(root / "e_controls.txt")]
    assert "encoding" in problems[str(root / "f_undecodable.txt")]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_unreadable_file_is_a_problem(tmp_path: Path) -> None:
    locked = write(tmp_path / "locked.txt", "secret")
    write(tmp_path / "open.txt", "open")
    locked.chmod(0)
    try:
        result = read_paths([tmp_path])
    finally:
        locked.chmod(0o644)
    assert [d.id for d in result.documents] == ["open"]
    assert problems_by_where(result) == {str(locked): "permission denied"}


def test_permission_error_is_a_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = write(tmp_path / "locked.txt", "secret")
    write(tmp_path / "open.txt", "open")
    real_read_bytes = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = read_paths([tmp_path])
    assert [d.id for d in result.documents] == ["open"]
    assert problems_by_where(result) == {str(locked): "permission denied"}


def test_duplicate_ids_keep_the_first(tmp_path: Path) -> None:
    first = write(tmp_path / "one" / "x.txt", "first x")
    second = write(tmp_path / "two" / "x.txt", "second x")
    result = read_paths([tmp_path / "one", tmp_path / "two"])
    assert [(d.id, d.text) for d in result.documents] == [("x", "first x")]
    [problem] = result.problems
    assert problem.where == str(second)
    assert problem.reason == f"duplicate id 'x' (first seen in {first})"


def test_text_is_stored_as_read(tmp_path: Path) -> None:
    raw = "  Leading spaces kept.\r\n\r\nTrailing   spaces and newline kept.  \r\n"
    write(tmp_path / "t.txt", raw)
    [doc] = read_paths([tmp_path]).documents
    assert doc.text == raw.replace("\r\n", "\n")


@pytest.mark.skipif(not SHORT_ANSWERS.is_dir(), reason="shared short-answers data not present")
def test_real_short_answers_all_read_without_mojibake() -> None:
    names = sorted(p.stem for p in SHORT_ANSWERS.glob("*.txt"))
    result = read_paths([SHORT_ANSWERS])
    assert result.problems == []
    assert [d.id for d in result.documents] == names
    assert len(names) == 60
    for doc in result.documents:
        assert "\ufffd" not in doc.text, doc.id
        assert "â€" not in doc.text and "Ã" not in doc.text, doc.id
        assert doc.text.strip(), doc.id
        assert {ch for ch in doc.text if not ch.isascii()} <= set("‘’“”–—…•\xa0"), doc.id
    by_id = {d.id: d for d in result.documents}
    # g1pB_taskb is Windows-1252: its raw bytes begin b"A website\x92s "
    assert (SHORT_ANSWERS / "g1pB_taskb.txt").read_bytes().startswith(b"A website\x92s ")
    assert by_id["g1pB_taskb"].text.startswith("A website\u2019s ")
    # g1pB_taska has cp1252 curly double quotes and an ellipsis (0x93, 0x94, 0x85)
    assert {"\u201c", "\u201d", "\u2026"} <= set(by_id["g1pB_taska"].text)
    # and a UTF-8 file keeps its curly quotes too
    assert "\u2019" in by_id["orig_taskb"].text
