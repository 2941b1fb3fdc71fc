"""nmf_course.signatures: the loader of data/mutational_signatures (its checksums: test_data.py)
and its error messages, channels, cosine matching, exposures with W fixed, and the 96-bar plot."""

import re

import matplotlib
import numpy as np
import pytest

import nmf_helpers as nh
from nmf_course.signatures import (CHANNELS, DATA_DIR, SUBSTITUTIONS, channel_label, cosine_similarity,
                                   load_signatures, match_references, parse_channel, plot_signature,
                                   read_counts, read_references, refit_exposures, substitution_of)
from conftest import DATA, load_from_another_directory

matplotlib.use("Agg")

FOLDER = DATA / "mutational_signatures"


@pytest.fixture(scope="module")
def data():
    return load_signatures()


def test_loads_the_published_tables_from_any_directory(tmp_path, monkeypatch):
    data = load_from_another_directory(monkeypatch, tmp_path, load_signatures, DATA_DIR, FOLDER)
    assert data.V.shape == (96, 21) and data.V.dtype == np.int64
    assert data.V.sum() == 183_916                                  # the paper's total
    totals = dict(zip(data.samples, data.V.sum(axis=0)))
    assert totals["PD4120a"] == 70_690 and totals["PD4194a"] == 1_484
    assert min(totals.values()) == 1_484 and max(totals.values()) == 70_690
    assert data.channels == list(CHANNELS) and data.channels[0] == "A[C>A]A"
    assert data.references.shape == (96, 65) and len(data.reference_names) == 65
    assert data.reference_names[:3] == ["SBS1", "SBS2", "SBS3"]
    assert np.allclose(data.references.sum(axis=0), 1)


def test_references_are_matched_to_the_counts_by_channel(data):
    # SBS2 (APOBEC) is C>T at TpCpN, largest at T[C>T]A and T[C>T]T; SBS1 is C>T at CpG
    sbs2 = data.references[:, data.reference_names.index("SBS2")]
    sbs1 = data.references[:, data.reference_names.index("SBS1")]
    assert set(np.array(CHANNELS)[np.argsort(-sbs2)[:2]]) == {"T[C>T]A", "T[C>T]T"}
    assert set(np.array(CHANNELS)[np.argsort(-sbs1)[:4]]) == {"A[C>T]G", "C[C>T]G", "G[C>T]G", "T[C>T]G"}
    # the file's first row after the header is C>A,ACA: A[C>A]A, the first channel
    assert data.references[0, 0] == pytest.approx(8.86e-04 / 1.0, rel=2e-3)


def test_the_96_channels():
    assert len(CHANNELS) == 96 and len(set(CHANNELS)) == 96
    assert substitution_of(CHANNELS) == [s for s in SUBSTITUTIONS for _ in range(16)]
    assert parse_channel("T[C>T]G") == ("T", "C>T", "G")
    assert channel_label("C>A", "ACT") == "A[C>A]T"


@pytest.mark.parametrize("label, message", [
    ("A[C>A]", "not a channel label"), ("A[G>A]T", "substitution 'G>A'"),
    ("N[C>A]T", "5' base 'N'"), ("A[C>A]U", "3' base 'U'"), ("AC>AT", "not a channel label")])
