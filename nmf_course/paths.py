"""Where the course's files are, found from the installed package, so a notebook finds its
data from any folder it runs in (notebooks/, student/, my_work/ or a grader's copy)."""

from __future__ import annotations

from pathlib import Path

COURSE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = COURSE_DIR / "data"


def data_file(name):
    """The path of a file in the course's data/ folder, e.g. data_file("atlas_counts.txt")."""
    path = DATA_DIR / name
    if not path.exists():
        raise FileNotFoundError(f"{name!r} is not in the course's data folder {DATA_DIR.name}/ "
                                f"(files there: {', '.join(sorted(p.name for p in DATA_DIR.iterdir()))})")
    return path
