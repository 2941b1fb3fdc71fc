"""Execute course notebooks in place, the one way every committed output is made.

    python -m nmf_course.execute notebooks/02_update_rules_loops.ipynb [more.ipynb ...]
    python -m nmf_course.execute --no-run notebooks/*.ipynb   (after a metadata-only change:
                                                             normalise and rewrite the twins)

Each notebook runs top to bottom in a fresh kernel started in its own folder (as nbval and
JupyterLab do), with a time limit per cell and for the whole notebook, so an unattended run
fails with the notebook and cell named instead of hanging; its client waits for the kernel's
messages in slices (SlicedChannel), so a lost wake-up cannot hang it either. Then the file is
normalised:

- the kernel is named as JupyterLab names it ("Python 3 (ipykernel)"), so saving the
  notebook in JupyterLab changes nothing there;
- execution timestamps (cell metadata "execution") are dropped: they change on every run;
- widget state is kept: static slides (make slides) show the figure a widget last held;

and its reviewable text twin, <folder>/py/<name>.py (jupytext "py:percent", sources only), is
written the way `jupytext --sync` and JupyterLab write it: from the pairing in the notebook's own
metadata (PAIRING). tests/test_notebook_files.py checks both stay in sync, and that jupytext's
sync finds nothing to change.

What is nbclient's and jupytext's here, and what is not: the execution is nbclient's
NotebookClient and the twin is jupytext's own writer (jupytext.writes, paired_paths). Kept as
the course's own: the client's sliced polling (nbclient's channel waits on asyncio and can miss
the kernel's reply: the lost wake-up that also stalled papermill's engine), and the
normalisation above, which neither nbclient nor jupytext does.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from queue import Empty

import jupytext
import nbformat
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from jupyter_client.manager import AsyncKernelManager
from jupytext.paired_paths import paired_paths
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError
from traitlets import Type

from nmf_course.paths import COURSE_DIR

CELL_TIMEOUT = 300        # seconds one cell may take
NOTEBOOK_TIMEOUT = 900    # seconds one notebook may take
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
# jupytext's pairing, in the metadata of every notebook of notebooks/ and instructor/ (not of
# student/'s: student_version drops it): the text twin <folder>/py/<name>.py, sources only
PAIRING = {"formats": "ipynb,py//py:percent", "notebook_metadata_filter": "-all"}


POLL_SLICE = 1.0          # seconds a client waits on a socket before it looks again


class SlicedChannel(AsyncZMQSocketChannel):
    """A kernel client's channel that waits for a message in slices of POLL_SLICE seconds.

    nbclient waits for a cell's reply with one asyncio poll of the shell socket, woken through
    zmq's edge-triggered descriptor. Now and then that wake-up is lost and the poll waits forever
    for a reply that has arrived (seen under papermill at notebook 05's slider cell, after a burst
    of widget messages: the socket reported POLLIN while the poll still waited). A poll that times
    out reads the socket's real state, so here a message is seen at most POLL_SLICE late.
    """

    async def get_msg(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = POLL_SLICE if deadline is None else max(0.0, min(POLL_SLICE, deadline - time.monotonic()))
            if await self.socket.poll(int(left * 1000)):
                return await self._recv()
            if deadline is not None and time.monotonic() >= deadline:
                raise Empty


class KernelClient(AsyncKernelClient):
    shell_channel_class = Type(SlicedChannel)
    iopub_channel_class = Type(SlicedChannel)


class KernelManager(AsyncKernelManager):
    """nbclient's kernel manager, whose clients wait in slices (SlicedChannel); papermill's
    engine "nmf_course" (nmf_course.papermill_engine) uses it too."""

    client_factory = Type(KernelClient)


def text_twins(path, nb):
    """[(path, jupytext format)] of the text files the notebook is paired with (its metadata)."""
    formats = nb.metadata.get("jupytext", {}).get("formats")
    if not formats:
        raise ValueError(f"{path}: not paired with a text twin (no jupytext formats in its metadata)")
    return [(Path(twin), fmt) for twin, fmt in paired_paths(str(path), "ipynb", formats)
            if fmt["extension"] != ".ipynb"]


def normalize(nb):
    """Drop what changes on every run or every save (in place); return nb."""
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    return nb


def only_metadata_changed(old, new, tool):
    """Refuse (RuntimeError naming the tool) unless new differs from old in metadata only."""
    if len(old.cells) != len(new.cells):
        raise RuntimeError(f"{tool} would add or remove cells: refusing")
    for old_cell, new_cell in zip(old.cells, new.cells):
        for key in ("cell_type", "source", "outputs", "execution_count", "attachments", "id"):
            if old_cell.get(key) != new_cell.get(key):
                raise RuntimeError(f"{tool} would change a cell's {key}: refusing")


def rewrite_metadata(paths, with_metadata, check=False):
    """Write with_metadata(nb, path) over each notebook (or, with check=True, only compare).

    Returns the paths whose file would change. Used by the slide and nbgrader metadata tools.
    """
    differing = []
    for path in map(Path, paths):
        text = path.read_text(encoding="utf-8")
        out = nbformat.writes(with_metadata(nbformat.reads(text, as_version=4), path))
        out = out if out.endswith("\n") else out + "\n"
        if out != text:
            differing.append(path)
            if not check:
                path.write_text(out, encoding="utf-8")
    return differing


def metadata_tool_main(argv, process, what, module):
    """The command line both metadata tools share: process the notebooks given (default
    notebooks/NN_*.ipynb); with --check change nothing and exit 1 if one would change."""
    parser = argparse.ArgumentParser(description=f"Set {what} on the course notebooks.")
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to process (default: notebooks/NN_*.ipynb)")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a notebook would change")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((COURSE_DIR / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    differing = process(paths, check=args.check)
    for path in differing:
        print(f"{'needs ' + what if args.check else 'updated'}: {path}")
    if args.check and differing:
        print(f"run: python -m {module}", file=sys.stderr)
        return 1
    return 0


def text_version(nb, fmt):
    """The notebook's sources as jupytext writes them in format fmt (as `jupytext --sync` does)."""
    text = jupytext.writes(nb, fmt=fmt)
    return text if text.endswith("\n") else text + "\n"


