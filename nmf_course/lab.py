"""Start JupyterLab with the course's own settings (what `make lab` runs).

    python -m nmf_course.lab [JUPYTER LAB OPTIONS ...]

JupyterLab keeps its settings per user account (~/.jupyter/lab/user-settings), and
jupyterlab-slideshow stores "Start Deck" there as `"active": true`: after a presentation every
notebook opened on that account, a student's homework included, would open as slides. So the
course's JupyterLab reads and writes its settings in a folder of its own, LAB_SETTINGS_DIR
(.lab-settings/, git-ignored; JupyterLab's `--LabApp.user_settings_dir`), and every start
first copies the course's settings from lab/user-settings/ over it:

    jupyterlab-slideshow/plugin                 the deck off ("active": false)
    @jupyterlab/apputils-extension/notification no "Jupyter news" pop-up, no update check

so a deck left running, or a reload while presenting, never outlasts the server: the next
`make lab` opens every notebook as a notebook. Other settings changed in the course's
JupyterLab (a theme, a font size) are kept between starts. The user's own JupyterLab
(`jupyter lab` outside the course) never sees any of this.
"""

import os
import shutil
import sys

from nmf_course.paths import COURSE_DIR as ROOT

COURSE_SETTINGS = ROOT / "lab" / "user-settings"
LAB_SETTINGS_DIR = ROOT / ".lab-settings"


def prepare_settings(settings_dir=LAB_SETTINGS_DIR):
    """Copy the course's settings files over settings_dir (created if missing); returns it."""
    for source in sorted(COURSE_SETTINGS.rglob("*.jupyterlab-settings")):
        target = settings_dir / source.relative_to(COURSE_SETTINGS)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return settings_dir


def command(extra=(), settings_dir=LAB_SETTINGS_DIR):
    """The `jupyter lab` command line that reads and writes the course's settings only."""
    jupyter = os.path.join(os.path.dirname(sys.executable), "jupyter")
    return [jupyter, "lab", f"--LabApp.user_settings_dir={settings_dir}", *extra]


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    prepare_settings()
    args = command(argv)
    os.execv(args[0], args)


if __name__ == "__main__":
    main()
