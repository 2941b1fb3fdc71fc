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
