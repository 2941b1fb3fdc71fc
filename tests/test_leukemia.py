"""nmf_course.leukemia: the loader of data/leukemia (its checksums: test_data.py), and its error messages."""

import numpy as np
import pytest

from nmf_course.leukemia import (DATA_DIR, diagnosis_of, load_leukemia,
                                 read_expression_table, read_probe_descriptions)
from conftest import DATA, load_from_another_directory

FOLDER = DATA / "leukemia"


def test_loads_the_published_table_from_any_directory(tmp_path, monkeypatch):
    data = load_from_another_directory(monkeypatch, tmp_path, load_leukemia, DATA_DIR, FOLDER)
    assert data.V.shape == (5000, 38) and data.V.dtype == np.float64
    assert data.V.min() == 20
    assert len(data.probes) == 5000 and len(set(data.probes)) == 5000
    assert len(data.samples) == 38
    assert [data.diagnoses.count(d) for d in ("ALL-B", "ALL-T", "AML")] == [19, 8, 11]
    assert data.describe("M12759_at") == "IMMUNOGLOBULIN J CHAIN"
    assert all(data.describe(p) for p in data.probes[:50])


@pytest.mark.parametrize("name, diagnosis", [
    ("ALL_19769_B-cell", "ALL-B"), ("ALL_R11_B-cell", "ALL-B"),
    ("ALL_16415_T-cell", "ALL-T"), ("AML_12", "AML")])
def test_diagnosis_from_name(name, diagnosis):
    assert diagnosis_of(name) == diagnosis


def test_unknown_sample_name_is_named():
    with pytest.raises(ValueError, match="'CLL_3' does not say its diagnosis"):
        diagnosis_of("CLL_3")


def write_folder(tmp_path, table, descriptions):
    (tmp_path / "ALL_AML_data.txt").write_text(table, encoding="utf-8")
    (tmp_path / "probe_descriptions.tsv").write_text(descriptions, encoding="utf-8")
    return tmp_path


GOOD = "Name\tALL_1_B-cell\tAML_2\np1\t20\t35.5\np2\t100\t20\n"
DESCRIPTIONS = "probe\tdescription\np1\tgene one\np2\tgene two\n"


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_small_table_round_trip(tmp_path, newline):
    data = load_leukemia(write_folder(tmp_path, GOOD.replace("\n", newline), DESCRIPTIONS))
    assert data.probes == ["p1", "p2"]
    assert data.samples == ["ALL_1_B-cell", "AML_2"]
    assert data.diagnoses == ["ALL-B", "AML"]
    assert np.array_equal(data.V, [[20, 35.5], [100, 20]])


@pytest.mark.parametrize("table, descriptions, message", [
    ("", DESCRIPTIONS, r"ALL_AML_data.txt: the file is empty"),
    ("p1\t20\t30\n", DESCRIPTIONS, r"ALL_AML_data.txt, line 1: missing header"),
    ("Name\tALL_1_B-cell\tAML_2\np1\t20\t30\np2\t20\n", DESCRIPTIONS, r"line 3: ragged row, probe 'p2' has 1"),
    ("Name\tALL_1_B-cell\tAML_2\np1\t20\tlots\n", DESCRIPTIONS, r"line 2, column 3: 'lots' is not a number"),
    ("Name\tALL_1_B-cell\tAML_2\np1\t20\t-4\n", DESCRIPTIONS, r"line 2, column 3: negative value -4"),
    ("Name\tALL_1_B-cell\tAML_2\np1\t20\tnan\n", DESCRIPTIONS, r"line 2, column 3: 'nan' is not a finite"),
    ("Name\tALL_1_B-cell\tAML_2\np1\t20\t30\np1\t2\t3\n", DESCRIPTIONS, r"line 3: duplicate probe 'p1'"),
    ("Name\tALL_1_B-cell\tALL_1_B-cell\np1\t20\t30\n", DESCRIPTIONS, r"line 1, column 3: duplicate sample"),
    ("Name\tALL_1_B-cell\tAML_2\n", DESCRIPTIONS, r"a header but no data lines"),
    ("Name\tALL_1_B-cell\tCLL_2\np1\t20\t30\n", DESCRIPTIONS, r"line 1, column 3: sample name 'CLL_2'"),
    (GOOD, "p1\tgene one\n", r"probe_descriptions.tsv, line 1: missing header"),
    (GOOD, "probe\tdescription\np1\tgene\tone\n", r"line 2: expected 2 tab-separated fields"),
    (GOOD, "probe\tdescription\np1\tgene one\np1\tagain\n", r"line 3: duplicate probe 'p1'"),
    (GOOD, "probe\tdescription\np1\tgene one\n", r"no description for 1 probe\(s\).*'p2'"),
])
def test_damaged_files_name_file_line_and_problem(tmp_path, table, descriptions, message):
    with pytest.raises(ValueError, match=message):
        load_leukemia(write_folder(tmp_path, table, descriptions))


def test_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "ALL_AML_data.txt"
    path.write_bytes(b"Name\tAML_1\np1\t20\np2\t\xff\n")
    with pytest.raises(ValueError, match=r"line 3: byte 0xff is not UTF-8"):
        read_expression_table(path)


def test_missing_folder_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="is not a folder"):
        load_leukemia(tmp_path / "nowhere")


def test_descriptions_of_the_shipped_file():
    descriptions = read_probe_descriptions(FOLDER / "probe_descriptions.tsv")
    assert len(descriptions) == 5000
