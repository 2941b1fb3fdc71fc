"""The data sets in data/: checksums (the simulated ones and the published ones, each against its
README), a byte-identical rebuild of the simulated ones, and loading them."""

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nmf_course import counts_io
from conftest import DATA, ROOT, assert_readme_lists_checksum, sha256

KEY = ROOT / "instructor" / "answer_key.json"   # for instructors only: never in notebooks/ or student/

# The same list is in data/README.md (a test below checks that they agree); names are
# relative to data/.
CHECKSUMS = {
    "atlas_counts.txt": "d23669d56f92734dbf982ef2486bce366192d0118a3a7b146840a46fcb8b29f6",
    "atlas_counts_hard.txt": "c16e10a364eb886233f69b9d9f02c6844403679720dd039897a18ce142afd51e",
    "../instructor/answer_key.json": "d87d460839ae8dd3029ad7ede8b5eb2295f6d3cd512c15e5a8cddc555fdc5396",
    "practice_counts.txt": "a6a75abc861c490006075f1c63bd6b9ece1c803746e15e4acea616d65966237c",
    "practice_counts_hard.txt": "b0c9c0c7dbb411dc43d79ac796e679b2bf0a9d2a81bc3586c4962c1b050d77d2",
    "practice_truth.json": "c293dc6a65b6eab42bc00e1166af9a352e08be43dac4720d52676d5be6e2a132",
}
# The published data sets, each in its own folder whose README lists the checksums (with the
# provenance and terms to keep with the files).
PUBLISHED = {
    "leukemia": {
        "ALL_AML_data.txt": "ae6bb2f0b60bdd6cbc65bc9e2c1dc6f8efd1908cf1eb53873422676aa8201a4c",
        "probe_descriptions.tsv": "5672669b9e524a1453902ab608bdef2b9a133c542a8e18332418ff6740bdbc49",
    },
    "mutational_signatures": {
        "breast21_sbs96.tsv": "fcda814e09881cdafb083170f4c1d3babf332c3094397e0e505b139c87f779bc",
        "sbs_signatures_pcawg_2018.csv": "7923390d53a9966de45b21bfecc3af8977e7b0548449531b0386a85203e19967",
    },
}
TABLES = ["atlas_counts.txt", "atlas_counts_hard.txt"]
PRACTICE = ["practice_counts.txt", "practice_counts_hard.txt"]   # notebook 06's; truth in practice_truth.json


def sample_names(path):
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.startswith("# samples:"):
            return line.split()[2:]
    return None


@pytest.mark.parametrize("filename", list(CHECKSUMS))
def test_checksum(filename):
    assert sha256(DATA / filename) == CHECKSUMS[filename], (
        f"data/{filename} changed; if on purpose, rebuild with data/make_data.py and update "
        "the checksums here and in data/README.md")


@pytest.mark.parametrize("folder, name", [(folder, name) for folder, files in PUBLISHED.items()
                                          for name in files])
def test_published_data_match_the_checksums_their_readme_lists(folder, name):
    assert_readme_lists_checksum(DATA / folder, name, PUBLISHED[folder][name])


def test_readme_lists_the_same_checksums():
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    listed = dict((name, digest) for digest, name in re.findall(r"^([0-9a-f]{64})  (\S+)$", readme, re.M))
    assert listed == CHECKSUMS