def test_bad_channel_labels_are_named(label, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_channel(label)


def test_a_subtype_must_carry_the_mutated_base_in_the_middle():
    with pytest.raises(ValueError, match="SubType 'AGT' does not fit Type 'C>A'"):
        channel_label("C>A", "AGT")


# --- small files ---------------------------------------------------------------------------

def counts_text(order=CHANNELS, samples=("s1", "s2"), newline="\n"):
    lines = ["Mutation Types\t" + "\t".join(samples)]
    lines += [f"{label}\t{CHANNELS.index(label)}\t{2 * CHANNELS.index(label) + 1}" for label in order]
    return newline.join(lines) + newline


def references_text(order=CHANNELS, newline="\n"):
    lines = ["Type,SubType,SBSx,SBSy"]
    for label in order:
        five, substitution, three = parse_channel(label)
        k = CHANNELS.index(label)
        lines.append(f"{substitution},{five}{substitution[0]}{three},{(k + 1) / 4656},{1 / 96}")
    return newline.join(lines) + newline


def write_folder(tmp_path, counts=None, references=None):
    counts = counts_text() if counts is None else counts
    references = references_text() if references is None else references
    (tmp_path / "breast21_sbs96.tsv").write_text(counts, encoding="utf-8")
    (tmp_path / "sbs_signatures_pcawg_2018.csv").write_text(references, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_small_files_round_trip(tmp_path, newline):
    data = load_signatures(write_folder(tmp_path, counts_text(newline=newline),
                                        references_text(newline=newline)))
    assert data.samples == ["s1", "s2"]
    assert data.V[:, 0].tolist() == list(range(96)) and data.V[:, 1].tolist() == list(range(1, 192, 2))
    assert data.reference_names == ["SBSx", "SBSy"]
    assert np.allclose(data.references[:, 0], np.arange(1, 97) / 4656)
    assert np.allclose(data.references[:, 1], 1 / 96)


def test_permuted_rows_are_put_back_in_order(tmp_path):
    order = list(np.random.default_rng(0).permutation(CHANNELS))
    data = load_signatures(write_folder(tmp_path, counts_text(order), references_text(order[::-1])))
    assert data.V[:, 0].tolist() == list(range(96))                # row k is CHANNELS[k] again
    assert np.allclose(data.references[:, 0], np.arange(1, 97) / 4656)


def damaged(replace_line=None, drop=None, extra=None):
    lines = counts_text().splitlines()
    if replace_line:
        number, text = replace_line
        lines[number - 1] = text
    if drop:
        del lines[drop - 1]
    if extra:
        lines.append(extra)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("counts, message", [
    ("", r"breast21_sbs96.tsv: the file is empty"),
    ("A[C>A]A\t1\t2\n", r"breast21_sbs96.tsv, line 1: missing header"),
    (damaged(replace_line=(3, "A[C>A]C\t4")), r"line 3: ragged row, channel 'A\[C>A\]C' has 1 counts"),
    (damaged(replace_line=(3, "A[C>A]C\t4\tmany")), r"line 3, column 3: 'many' is not a number"),
    (damaged(replace_line=(3, "A[C>A]C\t4\t-2")), r"line 3, column 3: negative count -2"),
    (damaged(replace_line=(3, "A[C>A]C\t4\t2.5")), r"line 3, column 3: '2.5' is a fractional count"),
    (damaged(extra="A[C>A]A\t1\t1"), r"line 98: duplicate channel 'A\[C>A\]A' \(first on line 2\)"),
    (damaged(drop=3), r"breast21_sbs96.tsv: missing channel\(s\): 1 of the 96 .*A\[C>A\]C"),
    (damaged(replace_line=(3, "A[G>A]C\t4\t2")), r"line 3: 'A\[G>A\]C': the substitution 'G>A'"),
    ("Mutation Types\ts1\ts1\n", r"line 1, column 3: duplicate sample name 's1'"),
])
def test_damaged_counts_name_file_line_and_problem(tmp_path, counts, message):
    with pytest.raises(ValueError, match=message):
        load_signatures(write_folder(tmp_path, counts=counts))


def damaged_references(number, text=None):
    lines = references_text().splitlines()
    if text is None:
        del lines[number - 1]
    else:
        lines[number - 1] = text
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("references, message", [
    ("C>A,ACA,0.1,0.2\n", r"sbs_signatures_pcawg_2018.csv, line 1: missing header"),
    (damaged_references(2, "C>A,ACA,0.1"), r"line 2: ragged row, channel 'A\[C>A\]A' has 1 values"),
    (damaged_references(2, "C>A,ACA,0.1,lots"), r"line 2, column 4: 'lots' is not a number"),
    (damaged_references(2, "C>A,ACA,0.1,-0.2"), r"line 2, column 4: negative value -0.2"),
    (damaged_references(3, "C>A,ACA,0.1,0.2"), r"line 3: duplicate channel 'A\[C>A\]A' \(first on line 2\)"),
    (damaged_references(2, "C>A,AGA,0.1,0.2"), r"line 2: SubType 'AGA' does not fit Type 'C>A'"),
    (damaged_references(2), r"sbs_signatures_pcawg_2018.csv: missing channel\(s\): 1 of the 96"),
])
def test_damaged_references_name_file_line_and_problem(tmp_path, references, message):
    with pytest.raises(ValueError, match=message):
        load_signatures(write_folder(tmp_path, references=references))


def test_a_reference_file_with_other_channels_is_refused_by_name(tmp_path):
    # a 6-channel table of something else: its channels do not match the 96
    text = "Type,SubType,SBSx\n" + "".join(f"{s},A{s[0]}A,0.1\n" for s in SUBSTITUTIONS)
    with pytest.raises(ValueError, match=r"sbs_signatures_pcawg_2018.csv: missing channel\(s\): 90 of"):
        load_signatures(write_folder(tmp_path, references=text))


def test_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "breast21_sbs96.tsv"
    path.write_bytes(counts_text().encode() + b"\xff\n")
    with pytest.raises(ValueError, match=r"line 98: byte 0xff is not UTF-8"):
        read_counts(path)


def test_missing_folder_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="is not a folder"):
        load_signatures(tmp_path / "nowhere")


def test_read_references_alone(tmp_path):
    path = tmp_path / "refs.csv"
    path.write_text(references_text(), encoding="utf-8")
    names, P = read_references(path)
    assert names == ["SBSx", "SBSy"] and P.shape == (96, 2)


# --- cosine matching ---------------------------------------------------------------------------

def test_a_reference_matched_to_itself_has_cosine_one(data):
    similarity = cosine_similarity(data.references, data.references)
    assert np.allclose(np.diag(similarity), 1)
    assert np.all(similarity <= 1 + 1e-12) and np.all(similarity >= 0)
    matches = match_references(data.references[:, [1, 12]], data.references, data.reference_names)
    assert [m[0][0] for m in matches] == ["SBS2", data.reference_names[12]]
    assert matches[0][0][1] == pytest.approx(1) and matches[0][1][1] < 1


def test_cosine_ignores_scale_and_zero_columns_give_zero():
    A = np.array([[1.0, 0.0], [2.0, 0.0], [0.0, 0.0]])
    B = np.array([[10.0, 0.0], [20.0, 1.0], [0.0, 0.0]])
    similarity = cosine_similarity(A, B)
    assert similarity[0, 0] == pytest.approx(1)
    assert similarity[0, 1] == pytest.approx(2 / np.sqrt(5))
    assert np.all(similarity[1] == 0)
    with pytest.raises(ValueError, match="same number of rows"):
        cosine_similarity(A, B[:2])


def test_match_references_lists_best_first():
    refs = np.eye(3)
    W = np.array([[0.1, 0.0], [0.9, 0.2], [0.0, 0.8]])
    matches = match_references(W, refs, ["a", "b", "c"])
    assert [name for name, _ in matches[0]] == ["b", "a"]
    assert [name for name, _ in matches[1]] == ["c", "b"]
    with pytest.raises(ValueError, match="got 2 names for 3"):
        match_references(W, refs, ["a", "b"])


# --- exposures with W fixed --------------------------------------------------------------------

def test_refit_recovers_exposures_of_known_signatures(data):
    rng = np.random.default_rng(5)
    W = data.references[:, [0, 1, 2]]
    H = rng.uniform(0, 5000, size=(3, 30))
    V = rng.poisson(W @ H)
    refit = refit_exposures(V, W)
    assert refit.converged and refit.H.shape == (3, 30) and np.all(refit.H >= 0)
    assert np.allclose(refit.H.sum(axis=0), V.sum(axis=0), rtol=1e-6)  # W's columns sum to 1
    assert np.corrcoef(refit.H.ravel(), H.ravel())[0, 1] > 0.95
    assert refit.deviance == pytest.approx(nh.deviance(V, W, refit.H))
    assert np.all(np.diff(refit.deviance_trace) <= 1e-9 * refit.deviance_trace[:-1])
    # the optimum: a much longer run moves H by well under one mutation
    longer = refit_exposures(V, W, tol=0, max_iter=20_000)
    assert np.abs(longer.H - refit.H).max() < 0.5
    assert refit.deviance - longer.deviance < 0.01


def test_refit_of_a_genome_made_of_one_signature():
    W = np.array([[0.5, 0.1], [0.5, 0.1], [0.0, 0.8]])
    V = np.array([[50], [50], [0]])
    refit = refit_exposures(V, W)
    assert refit.H[0, 0] == pytest.approx(100, rel=1e-4) and refit.H[1, 0] < 1e-3


@pytest.mark.parametrize("V, W, message", [
    (np.ones((4, 2)), np.ones((3, 2)), "same number of rows"),
    (-np.ones((3, 2)), np.ones((3, 2)), "non-negative"),
    (np.ones((3, 2)), np.array([[1.0, 0], [1, 0], [1, 0]]), "column 1 is all zeros"),
])
def test_refit_refuses_bad_input(V, W, message):
    with pytest.raises(ValueError, match=message):
        refit_exposures(V, W)


# --- the plot --------------------------------------------------------------------------------------

def test_plot_signature_draws_96_bars_in_six_groups(data):
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    plot_signature(ax, data.references[:, 1], title="SBS2")
    bars = ax.patches
    assert len(bars) == 96
    assert len({tuple(bar.get_facecolor()) for bar in bars}) == 6
    texts = [t.get_text() for t in ax.texts]
    assert all(s in texts for s in SUBSTITUTIONS)
    assert [t.get_text() for t in ax.get_xticklabels()][:4] == ["A", "C", "G", "T"]
    plt.close(fig)
    with pytest.raises(ValueError, match="one value per channel"):
        plot_signature(ax, np.ones(95))
