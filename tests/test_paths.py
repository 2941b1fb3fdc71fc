"""nmf_course.paths: the course folder is found from the clone, from a folder inside it, or from
NMF_COURSE_DIR, and a missing data folder is named with what to do."""

import os
import subprocess
import sys

from conftest import ROOT


def course_dir_seen(cwd, env_extra, code="from nmf_course import paths; print(paths.COURSE_DIR)"):
    """What a fresh interpreter that imports paths from a copy outside the clone finds."""
    env = {k: v for k, v in os.environ.items() if k != "NMF_COURSE_DIR"}
    env.update(env_extra)
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True)


def installed_copy(tmp_path):
    """The package alone, as a plain `pip install .` puts it into site-packages (no data/)."""
    site = tmp_path / "site-packages"
    (site / "nmf_course").mkdir(parents=True)
    for name in ("__init__.py", "paths.py"):
        (site / "nmf_course" / name).write_bytes((ROOT / "nmf_course" / name).read_bytes())
    return site


def test_a_plain_install_finds_the_course_from_a_folder_inside_it(tmp_path):
    site = installed_copy(tmp_path)
    seen = course_dir_seen(ROOT / "notebooks", {"PYTHONPATH": str(site)})
    assert seen.stdout.strip() == str(ROOT), seen.stderr


def test_nmf_course_dir_points_anywhere(tmp_path):
    site = installed_copy(tmp_path)
    seen = course_dir_seen(tmp_path, {"PYTHONPATH": str(site), "NMF_COURSE_DIR": str(ROOT)})
    assert seen.stdout.strip() == str(ROOT), seen.stderr


def test_without_the_course_data_file_says_what_to_do(tmp_path):
    site = installed_copy(tmp_path)
    seen = course_dir_seen(tmp_path, {"PYTHONPATH": str(site)},
                           "from nmf_course import paths; paths.data_file('atlas_counts.txt')")
    assert seen.returncode == 1
    assert "NMF_COURSE_DIR" in seen.stderr and "pip install -e ." in seen.stderr, seen.stderr
