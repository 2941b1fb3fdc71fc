"""The course's count-table text format: read it with load_counts, write it with save_counts.

One gene per line: its name, then one whole-number count per sample, separated by spaces
or tabs; '#' lines are comments. Errors name the file, the line and what is wrong.
No pickle is involved anywhere.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from nmf_course.validation import as_matrix

LARGEST_COUNT = np.iinfo(np.int64).max  # counts are stored as 64-bit integers


def text_lines(path):
    """Yield (line number, line without its line ending) of a UTF-8 text file; a byte that is
    not UTF-8 is a ValueError naming file and line."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise ValueError(f"{path}, line {line}: byte {data[error.start]:#04x} is not UTF-8 "
                         "text") from None
    yield from enumerate(text.splitlines(), start=1)


def _parse_finite(token, where, noun):
    """float(token), or a ValueError saying that token is not a number, or not a finite one."""
    try:
        value = float(token)
    except ValueError:
        raise ValueError(f"{where}: {token!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{where}: {token!r} is not a finite {noun}")
    return value


def parse_nonnegative(token, where, what):
    """Read one finite number >= 0 from a text token (``what`` names such values in the error:
    "expression values", "signature probabilities"), or raise ValueError saying why not."""
    value = _parse_finite(token, where, "number")
    if value < 0:
        raise ValueError(f"{where}: negative value {token}; {what} must be >= 0")
    return value


def parse_count(token, where):
    """Read one whole-number count from a text token, or raise ValueError saying why not."""
    try:
        count = int(token)  # int("-3") works; the sign is checked by load_counts
    except ValueError:
        value = _parse_finite(token, where, "count")
        if value != int(value):
            raise ValueError(f"{where}: {token!r} is a fractional count; counts are whole numbers")
        count = int(value)
    if abs(count) > LARGEST_COUNT:
        raise ValueError(f"{where}: {token!r} is too large for a count (at most {LARGEST_COUNT:,})")
    return count


def load_counts(path):
    """Read a count table in the course's text format; return (gene_names, V).

    One gene per line: its name, then one whole-number count per sample, separated by
    spaces or tabs. Lines starting with '#' are comments; blank lines are skipped.
    The file must be UTF-8 text (a byte-order mark and Windows line endings are fine).
    Errors name the file, the line number and what is wrong. No pickle is involved.
    """
    path = Path(path)
    data = path.read_bytes()
    try:  # a file saved in another encoding (or a binary file) gets a message naming the line
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[:error.start]
        line = len(before.splitlines()) + (not before or before.endswith((b"\n", b"\r")))
        raise ValueError(f"{path}, line {line}: byte {data[error.start]:#04x} is not UTF-8 text; "
                         "save the file as UTF-8 (plain text)") from None
    names, rows, first_line_of = [], [], {}
    expected, expected_line = None, None
    with open(path, encoding="utf-8-sig", newline=None) as handle:  # newline=None reads \r\n too
        for number, line in enumerate(handle, start=1):
            fields = line.split()
            if not fields or fields[0].startswith("#"):
                continue
            where = f"{path}, line {number}"
            name, tokens = fields[0], fields[1:]
            if not tokens:
                raise ValueError(f"{where}: gene {name!r} has no counts")
            if expected is None:
                expected, expected_line = len(tokens), number
            elif len(tokens) != expected:
                raise ValueError(f"{where}: ragged row, gene {name!r} has {len(tokens)} counts "
                                 f"but line {expected_line} has {expected}")
            if name in first_line_of:
                raise ValueError(f"{where}: duplicate gene name {name!r} "
                                 f"(first seen on line {first_line_of[name]})")
            counts = [parse_count(token, f"{where}, column {k + 2}") for k, token in enumerate(tokens)]
            negative = [c for c in counts if c < 0]
            if negative:
                raise ValueError(f"{where}: negative count {negative[0]} for gene {name!r}")
            first_line_of[name] = number
            names.append(name)
            rows.append(counts)
    if not rows:
        raise ValueError(f"{path}: the file has no data lines (it is empty or only comments)")
    return names, np.array(rows, dtype=np.int64)


def save_counts(path, gene_names, V, comment=None):
    """Write gene names and counts V (N x M whole numbers) in the course's text format.

    ``comment`` (optional) is written first, each of its lines prefixed with '# '.
    """
    counts = as_matrix(V, "V")
    if not np.all(counts == np.round(counts)):
        raise ValueError("V must hold whole-number counts to be saved as a count table")
    names = list(gene_names)
    if len(names) != counts.shape[0]:
        raise ValueError(f"got {len(names)} gene names for {counts.shape[0]} rows of V")
    for name in names:
        if not isinstance(name, str) or not name or any(c.isspace() for c in name) or name.startswith("#"):
            raise ValueError(f"gene name {name!r} must be a non-empty string without spaces, not starting with '#'")
    if len(set(names)) != len(names):
        duplicate = next(n for n in names if names.count(n) > 1)
        raise ValueError(f"duplicate gene name {duplicate!r}")
    lines = [f"# {text}" for text in (comment.splitlines() if comment else [])]
    lines += [" ".join([name, *(str(int(c)) for c in row)]) for name, row in zip(names, counts)]
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