def write_text_twins(path, nb):
    for twin, fmt in text_twins(path, nb):
        twin.parent.mkdir(exist_ok=True)
        twin.write_text(text_version(nb, fmt), encoding="utf-8")


def execute(path, cell_timeout=CELL_TIMEOUT, notebook_timeout=NOTEBOOK_TIMEOUT):
    """Run the notebook at path top to bottom in a fresh kernel and save it normalised.

    Raises RuntimeError naming the notebook and the cell when a cell fails or times out,
    or when the whole notebook takes longer than notebook_timeout seconds.
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=cell_timeout, startup_timeout=60, kernel_name="python3",
                            kernel_manager_class=KernelManager,
                            resources={"metadata": {"path": str(path.parent)}})
    deadline = time.monotonic() + notebook_timeout
    code_cells = [k for k, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    with client.setup_kernel():
        for number, index in enumerate(code_cells, start=1):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{path}: stopped before code cell {number} (cell {index}): "
                                   f"the notebook took over {notebook_timeout} s")
            try:
                client.execute_cell(nb.cells[index], index, execution_count=number)
            except (CellExecutionError, CellTimeoutError) as error:
                raise RuntimeError(f"{path}: code cell {number} (cell {index}) failed: "
                                   f"{str(error).strip().splitlines()[-1]}") from None
        client.set_widgets_metadata()
    normalize(nb)
    nbformat.write(nb, path)
    write_text_twins(path, nb)


def refresh(path):
    """Normalise a notebook without running it and rewrite its text twin (metadata-only edits)."""
    nb = normalize(nbformat.read(path, as_version=4))
    nbformat.write(nb, path)
    write_text_twins(path, nb)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--cell-timeout", type=int, default=CELL_TIMEOUT)
    parser.add_argument("--notebook-timeout", type=int, default=NOTEBOOK_TIMEOUT)
    parser.add_argument("--no-run", action="store_true",
                        help="only normalise and rewrite the text twins (outputs untouched)")
    args = parser.parse_args(argv)
    if args.no_run:
        for path in args.notebooks:
            refresh(path)
        return 0
    for path in args.notebooks:
        start = time.perf_counter()
        try:
            execute(path, args.cell_timeout, args.notebook_timeout)
        except RuntimeError as error:
            print(error, file=sys.stderr)
            return 1
        print(f"executed {path} in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
