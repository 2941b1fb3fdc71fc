"""What every self-check shares: the error it raises, its PASSED line, small test problems
and the helpers that turn a student's return value into arrays or a sentence."""

from __future__ import annotations

import functools
import html
import inspect
import os
import re
import traceback
import types

import numpy as np

import nmf_helpers as nh  # the reference answers (used at call time only)

__all__ = ["SelfCheckError", "fail", "passed", "small_problems", "call_on_copies", "returned", "as_pair",
           "first_mismatch", "delegated_to", "check_not_delegated", "check_mode", "outcome",
           "show_box", "reporting", "MODE_VARIABLE"]


class SelfCheckError(AssertionError):
    """Raised by a check_...() function when a student's code does not do what it should."""


def fail(check, message):
    raise SelfCheckError(f"{check}: {message}")


def passed(check, message):
    print(f"PASSED {check}: {message}")


def small_problems(n=4):
    """Small (V, W, H) test cases; the last has a gene with W H = 0 and a sample with no counts."""
    problems = []
    for seed in range(n):
        rng = np.random.default_rng(1000 + seed)
        N, M, R = 6 + seed, 5 + seed, 2 + seed % 2
        sim = nh.simulate(N, M, R, n_moonlighters=1, depth=(200, 400), seed=rng)
        V = sim.V.astype(float)
        W, H = nh.random_start(rng, N, M, R, V, np.float64)
        if seed == n - 1:  # gene 0 has no counts and no weight (as after a fit), sample 0 no counts
            V[0, :] = 0
            V[:, 0] = 0
            W[0, :] = 0
            W /= W.sum(axis=0)
        problems.append((V, W, H))
    return problems


def call_on_copies(fn, check, V, W, H):
    """fn(V, W, H) on copies of the arrays; fail if the student's function changed any of them."""
    inputs = (V.copy(), W.copy(), H.copy())
    result = fn(*inputs)
    for name, before, after in zip("VWH", (V, W, H), inputs):
        if not np.array_equal(before, after):
            fail(check, f"your function changed its input {name}; work on new arrays instead")
    return result


def returned(result, check):
    """The student's result, or a plain failure when the function returned nothing."""
    if result is None:
        fail(check, "your function returned None: did you forget the `return` line?")
    return result


def as_pair(result, check):
    if not (isinstance(result, tuple) and len(result) == 2):
        fail(check, f"your function should return a tuple (W, H), but it returned {type(result).__name__}")
    return np.asarray(result[0], dtype=float), np.asarray(result[1], dtype=float)


def first_mismatch(mine, reference, rtol=1e-6, atol=1e-9):
    """'' if the arrays agree, else a sentence naming the first differing entry."""
    if mine.shape != reference.shape:
        return f"has shape {mine.shape} but should have shape {reference.shape}"
    close = np.isclose(mine, reference, rtol=rtol, atol=atol)
    if close.all():
        return ""
    index = tuple(int(k) for k in np.argwhere(~close)[0])
    return f"differs at {list(index)}: yours is {mine[index]:.6g}, expected {reference[index]:.6g}"


# --- delegation: a student's function that only calls the helper's own answer ------------

def _course_module(module):
    name = getattr(module, "__name__", "")
    return name == "nmf_helpers" or name == "nmf_course" or name.startswith("nmf_course.")


def _is_reference(obj, name):
    """Whether obj is the course's own function called `name` (nh.name or its source)."""
    return (callable(obj) and getattr(obj, "__name__", None) == name
            and str(getattr(obj, "__module__", "")).startswith(("nmf_helpers", "nmf_course")))


def _code_objects(code):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):       # lambdas, comprehensions, inner defs
            yield from _code_objects(const)


def delegated_to(fn, references, _seen=None):
    """The first of `references` (names of nmf_helpers functions) that `fn` calls, or None.

    Only functions written in the notebook are judged (module "__main__": a notebook's or a
    script's own code): their code objects are read for names that resolve to the helper's
    function of that name (`nh.update_loops`, `from nmf_helpers import update_loops`, a
    module alias of nmf_helpers or nmf_course), recursively through the other functions of
    the notebook that they call. Functions from modules (the tests' lambdas, the helper's
    own functions handed in directly) are not judged."""
    if not references:
        return None
    _seen = set() if _seen is None else _seen
    fn = inspect.unwrap(fn) if callable(fn) else fn
    fn = getattr(fn, "__func__", fn)                                    # bound methods
    if not isinstance(fn, types.FunctionType) or fn.__module__ != "__main__" or id(fn) in _seen:
        return None
    _seen.add(id(fn))
    namespace = dict(fn.__globals__)
    if fn.__closure__:
        for var, cell in zip(fn.__code__.co_freevars, fn.__closure__):
            try:
                namespace[var] = cell.cell_contents
            except ValueError:                                          # an empty cell
                pass
    for code in _code_objects(fn.__code__):
        names = set(code.co_names) | set(code.co_freevars)
        modules = [n for n in names if isinstance(namespace.get(n), types.ModuleType)
                   and _course_module(namespace[n])]
        for name in references:
            if name not in names:
                continue
            if _is_reference(namespace.get(name), name):                # from nmf_helpers import name
                return name
            if any(_is_reference(getattr(namespace[m], name, None), name) for m in modules):
                return name                                             # nh.name
        for name in sorted(names):                                      # the notebook's other functions
            found = delegated_to(namespace.get(name), references, _seen)
            if found:
                return found
    return None


