"""Self-checks for students: check_...() functions that test a student's code.

Each check runs the student's function on small cases, compares with the helper's own
answer, and either prints one PASSED line or raises SelfCheckError with a sentence that
says what is wrong (a shape, a negative entry, a deviance that went up, the first entry
that differs). One module per notebook (nbNN.py); nmf_helpers re-exports every check.
"""

from importlib import import_module

from nmf_course.selfchecks.common import SelfCheckError

NOTEBOOK_MODULES = [import_module(f"nmf_course.selfchecks.nb{n:02d}") for n in range(1, 12)]
__all__ = ["SelfCheckError"]
for _module in NOTEBOOK_MODULES:
    globals().update({name: getattr(_module, name) for name in _module.__all__})
    __all__ += _module.__all__
