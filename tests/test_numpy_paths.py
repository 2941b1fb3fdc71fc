"""tests/numpy_paths.py, make test's second pass: it finds NumPy's SIMD path and can switch it."""

import os

import pytest

from numpy_paths import AVX512_GROUPS, numpy_path


def test_this_machine_runs_a_known_path():
    assert numpy_path() in {"AVX-512", "AVX2", "below AVX2"}


def test_disabling_the_avx512_groups_gives_numpys_avx2_code():
    if numpy_path() != "AVX-512":
        pytest.skip("this CPU has no AVX-512: there is nothing to disable")
    assert numpy_path({**os.environ, "NPY_DISABLE_CPU_FEATURES": AVX512_GROUPS}) == "AVX2"
    # a feature name instead of a group is ignored by NumPy 2.4, which the probe must see
    assert numpy_path({**os.environ, "NPY_DISABLE_CPU_FEATURES": "AVX512F"}) == "AVX-512"
