"""Where the course's files are, so a notebook finds its data from any folder it runs in
(notebooks/, student/, my_work/ or a grader's copy), however the course was installed.

The course folder (the clone, holding data/ and nmf_helpers.py) is the first of
1. the folder named by the environment variable NMF_COURSE_DIR, if set;
2. the folder this package sits in, when it is imported from the clone (`pip install -e .`,
   or Python started in the clone);
3. the nearest folder at or above the working directory that looks like the course (a plain
   `pip install .` copies the code into site-packages but not the data; a notebook run from
   the clone still finds it this way).
"""

from __future__ import annotations

import os
from pathlib import Path

ENVIRONMENT_VARIABLE = "NMF_COURSE_DIR"


def is_course_dir(folder):
    """Whether folder holds the course: its data/ folder and nmf_helpers.py."""
    return (folder / "data").is_dir() and (folder / "nmf_helpers.py").is_file()


def find_course_dir():
    """The course folder by the rules above, or None when none of them finds one."""
    if os.environ.get(ENVIRONMENT_VARIABLE):
        return Path(os.environ[ENVIRONMENT_VARIABLE]).expanduser().resolve()
    here = Path.cwd().resolve()
    for folder in [Path(__file__).resolve().parent.parent, here, *here.parents]:
        if is_course_dir(folder):
            return folder
    return None


COURSE_DIR = find_course_dir() or Path(__file__).resolve().parent.parent
DATA_DIR = COURSE_DIR / "data"


def data_file(name):
    """The path of a file in the course's data/ folder, e.g. data_file("atlas_counts.txt")."""
    if not DATA_DIR.is_dir():
        raise FileNotFoundError(
            f"the course's data folder was not found (looked in {DATA_DIR}): this happens after a "
            f"plain `pip install .`, which copies the code but not data/. Set {ENVIRONMENT_VARIABLE} "
            "to the course folder (the clone holding data/), or install with `pip install -e .`")
    path = DATA_DIR / name
    if not path.exists():
        raise FileNotFoundError(f"{name!r} is not in the course's data folder {DATA_DIR.name}/ "
                                f"(files there: {', '.join(sorted(p.name for p in DATA_DIR.iterdir()))})")
    return path


# Problem 3 (notebook 06): a term's graded tables, as `make problem3 SEED=... OUT=...` names them
PROBLEM3_VARIABLE = "NMF_PROBLEM3_DIR"
PROBLEM3_FILES = ("problem3_counts.txt", "problem3_counts_hard.txt")


def problem3_tables():
    """(main, harder): the term's graded tables for Problem 3, from the folder named by
    NMF_PROBLEM3_DIR or else problem3/ in the course folder; when they are not there, say so
    plainly and return the self-study tables of data/ instead."""
    folder = Path(os.environ.get(PROBLEM3_VARIABLE) or COURSE_DIR / "problem3").expanduser()
    found = [folder / name for name in PROBLEM3_FILES]
    if all(path.is_file() for path in found):
        print(f"Problem 3: the term's tables in {folder}")
        return tuple(found)
    print(f"THE TERM'S PROBLEM 3 TABLES ARE MISSING: {' and '.join(PROBLEM3_FILES)} are not in {folder}.\n"
          "In a class, put the two files your instructor hands out there (the folder problem3/ in the\n"
          "course folder; git ignores it) and run the notebook again. Working alone, go on: this run\n"
          "uses the self-study tables data/atlas_counts.txt and data/atlas_counts_hard.txt.")
    return data_file("atlas_counts.txt"), data_file("atlas_counts_hard.txt")
