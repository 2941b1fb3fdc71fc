"""Timing a call: the one helper notebooks 03 and 10 and the benchmark use."""

from __future__ import annotations

import statistics
import time


def time_call(function, repeats=3, min_seconds=0.02):
    """Median over `repeats` of the seconds one call of function() takes, and its last result.

    With min_seconds > 0 a first call measures roughly how long a call takes (and warms up),
    then each repeat makes enough calls to last about min_seconds, so short calls are timed
    well; the median ignores the odd slow repeat when the machine is busy elsewhere.
    With min_seconds = 0 each repeat is a single call and there is no first call (long calls).
    """
    number = 1
    if min_seconds > 0:
        start = time.perf_counter()
        function()
        number = max(1, min(500, int(min_seconds / max(time.perf_counter() - start, 1e-9))))
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            result = function()
        times.append((time.perf_counter() - start) / number)
    return statistics.median(times), result
