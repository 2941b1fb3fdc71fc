"""papermill's nbclient engine, with the course's kernel manager (execute.KernelManager), so that a
lost wake-up of the client's asyncio sockets cannot leave a run waiting forever.

    papermill --engine nmf_course notebooks/05_reading_W.ipynb out.ipynb -p DATA_SEED 3

(registered as papermill engine "nmf_course" in pyproject.toml). Without it, papermill (2.7, on
nbclient 0.11 and pyzmq 27) now and then waits forever for a reply the kernel has already sent;
notebook 05's slider cell, which sends a burst of widget messages, did so in 1 run of 20 here.
"""

from papermill.engines import NBClientEngine

from nmf_course.execute import KernelManager


class Engine(NBClientEngine):
    """papermill's own engine, with nbclient's kernel_manager_class set to the course's."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
        kwargs.setdefault("kernel_manager_class", KernelManager)
        return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
