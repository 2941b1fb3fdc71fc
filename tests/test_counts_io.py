"""load_counts / save_counts: round trips, accepted layouts and readable errors."""

from pathlib import Path

import numpy as np
import pytest

import nmf_helpers as nh
from nmf_course import counts_io


def write(tmp_path, text, name="counts.txt", newline="\n"):
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return path


def test_round_trip(tmp_path):
    sim = nh.simulate(n_genes=12, n_samples=5, n_modules=3, seed=0)
    path = tmp_path / "sim.txt"
    counts_io.save_counts(path, sim.gene_names, sim.V, comment="made by a test\nsecond line")
    names, V = counts_io.load_counts(path)
    assert names == sim.gene_names and np.array_equal(V, sim.V) and V.dtype.kind == "i"
    assert path.read_text().startswith("# made by a test\n# second line\ngene001 ")


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_accepts_comments_tabs_spaces_blank_lines(tmp_path, newline):
    text = "# a comment\nalpha\t1  2\t\t3\n\n   # indented comment\nbeta 4 5 6.0\n\n\n"
    names, V = counts_io.load_counts(write(tmp_path, text, newline=newline))
    assert names == ["alpha", "beta"]
    assert V.tolist() == [[1, 2, 3], [4, 5, 6]]


@pytest.mark.parametrize("text, message", [
    ("a 1 2 3\nb 1 2\n", r"line 2: ragged row, gene 'b' has 2 counts but line 1 has 3"),
    ("a 1 2\nb 1 x\n", r"line 2, column 3: 'x' is not a number"),
    ("a 1 2\nb 1 -4\n", r"line 2: negative count -4"),
    ("a 1 2\n# c\nb 1 2.5\n", r"line 3, column 3: '2.5' is a fractional count"),
    ("a 1 2\nb 3 4\na 5 6\n", r"line 3: duplicate gene name 'a' \(first seen on line 1\)"),
    ("", r"no data lines"),
    ("# only a comment\n\n", r"no data lines"),
    ("a 1 nan\n", r"line 1, column 3: 'nan' is not a finite count"),
    ("a\n", r"line 1: gene 'a' has no counts"),
    ("a 1 1e30\n", r"line 1, column 3: '1e30' is too large for a count"),
    ("a 1 99999999999999999999\n", r"line 1, column 3: '99999999999999999999' is too large"),
])
def test_damaged_files_name_file_line_and_problem(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ValueError, match=message) as info:
        counts_io.load_counts(path)
    assert "counts.txt" in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        counts_io.load_counts(tmp_path / "nope.txt")


@pytest.mark.parametrize("names, V, message", [
    (["a", "b"], [[1, 2]], "2 gene names for 1 rows"),
    (["a b"], [[1, 2]], "without spaces"),
    (["a", "a"], [[1], [2]], "duplicate gene name 'a'"),
    (["a"], [[1.5, 2]], "whole-number"),
    (["a"], [[-1, 2]], "non-negative"),
])
def test_save_rejects_bad_input(tmp_path, names, V, message):
    path = tmp_path / "out.txt"
    with pytest.raises(ValueError, match=message):
        counts_io.save_counts(path, names, np.array(V))
    assert not path.exists()


def test_no_pickle_anywhere():
    import nmf_course
    files = [Path(nh.__file__), *Path(nmf_course.__file__).parent.glob("*.py")]
    for path in files:
        source = path.read_text(encoding="utf-8")
        for forbidden in ("import pickle", "allow_pickle=True"):
            assert forbidden not in source, f"{path.name} uses pickle"
