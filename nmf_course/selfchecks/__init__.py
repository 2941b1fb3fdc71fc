"""Self-checks for students: check_...() functions that test a student's code.

Each check runs the student's function on small cases, compares with the helper's own
answer, and either prints one PASSED line or raises SelfCheckError with a sentence that
says what is wrong (a shape, a negative entry, a deviance that went up, the first entry
that differs). One module per notebook (nbNN.py); nmf_helpers re-exports every check.

The raw checks in nbNN.py always raise. What this package exports (and nmf_helpers
re-exports, the `selfchecks.check_...` students call) is each check wrapped by
common.reporting:

- a student's function that only calls the helper's own answer fails: each check has a
  tuple of reference names (nh functions it must not delegate to), from REFERENCES below,
  updated by an optional `REFERENCES = {"check_xxx": ("update_loops", ...)}` in its
  nbNN.py module;
- inside a Jupyter kernel a failure prints a short box (`UNFINISHED check_xxx: ...`,
  `FAILED check_xxx: ...`, `ERROR check_xxx: ...`) and the notebook goes on (Run All
  reaches the end); under pytest, scripts, `make grade` and nbgrader it raises, as the raw
  check does (see common.check_mode; NMF_COURSE_CHECKS=raise|report overrides).
"""

from importlib import import_module

from nmf_course.selfchecks.common import MODE_VARIABLE, SelfCheckError, check_mode, reporting

# The helper functions that are each check's answer, which a student's function must not
# call (by name in nmf_helpers). An nbNN.py module may add or override entries with its
# own REFERENCES dict of the same form.
REFERENCES = {
    "check_log_likelihood": ("log_likelihood",),
    "check_update": ("update_loops", "update_broadcast", "update_matmul"),
    "check_nmf": ("nmf", "fit_kl"),
    "check_information_criteria": ("information_criteria", "rank_scan"),
    "check_row_normalize": ("row_normalize",),
    "check_moonlighters": ("find_moonlighters",),
}

NOTEBOOK_MODULES = [import_module(f"nmf_course.selfchecks.nb{n:02d}") for n in range(1, 15)]
RAW_CHECKS = {}
__all__ = ["SelfCheckError"]
for _module in NOTEBOOK_MODULES:
    REFERENCES.update(getattr(_module, "REFERENCES", {}))
for _module in NOTEBOOK_MODULES:
    for _name in _module.__all__:
        _obj = getattr(_module, _name)
        if _name.startswith("check_") and callable(_obj):
            RAW_CHECKS[_name] = _obj
            _obj = reporting(_obj, REFERENCES.get(_name, ()))
        globals()[_name] = _obj
    __all__ += _module.__all__
