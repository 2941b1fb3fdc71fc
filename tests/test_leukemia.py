"""data/leukemia and nmf_course.leukemia: checksums, the loader, and its error messages."""

import numpy as np
import pytest

from nmf_course.leukemia import (DATA_DIR, diagnosis_of, load_leukemia,
                                 read_expression_table, read_probe_descriptions)
from conftest import DATA, assert_readme_lists_checksum

FOLDER = DATA / "leukemia"
CHECKSUMS = {
    "ALL_AML_data.txt": "ae6bb2f0b60bdd6cbc65bc9e2c1dc6f8efd1908cf1eb53873422676aa8201a4c",
    "probe_descriptions.tsv": "5672669b9e524a1453902ab608bdef2b9a133c542a8e18332418ff6740bdbc49",
}


@pytest.mark.parametrize("name", sorted(CHECKSUMS))
def test_checksums_match_the_readme(name):
    assert_readme_lists_checksum(FOLDER, name, CHECKSUMS[name])


def test_loads_the_published_table_from_any_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = load_leukemia()
    assert DATA_DIR == FOLDER
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


def write_folder(tmp_path, table, descriptions="probe\tdescription\np1\tgene one\np2\tgene two\n"):
    (tmp_path / "ALL_AML_data.txt").write_text(table, encoding="utf-8")
    (tmp_path / "probe_descriptions.tsv").write_text(descriptions, encoding="utf-8")
    return tmp_path


GOOD = "Name\tALL_1_B-cell\tAML_2\np1\t20\t35.5\np2\t100\t20\n"


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_small_table_round_trip(tmp_path, newline):
    data = load_leukemia(write_folder(tmp_path, GOOD.replace("\n", newline)))
    assert data.probes == ["p1", "p2"]
    assert data.samples == ["ALL_1_B-cell", "AML_2"]
    assert data.diagnoses == ["ALL-B", "AML"]
    assert np.array_equal(data.V, [[20, 35.5], [100, 20]])


@pytest.mark.parametrize("table, message", [
    ("", r"ALL_AML_data.txt: the file is empty"),
    ("p1\t20\t30\n", r"ALL_AML_data.txt, line 1: missing header"),
    ("Name\tALL_1_B-cell\tAML_2\np1\t20\t30\np2\t20\n", r"line 3: ragged row, probe 'p2' has 1"),
    ("Name\tALL_1_B-cell\tAML_2\np1\t20\tlots\n", r"line 2, column 3: 'lots' is not a number"),
    ("Name\tALL_1_B-cell\tAML_2\np1\t20\t-4\n", r"line 2, column 3: negative value -4"),
    ("Name\tALL_1_B-cell\tAML_2\np1\t20\tnan\n", r"line 2, column 3: 'nan' is not a finite"),
    ("Name\tALL_1_B-cell\tAML_2\np1\t20\t30\np1\t2\t3\n", r"line 3: duplicate probe 'p1'"),
    ("Name\tALL_1_B-cell\tALL_1_B-cell\np1\t20\t30\n", r"line 1, column 3: duplicate sample"),
    ("Name\tALL_1_B-cell\tAML_2\n", r"a header but no data lines"),
    ("Name\tALL_1_B-cell\tCLL_2\np1\t20\t30\n", r"line 1, column 3: sample name 'CLL_2'"),
])
def test_damaged_tables_name_file_line_and_problem(tmp_path, table, message):
    with pytest.raises(ValueError, match=message):
        load_leukemia(write_folder(tmp_path, table))


@pytest.mark.parametrize("descriptions, message", [
    ("p1\tgene one\n", r"probe_descriptions.tsv, line 1: missing header"),
    ("probe\tdescription\np1\tgene\tone\n", r"line 2: expected 2 tab-separated fields"),
    ("probe\tdescription\np1\tgene one\np1\tagain\n", r"line 3: duplicate probe 'p1'"),
    ("probe\tdescription\np1\tgene one\n", r"no description for 1 probe\(s\).*'p2'"),
])
def test_damaged_descriptions_name_file_line_and_problem(tmp_path, descriptions, message):
    with pytest.raises(ValueError, match=message):
        load_leukemia(write_folder(tmp_path, GOOD, descriptions))


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
