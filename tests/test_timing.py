"""nmf_course.timing.time_call: the median time per call, and the last result."""

import time

from nmf_course.timing import time_call


def test_time_call_returns_the_median_time_per_call_and_the_result():
    calls = []

    def sleepy():
        calls.append(1)
        time.sleep(0.002)
        return len(calls)

    seconds, result = time_call(sleepy, repeats=3, min_seconds=0.01)
    assert 0.002 <= seconds < 0.2
    assert result == len(calls) and len(calls) >= 1 + 3  # one measuring call, then the repeats


def test_min_seconds_zero_makes_one_call_per_repeat():
    calls = []
    _, result = time_call(lambda: calls.append(1) or len(calls), repeats=5, min_seconds=0)
    assert len(calls) == 5 and result == 5
