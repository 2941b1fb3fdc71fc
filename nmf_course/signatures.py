"""Mutational signatures: the 21 breast cancer genomes of Nik-Zainal et al. (2012) and the
PCAWG reference signatures (Alexandrov et al. 2020), for notebook 12.

    from nmf_course.signatures import load_signatures
    data = load_signatures()        # finds data/mutational_signatures/ next to the package
    data.V.shape                    # (96, 21): mutation types x genomes, whole numbers
    data.channels[:2]               # ['A[C>A]A', 'A[C>A]C']
    data.references.shape           # (96, 65): PCAWG signatures, rows in V's order

A mutation type ("channel") is written 5'base[REF>ALT]3'base, e.g. A[C>A]A: a C mutated to
an A between an A and an A. The mutated base is always the pyrimidine (C or T) of the pair,
so there are 6 substitutions x 16 contexts = 96 channels; `CHANNELS` lists them in the
standard order (substitution, then 5' base, then 3' base), which is the order of every
table returned here, whatever the order in the file.

Besides the loader: cosine similarity and matching fitted signatures to the references,
exposures of fixed signatures (only H fitted), and the 96-bar plot of a signature. The
checksums in data/mutational_signatures/README.md are checked by the tests
(tests/test_signatures.py), not here, so that a student may load an edited copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nmf_course.counts_io import parse_count, parse_nonnegative, text_lines
from nmf_course.readouts import project

__all__ = ["SUBSTITUTIONS", "BASES", "CHANNELS", "GROUP_COLOURS", "DATA_DIR", "COUNTS_FILE",
           "REFERENCE_FILE", "Signatures", "parse_channel", "channel_label", "substitution_of",
           "read_counts", "read_references", "load_signatures", "cosine_similarity",
           "match_references", "refit_exposures", "plot_signature"]

SUBSTITUTIONS = ("C>A", "C>G", "C>T", "T>A", "T>C", "T>G")
BASES = "ACGT"
CHANNELS = tuple(f"{five}[{substitution}]{three}" for substitution in SUBSTITUTIONS
                 for five in BASES for three in BASES)
# the colours COSMIC and SigProfiler use for the six groups
GROUP_COLOURS = {"C>A": "#1ebff0", "C>G": "#050708", "C>T": "#e62725",
                 "T>A": "#cbcacb", "T>C": "#a1cf64", "T>G": "#edc8c5"}

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "mutational_signatures"
COUNTS_FILE = "breast21_sbs96.tsv"
REFERENCE_FILE = "sbs_signatures_pcawg_2018.csv"


@dataclass(frozen=True)
class Signatures:
    """The counts and the reference signatures, rows in the order of CHANNELS."""
    V: np.ndarray             # int64, shape (96, 21): mutations of each type in each genome
    channels: list            # the 96 labels, e.g. 'A[C>A]A', in the order of V's rows
    samples: list             # genome names, in the order of V's columns
    references: np.ndarray    # float64, shape (96, 65): each column sums to 1
    reference_names: list     # 'SBS1', 'SBS2', ..., in the order of the references' columns


# ---------------------------------------------------------------------------
# Channels
# ---------------------------------------------------------------------------

def parse_channel(label):
    """Split a channel label such as 'A[C>A]T' into (5' base, substitution, 3' base).

    >>> parse_channel("T[C>T]G")
    ('T', 'C>T', 'G')

    Raises ValueError unless the label is one of the 96 channels (the mutated base must be
    C or T, the pyrimidine of the pair, and the other three bases A, C, G or T).
    """
    if not isinstance(label, str):
        raise TypeError(f"a channel label is a string such as 'A[C>A]T', got {type(label).__name__}")
    if len(label) != 7 or label[1] != "[" or label[5] != "]" or label[3] != ">":
        raise ValueError(f"{label!r} is not a channel label: expected 5'base[REF>ALT]3'base, "
                         "e.g. 'A[C>A]T'")
    five, substitution, three = label[0], label[2:5], label[6]
    if substitution not in SUBSTITUTIONS:
        raise ValueError(f"{label!r}: the substitution {substitution!r} is not one of "
                         f"{', '.join(SUBSTITUTIONS)} (the mutated base is written as C or T)")
    for base, side in ((five, "5'"), (three, "3'")):
        if base not in BASES:
            raise ValueError(f"{label!r}: the {side} base {base!r} is not A, C, G or T")
    return five, substitution, three


def channel_label(substitution, trinucleotide):
    """The channel label of a substitution and its trinucleotide: ('C>A', 'ACT') -> 'A[C>A]T'.

    This is how the PCAWG table writes a channel (columns Type and SubType). The middle base
    of the trinucleotide must be the mutated one.
    """
    if len(trinucleotide) != 3 or substitution[:1] != trinucleotide[1:2]:
        raise ValueError(f"SubType {trinucleotide!r} does not fit Type {substitution!r}: expected "
                         f"three bases with the mutated base {substitution[:1]!r} in the middle")
    label = f"{trinucleotide[0]}[{substitution}]{trinucleotide[2]}"
    parse_channel(label)
    return label


def substitution_of(channels=CHANNELS):
    """The substitution ('C>A', ...) of each channel label, as a list."""
    return [parse_channel(label)[1] for label in channels]


# ---------------------------------------------------------------------------
# Reading the two files
# ---------------------------------------------------------------------------

def _lines(path):
    """(line number, line) of a UTF-8 text file, any line ending, blank lines skipped."""
    return [(n, line) for n, line in text_lines(path) if line.strip()]


def _header(path, rows, first, separator, what):
    """The column names after `first` in the header line; checks for empty or repeated names."""
    if not rows:
        raise ValueError(f"{path}: the file is empty")
    number, line = rows[0]
    fields = [f.strip() for f in line.split(separator)]
    if fields[:len(first)] != list(first):
        raise ValueError(f"{path}, line {number}: missing header; expected "
                         f"{separator.join(first)!r} then the {what} names, got {line[:40]!r}")
    names = fields[len(first):]
    if not names or not all(names):
        raise ValueError(f"{path}, line {number}: the header must name every {what} "
                         "(an empty name or no names at all)")
    for k, name in enumerate(names):
        if name in names[:k]:
            raise ValueError(f"{path}, line {number}, column {k + len(first) + 1}: duplicate "
                             f"{what} name {name!r}")
    return names


def _in_channel_order(path, found):
    """Stack {label: (line, values)} into a 96-row array in CHANNELS order; name missing ones."""
    missing = [label for label in CHANNELS if label not in found]
    if missing:
        shown = ", ".join(missing[:3]) + (", ..." if len(missing) > 3 else "")
        raise ValueError(f"{path}: missing channel(s): {len(missing)} of the 96 mutation types "
                         f"have no line ({shown})")
    return np.array([found[label][1] for label in CHANNELS])


def _add_row(path, found, label, number, values):
    if label in found:
        raise ValueError(f"{path}, line {number}: duplicate channel {label!r} (first on line "
                         f"{found[label][0]})")
    found[label] = (number, values)


def read_counts(path):
    """Read the tab-separated counts table; return (samples, V) with V's rows in CHANNELS order.

    Line 1: ``Mutation Types`` then one name per genome. Then one line per channel: its
    label (e.g. A[C>A]A) and one whole-number count per genome. Every one of the 96
    channels must appear exactly once, in any order.
    """
    path = Path(path)
    rows = _lines(path)
    samples = _header(path, rows, ["Mutation Types"], "\t", "sample")
    found = {}
    for number, line in rows[1:]:
        where = f"{path}, line {number}"
        fields = [f.strip() for f in line.split("\t")]
        label = fields[0]
        try:
            parse_channel(label)
        except ValueError as error:
            raise ValueError(f"{where}: {error}") from None
        if len(fields) != len(samples) + 1:
            raise ValueError(f"{where}: ragged row, channel {label!r} has {len(fields) - 1} "
                             f"counts but the header names {len(samples)} samples")
        counts = [parse_count(token, f"{where}, column {k + 2}") for k, token in enumerate(fields[1:])]
        for k, count in enumerate(counts):
            if count < 0:
                raise ValueError(f"{where}, column {k + 2}: negative count {count} for channel "
                                 f"{label!r}")
        _add_row(path, found, label, number, counts)
    return samples, _in_channel_order(path, found).astype(np.int64)


def read_references(path):
    """Read the comma-separated reference signatures; return (names, P), P's rows in CHANNELS order.

    Line 1: ``Type,SubType`` then one name per signature. Then one line per channel, written
    as its substitution (``C>A``) and its trinucleotide (``ACT``, mutated base in the middle),
    then one probability per signature. Every one of the 96 channels must appear exactly once,
    in any order. The file's values are rounded (its columns sum to 1 within about 0.002),
    so each column is divided by its sum: the columns of P sum to 1.
    """
    path = Path(path)
    rows = _lines(path)
    names = _header(path, rows, ["Type", "SubType"], ",", "signature")
    found = {}
    for number, line in rows[1:]:
        where = f"{path}, line {number}"
        fields = [f.strip() for f in line.split(",")]
        if len(fields) < 2:
            raise ValueError(f"{where}: expected Type,SubType and {len(names)} values, got {line[:40]!r}")
        try:
            label = channel_label(fields[0], fields[1])
        except ValueError as error:
            raise ValueError(f"{where}: {error}") from None
        if len(fields) != len(names) + 2:
            raise ValueError(f"{where}: ragged row, channel {label!r} has {len(fields) - 2} "
                             f"values but the header names {len(names)} signatures")
        values = [parse_nonnegative(token, f"{where}, column {k + 3}", "signature probabilities")
                  for k, token in enumerate(fields[2:])]
        _add_row(path, found, label, number, values)
    P = _in_channel_order(path, found).astype(np.float64)
    sums = P.sum(axis=0)
    empty = np.flatnonzero(sums == 0)
    if empty.size:
        raise ValueError(f"{path}: signature {names[empty[0]]!r} is all zeros")
    return names, P / sums


def load_signatures(path=None):
    """Load the 21 genomes' counts and the PCAWG reference signatures, rows matched by channel.

    path: the folder holding breast21_sbs96.tsv and sbs_signatures_pcawg_2018.csv; by default
    the course's data/mutational_signatures/, found from this file, so it works from any
    working directory.
    """
    folder = DATA_DIR if path is None else Path(path)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder; expected the folder holding "
                                f"{COUNTS_FILE} and {REFERENCE_FILE}")
    samples, V = read_counts(folder / COUNTS_FILE)
    names, references = read_references(folder / REFERENCE_FILE)
    return Signatures(V=V, channels=list(CHANNELS), samples=samples, references=references,
                      reference_names=names)


# ---------------------------------------------------------------------------
# Comparing signatures
# ---------------------------------------------------------------------------

def cosine_similarity(A, B):
    """Cosine similarities between the columns of A (n x p) and of B (n x q): a p x q array.

        cos(a, b) = sum_i a_i b_i / (||a|| ||b||)

    1 for proportional columns, 0 for columns with no channel in common. A column of
    zeros has cosine 0 with everything.
    """
    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
    if A.ndim == 1:
        A = A[:, None]
    if B.ndim == 1:
        B = B[:, None]
    if A.ndim != 2 or B.ndim != 2 or A.shape[0] != B.shape[0]:
        raise ValueError(f"A and B must have the same number of rows (channels), got shapes "
                         f"{A.shape} and {B.shape}")
    norms_A, norms_B = np.linalg.norm(A, axis=0), np.linalg.norm(B, axis=0)
    unit_A = A / np.where(norms_A > 0, norms_A, 1.0)
    unit_B = B / np.where(norms_B > 0, norms_B, 1.0)
    return unit_A.T @ unit_B


def match_references(W, references, names, n_best=2):
    """For each column of W, the n_best reference signatures most like it, by cosine.

    Returns a list with one entry per column of W: a list of (name, cosine) pairs, best first.
    """
    similarity = cosine_similarity(W, references)
    if len(names) != similarity.shape[1]:
        raise ValueError(f"got {len(names)} names for {similarity.shape[1]} reference signatures")
    matches = []
    for row in similarity:
        order = np.argsort(-row, kind="stable")[:n_best]
        matches.append([(names[k], float(row[k])) for k in order])
    return matches


# ---------------------------------------------------------------------------
# Exposures of known signatures: W fixed, only H fitted
# ---------------------------------------------------------------------------

def refit_exposures(V, W, **options):
    """Exposures H >= 0 of known signatures W (fixed), fitted to counts V ~ Poisson(W H).

    The standard "signature assignment": only H is fitted, the H half of the multiplicative
    update repeated to nmf's own stopping rule. That is projecting the genomes onto known
    signatures, readouts.project (its docstring has the maths); options go to it. Returns a
    readouts.Projection (H in mutations, since the signatures' columns sum to 1).
    """
    return project(V, W, **options)


# ---------------------------------------------------------------------------
# The 96-bar plot
# ---------------------------------------------------------------------------

def plot_signature(ax, profile, title=None, ylabel="probability", contexts=True, channels=CHANNELS,
                   percent=True):
    """Draw a 96-channel profile as bars in the six coloured substitution groups.

    profile: 96 values in the order of `channels`. Above the bars, each group's name on a band
    of its colour. With contexts=True, under each bar its 3' base and under each block of
    four its 5' base (the mutated base is the group's: 'A' then 'T' under a C>A bar reads
    T[C>A]A). percent=True shows a probability's axis in per cent. Returns ax.
    """
    profile = np.asarray(profile, dtype=float)
    if profile.shape != (len(channels),):
        raise ValueError(f"profile must hold one value per channel ({len(channels)}), got shape "
                         f"{profile.shape}")
    groups = substitution_of(channels)
    x = np.arange(len(channels))
    values = profile * 100 if percent else profile
    ax.bar(x, values, width=0.75, color=[GROUP_COLOURS[g] for g in groups],
           edgecolor="#555555", linewidth=0.3)
    ax.set_xlim(-0.7, len(channels) - 0.3)
    top = values.max() * 1.22 if values.max() > 0 else 1.0
    ax.set_ylim(0, top)
    band = top * 0.1
    for k, substitution in enumerate(SUBSTITUTIONS):
        members = [j for j, g in enumerate(groups) if g == substitution]
        if not members:
            continue
        left, right = min(members) - 0.45, max(members) + 0.45
        ax.fill_between([left, right], top - band, top, color=GROUP_COLOURS[substitution], lw=0)
        dark = substitution in ("C>G", "C>A", "C>T")
        ax.text((left + right) / 2, top - band / 2, substitution, ha="center", va="center",
                fontsize=13, fontweight="bold", color="white" if dark else "black")
        if k:
            ax.axvline(left - 0.05, color="#bbbbbb", lw=0.8, zorder=0)
    ax.set_ylabel(f"{ylabel} (%)" if percent else ylabel)
    if title:
        ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    if contexts:
        parsed = [parse_channel(label) for label in channels]
        ax.set_xticks(x, [three for _, _, three in parsed], fontsize=9, fontfamily="monospace")
        ax.tick_params(axis="x", length=0, pad=2)
        blocks = {}
        for j, (five, substitution, _) in enumerate(parsed):
            blocks.setdefault((substitution, five), []).append(j)
        transform = ax.get_xaxis_transform()
        for (_, five), members in blocks.items():
            ax.text(np.mean(members), -0.11, five, transform=transform, ha="center", va="top",
                    fontsize=10, fontweight="bold", fontfamily="monospace")
            ax.plot([min(members) - 0.3, max(members) + 0.3], [-0.095, -0.095], transform=transform,
                    color="black", lw=0.8, clip_on=False)
        ax.text(-1.2, -0.035, "3′", transform=transform, ha="right", va="top", fontsize=10)
        ax.text(-1.2, -0.11, "5′", transform=transform, ha="right", va="top", fontsize=10,
                fontweight="bold")
    else:
        ax.set_xticks([])
    return ax
