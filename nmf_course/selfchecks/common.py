"""What every self-check shares: the error it raises, its PASSED line, small test problems
and the helpers that turn a student's return value into arrays or a sentence."""

from __future__ import annotations

import numpy as np

import nmf_helpers as nh  # the reference answers (used at call time only)

__all__ = ["SelfCheckError", "fail", "passed", "small_problems", "returned", "as_pair",
           "first_mismatch"]


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