def check_not_delegated(check, args, kwargs, references):
    """fail() when a function handed to a check calls one of the helper's own answers."""
    for value in list(args) + list(kwargs.values()):
        if isinstance(value, types.FunctionType):
            name = delegated_to(value, references)
            if name:
                fail(check, f"your function {value.__name__} calls nh.{name}, the helper's own answer: "
                            "write the steps yourself")


# --- reporting: run interactively, a check prints a short box instead of raising ---------

MODE_VARIABLE = "NMF_COURSE_CHECKS"


def check_mode():
    """'raise' or 'report': what a check does when a student's function is wrong or unfinished.

    NMF_COURSE_CHECKS=raise|report decides when set (make grade sets raise). Otherwise a check
    raises under nbgrader (which sets NBGRADER_EXECUTION=autograde or validate while it runs a
    notebook, so an autograded cell fails and scores 0) and outside a Jupyter kernel (pytest,
    scripts), and reports inside a kernel (JupyterLab, RISE, nbclient), so that Run All goes on.
    """
    mode = os.environ.get(MODE_VARIABLE, "").strip().lower()
    if mode in ("raise", "report"):
        return mode
    if os.environ.get("NBGRADER_EXECUTION"):
        return "raise"
    try:
        from IPython import get_ipython
    except ImportError:
        return "raise"
    shell = get_ipython()
    return "report" if shell is not None and getattr(shell, "kernel", None) is not None else "raise"


def _student_function_name(args, kwargs):
    for value in list(args) + list(kwargs.values()):
        if isinstance(value, types.FunctionType):
            return value.__name__
    return None


def outcome(check, error, args=(), kwargs=None):
    """(status, sentence) for an exception raised while checking: UNFINISHED, FAILED or ERROR."""
    kwargs = kwargs or {}
    mine = _student_function_name(args, kwargs)
    if isinstance(error, NotImplementedError):
        where = f" in {mine}" if mine else ""
        return "UNFINISHED", (f'replace "# YOUR CODE HERE" and the raise line{where} with your code, '
                              "then run this cell again")
    if isinstance(error, SelfCheckError):
        return "FAILED", re.sub(rf"^{re.escape(check)}: ", "", str(error))
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if not f.filename.startswith(_PACKAGE_DIR) and not f.filename.endswith("nmf_helpers.py")]
    where = f" (in {frames[-1].name}, line {frames[-1].lineno})" if frames else ""
    what = f"your function {mine}" if mine else "your code"
    return "ERROR", f"{what} raised {type(error).__name__}: {error}{where}"


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_COLOURS = {"UNFINISHED": ("#8a6d00", "#fff8dc"), "FAILED": ("#a40000", "#fff0f0"),
            "ERROR": ("#a40000", "#fff0f0")}


def show_box(status, check, sentence):
    """Display `STATUS check: sentence` as a short coloured box (plain text outside a browser)."""
    text = f"{status} {check}: {sentence}"
    colour, background = _COLOURS.get(status, ("#333", "#f4f4f4"))
    html_text = (f'<div style="border:2px solid {colour};background:{background};color:#111;'
                 f'padding:6px 10px;margin:4px 0;font-family:monospace;white-space:pre-wrap">'
                 f'<b style="color:{colour}">{status}</b> {html.escape(check)}: {html.escape(sentence)}</div>')
    try:
        from IPython.display import display
    except ImportError:
        print(text)
        return
    display({"text/plain": text, "text/html": html_text}, raw=True)


def reporting(check_function, references=()):
    """The check as students call it (selfchecks.check_...): it first fails a function that only
    calls the helper's own answer (`references`), then runs the check; in 'report' mode
    (check_mode) a failure shows a box and returns None instead of raising; in 'raise' mode
    the exception propagates as the raw check raises it (tests, make grade, nbgrader)."""
    name = check_function.__name__

    @functools.wraps(check_function)
    def check(*args, **kwargs):
        try:
            check_not_delegated(name, args, kwargs, references)
            result = check_function(*args, **kwargs)
        except Exception as error:        # noqa: BLE001 (a student's code may raise anything)
            if check_mode() == "raise":
                raise
            status, sentence = outcome(name, error, args, kwargs)
            show_box(status, name, sentence)
            return None                   # (nothing for the cell to echo as Out[n])
        return result

    check.raw = check_function
    check.references = tuple(references)
    return check