def test_script_rebuilds_byte_identical_files(tmp_path):
    result = subprocess.run([sys.executable, str(DATA / "make_data.py"), str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    for filename in CHECKSUMS:      # with OUTDIR, every file goes there
        name = Path(filename).name
        assert (tmp_path / name).read_bytes() == (DATA / filename).read_bytes(), filename
    # the script prints the checksums of what it wrote, in sha256sum's format
    for filename, digest in CHECKSUMS.items():
        assert f"{digest}  {Path(filename).name}" in result.stdout


@pytest.mark.parametrize("filename", TABLES + PRACTICE)
def test_tables_load_with_the_documented_shape(filename):
    genes, V = counts_io.load_counts(DATA / filename)
    assert V.shape == (100, 60) and V.dtype.kind == "i" and (V >= 0).all()
    assert len(genes) == 100 and genes == sorted(genes) and len(set(genes)) == 100
    samples = sample_names(DATA / filename)
    assert samples is not None and len(samples) == 60 and len(set(samples)) == 60
    assert (V.sum(axis=1) > 0).all()  # every gene is seen somewhere


def test_depths_are_as_documented():
    _, V = counts_io.load_counts(DATA / "atlas_counts.txt")
    assert 85_000 < V.sum(axis=0).min() and V.sum(axis=0).max() < 115_000
    _, V_hard = counts_io.load_counts(DATA / "atlas_counts_hard.txt")
    assert 2_500 < V_hard.sum(axis=0).min() and V_hard.sum(axis=0).max() < 6_500


@pytest.mark.parametrize("key_path, tables", [(KEY, TABLES), (DATA / "practice_truth.json", PRACTICE)])
def test_answer_key_matches_the_tables(key_path, tables):
    key = json.loads(key_path.read_text(encoding="utf-8"))
    assert set(key) == set(tables)
    for filename in tables:
        genes, _ = counts_io.load_counts(DATA / filename)
        truth = key[filename]
        assert truth["true_R"] == len(truth["modules"]) and 3 <= truth["true_R"] <= 6
        members = [g for module in truth["modules"].values() for g in module]
        assert set(members) == set(genes)  # every gene is in some module
        moonlighters = {m["gene"] for m in truth["moonlighters"]}
        assert moonlighters == {g for g in genes if members.count(g) == 2}
        assert all(members.count(g) <= 2 for g in genes)
        for m in truth["moonlighters"]:
            assert all(m["gene"] in truth["modules"][name] for name in m["modules"])
            assert abs(sum(m["shares"]) - 1) < 0.01
        sizes = list(truth["module_sizes"].values())
        assert sizes == [len(v) for v in truth["modules"].values()] and len(set(sizes)) == len(sizes)
    main, hard = tables
    assert len(key[hard]["moonlighters"]) > len(key[main]["moonlighters"])
    assert min(key[hard]["module_sizes"].values()) <= 6  # one small module


# --- load_counts on variants of the provided files ---------------------------------

def variant(tmp_path, data):
    path = tmp_path / "variant.txt"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("change", [
    lambda b: b.replace(b"\n", b"\r\n"),               # Windows line endings
    lambda b: b"\xef\xbb\xbf" + b,                      # a UTF-8 byte-order mark (Notepad)
    lambda b: b.replace(b" ", b"\t"),                   # tab-separated (a spreadsheet export)
    lambda b: b.replace(b" ", b"   ") + b"\n\n",        # runs of spaces, trailing blank lines
    lambda b: b"\xef\xbb\xbf" + b.replace(b"\n", b"\r\n").replace(b" ", b"\t"),  # all at once
])
@pytest.mark.parametrize("filename", TABLES)
def test_layout_variants_load_identically(tmp_path, filename, change):
    original = counts_io.load_counts(DATA / filename)
    genes, V = counts_io.load_counts(variant(tmp_path, change((DATA / filename).read_bytes())))
    assert genes == original[0] and np.array_equal(V, original[1])


def damage_line(data, number, edit):
    """Apply edit(fields) to line `number` (1-based) of the file's bytes."""
    lines = data.decode("utf-8").split("\n")
    lines[number - 1] = " ".join(edit(lines[number - 1].split(" ")))
    return "\n".join(lines).encode("utf-8")


def _set(fields, k, value):
    return fields[:k] + [value] + fields[k + 1:]


@pytest.mark.parametrize("edit, message", [
    (lambda f: f[:-1], r"line 50: ragged row, gene '\w+' has 59 counts but line 5 has 60"),
    (lambda f: _set(f, 3, "12a"), r"line 50, column 4: '12a' is not a number"),
    (lambda f: _set(f, 3, "-7"), r"line 50: negative count -7"),
    (lambda f: _set(f, 3, "7.5"), r"line 50, column 4: '7.5' is a fractional count"),
    (lambda f: _set(f, 0, "Bak9"), r"line 50: duplicate gene name 'Bak9' \(first seen on line 5\)"),
    (lambda f: f[:1], r"line 50: gene '\w+' has no counts"),
])
def test_damaged_copy_of_the_data_names_the_line(tmp_path, edit, message):
    data = (DATA / "atlas_counts.txt").read_bytes()
    assert data.split(b"\n")[4].startswith(b"Bak9 ")  # 4 comment lines, then the first gene
    path = variant(tmp_path, damage_line(data, 50, edit))
    with pytest.raises(ValueError, match=message) as info:
        counts_io.load_counts(path)
    assert "variant.txt" in str(info.value)


def test_windows_line_endings_in_a_damaged_file_still_give_the_line(tmp_path):
    data = damage_line((DATA / "atlas_counts.txt").read_bytes(), 20, lambda f: _set(f, 1, "x"))
    path = variant(tmp_path, data.replace(b"\n", b"\r\n"))
    with pytest.raises(ValueError, match=r"variant.txt, line 20, column 2: 'x' is not a number"):
        counts_io.load_counts(path)


@pytest.mark.parametrize("data, message", [
    (b"", r"no data lines"),
    (b"\xef\xbb\xbf", r"no data lines"),                                # only a byte-order mark
    (b"# only the header comment\n# samples: a b c\n", r"no data lines"),
    (b"\r\n\r\n  \t\r\n", r"no data lines"),                              # only blank lines
    (b"Bak9 1 2\nZyr6 3 \xe9 4\n", r"line 2: byte 0xe9 is not UTF-8 text"),  # Latin-1, not UTF-8
    (b"Bak9 1 2\r\n\r\nZyr6 3 4\r\n\xff\xfe", r"line 4: byte 0xff is not UTF-8 text"),
])
def test_empty_and_non_utf8_files_give_readable_errors(tmp_path, data, message):
    with pytest.raises(ValueError, match=message) as info:
        counts_io.load_counts(variant(tmp_path, data))
    assert "variant.txt" in str(info.value)


def test_no_notebook_for_students_mentions_the_answer_key_and_the_instructor_notebook_reads_one():
    assert not (DATA / "answer_key.json").exists(), "the answer key lives in instructor/, not data/"
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        text = notebook.read_text(encoding="utf-8")
        assert "answer_key" not in text and "answer key" not in text.lower(), (
            f"{notebook.name} mentions the answer key: it belongs in instructor/ only")
    cells = json.loads((ROOT / "instructor" / "06_answer_key.ipynb").read_text(encoding="utf-8"))["cells"]
    readers = [cell for cell in cells   # from the folder make problem3 wrote (instructor/problem3.py)
               if cell["cell_type"] == "code" and "read_key(FOLDER)" in "".join(cell["source"])]
    assert readers, "instructor/06_answer_key.ipynb does not read a term's answer_key.json"
