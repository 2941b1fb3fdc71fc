"""make test's second pass: strict nbval again on NumPy's AVX2 code, where the CPU has AVX-512.

NumPy chooses its SIMD code for log, exp and divisions when it is imported, from the CPU:
AVX-512 code where the CPU has it, AVX2 code where it does not (most students' laptops). The
last bits of the two differ, so a printed number that the last bits decide would pass on one
and fail on the other. The first pass of make test runs every notebook on this machine's own
path; this script re-runs the notebooks whose outputs come from fits (and instructor/'s) with NumPy's AVX-512
groups disabled (NPY_DISABLE_CPU_FEATURES), and says which paths were checked.

    python tests/numpy_paths.py [pytest options]     (make test passes its nbval options)

OpenBLAS's kernels (OPENBLAS_CORETYPE=Haswell) are the other axis; they are checked by hand
before outputs are committed (README, "Testing").
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# NumPy 2.4 dispatches by group: X86_V3 is AVX2, these three are AVX-512. Feature names such as
# AVX512F are ignored there (with only an ImportWarning), so the groups are named.
AVX512_GROUPS = "X86_V4 AVX512_ICL AVX512_SPR"
FIT_NOTEBOOKS = ["02_update_rules_loops", "04_choosing_R", "05_reading_W", "06_provided_data",
                 "07_time_series", "08_calcium_imaging", "09_parts_vs_wholes",
                 "10_objectives_ratings_words", "11_leukemia_consensus", "12_mutational_signatures",
                 "13_algorithms", "14_audio"]
INSTRUCTOR = [str(path) for path in sorted((ROOT / "instructor").glob("[0-9][0-9]_*.ipynb"))]


def numpy_path(env=None):
    """'AVX-512', 'AVX2' or 'below AVX2': the SIMD code NumPy runs in a fresh interpreter."""
    probe = ("from numpy._core._multiarray_umath import __cpu_features__ as f; "
             "print('AVX-512' if f.get('X86_V4') or f.get('AVX512_SKX') else "
             "'AVX2' if f.get('X86_V3') or f.get('AVX2') else 'below AVX2')")
    return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env=env, check=True).stdout.strip()


def main(pytest_options):
    own = numpy_path()
    print(f"\nNumPy SIMD paths: the first pass ran this machine's own, {own}.")
    if own != "AVX-512":
        print("The AVX-512 path was not checked here: this CPU has no AVX-512 "
              "(the committed outputs were made on one that has).")
        return 0
    env = {**os.environ, "NPY_DISABLE_CPU_FEATURES": AVX512_GROUPS}
    if numpy_path(env) != "AVX2":
        print(f"NPY_DISABLE_CPU_FEATURES={AVX512_GROUPS!r} did not give NumPy's AVX2 code: "
              "the AVX2 path was not checked", file=sys.stderr)
        return 1
    notebooks = [str(ROOT / "notebooks" / f"{name}.ipynb") for name in FIT_NOTEBOOKS] + INSTRUCTOR
    print(f"Second pass: NumPy's AVX2 path (NPY_DISABLE_CPU_FEATURES={AVX512_GROUPS!r}), "
          f"strict nbval on the {len(notebooks)} notebooks whose outputs come from fits.")
    status = subprocess.run([sys.executable, "-m", "pytest", *pytest_options, *notebooks],
                            cwd=ROOT, env=env).returncode
    print(f"NumPy SIMD paths checked: AVX-512 (all notebooks) and AVX2 ({len(notebooks)} notebooks): "
          + ("both passed" if status == 0 else "the AVX2 pass FAILED"))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
