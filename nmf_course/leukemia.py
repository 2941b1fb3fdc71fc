"""The leukemia expression table of Golub et al. (1999), as analysed by Brunet et al. (2004).

    from nmf_course.leukemia import load_leukemia
    data = load_leukemia()          # finds data/leukemia/ next to the package
    data.V.shape                    # (5000, 38): probes x samples
    data.diagnoses[:3]              # ['ALL-B', 'ALL-B', 'ALL-B']

The files are described in data/leukemia/README.md. Every error names the file, the
line and what is wrong. The checksums in that README are checked by the tests
(tests/test_leukemia.py), not here, so that a student may load an edited copy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nmf_course import paths
from nmf_course.counts_io import parse_nonnegative, text_lines

__all__ = ["Leukemia", "load_leukemia", "read_expression_table", "read_probe_descriptions",
           "diagnosis_of", "DATA_DIR", "DIAGNOSES"]

DATA_DIR = paths.DATA_DIR / "leukemia"
EXPRESSION_FILE = "ALL_AML_data.txt"
DESCRIPTION_FILE = "probe_descriptions.tsv"
DIAGNOSES = ("ALL-B", "ALL-T", "AML")

# sample names carry the diagnosis: ALL_<id>_B-cell, ALL_<id>_T-cell, AML_<id>
_PATTERNS = {"ALL-B": re.compile(r"ALL_\w+_B-cell"),
             "ALL-T": re.compile(r"ALL_\w+_T-cell"),
             "AML": re.compile(r"AML_\w+")}


@dataclass(frozen=True)
class Leukemia:
    """The leukemia table: V (probes x samples) and the names that go with it."""
    V: np.ndarray                 # float64, shape (5000, 38), all values >= 0
    probes: list                  # Affymetrix probe id of each row of V
    samples: list                 # sample name of each column of V
    diagnoses: list               # "ALL-B", "ALL-T" or "AML" for each column of V
    descriptions: dict = field(default_factory=dict)   # probe id -> gene description

    def describe(self, probe):
        """The published gene description of a probe ('' if there is none)."""
        return self.descriptions.get(probe, "")


def diagnosis_of(sample_name):
    """'ALL-B', 'ALL-T' or 'AML' from a sample name such as 'ALL_19769_B-cell'."""
    for diagnosis, pattern in _PATTERNS.items():
        if pattern.fullmatch(sample_name):
            return diagnosis
    raise ValueError(f"sample name {sample_name!r} does not say its diagnosis: expected "
                     "ALL_<id>_B-cell, ALL_<id>_T-cell or AML_<id>")


def read_expression_table(path):
    """Read a tab-separated expression table; return (probes, samples, V).

    Line 1 is the header: ``Name`` then one name per sample. Every other non-blank line
    is a probe id followed by one non-negative number per sample.
    """
    path = Path(path)
    lines = text_lines(path)
    header = next(((n, line) for n, line in lines if line.strip()), None)
    if header is None:
        raise ValueError(f"{path}: the file is empty")
    number, line = header
    fields = [f.strip() for f in line.split("\t")]
    if fields[0] != "Name":
        raise ValueError(f"{path}, line {number}: missing header; expected 'Name' followed by "
                         f"the sample names, tab-separated, got {line[:40]!r}")
    samples = fields[1:]
    if not samples or not all(samples):
        raise ValueError(f"{path}, line {number}: the header must name every sample "
                         "(an empty name or no names at all)")
    seen = set()
    for k, name in enumerate(samples):
        if name in seen:
            raise ValueError(f"{path}, line {number}, column {k + 2}: duplicate sample "
                             f"name {name!r}")
        seen.add(name)
    probes, rows, first_line_of = [], [], {}
    for number, line in lines:
        if not line.strip():
            continue
        fields = [f.strip() for f in line.split("\t")]
        where = f"{path}, line {number}"
        probe = fields[0]
        if len(fields) != len(samples) + 1:
            raise ValueError(f"{where}: ragged row, probe {probe!r} has {len(fields) - 1} "
                             f"values but the header names {len(samples)} samples")
        if probe in first_line_of:
            raise ValueError(f"{where}: duplicate probe {probe!r} (first on line "
                             f"{first_line_of[probe]})")
        first_line_of[probe] = number
        rows.append([parse_nonnegative(token, f"{where}, column {k + 2}", "expression values")
                     for k, token in enumerate(fields[1:])])
        probes.append(probe)
    if not rows:
        raise ValueError(f"{path}: the file has a header but no data lines")
    return probes, samples, np.array(rows, dtype=np.float64)


def read_probe_descriptions(path):
    """Read the tab-separated ``probe``, ``description`` table; return a dict."""
    path = Path(path)
    descriptions = {}
    header_seen = False
    for number, line in text_lines(path):
        if not line.strip():
            continue
        fields = line.split("\t")
        where = f"{path}, line {number}"
        if not header_seen:
            if [f.strip() for f in fields] != ["probe", "description"]:
                raise ValueError(f"{where}: missing header; expected 'probe<TAB>description', "
                                 f"got {line[:40]!r}")
            header_seen = True
            continue
        if len(fields) != 2:
            raise ValueError(f"{where}: expected 2 tab-separated fields (probe, description), "
                             f"got {len(fields)}")
        probe = fields[0].strip()
        if probe in descriptions:
            raise ValueError(f"{where}: duplicate probe {probe!r}")
        descriptions[probe] = fields[1].strip()
    if not header_seen:
        raise ValueError(f"{path}: the file is empty")
    return descriptions


def load_leukemia(path=None):
    """Load the leukemia table and its probe descriptions.

    path: the folder holding ALL_AML_data.txt and probe_descriptions.tsv; by default the
    course's data/leukemia/, found from this file, so it works from any working directory.
    """
    folder = DATA_DIR if path is None else Path(path)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder; expected the folder holding "
                                f"{EXPRESSION_FILE} and {DESCRIPTION_FILE}")
    expression = folder / EXPRESSION_FILE
    probes, samples, V = read_expression_table(expression)
    diagnoses = []
    for k, name in enumerate(samples):
        try:
            diagnoses.append(diagnosis_of(name))
        except ValueError as error:
            raise ValueError(f"{expression}, line 1, column {k + 2}: {error}") from None
    descriptions = read_probe_descriptions(folder / DESCRIPTION_FILE)
    missing = [p for p in probes if p not in descriptions]
    if missing:
        raise ValueError(f"{folder / DESCRIPTION_FILE}: no description for {len(missing)} "
                         f"probe(s) of {EXPRESSION_FILE}, the first {missing[0]!r}")
    return Leukemia(V=V, probes=probes, samples=samples, diagnoses=diagnoses,
                    descriptions=descriptions)
