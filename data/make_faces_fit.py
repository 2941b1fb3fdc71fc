"""Rebuild notebook 09's converged NMF of Lee & Seung's faces, data/cbcl_faces/nmf_fit_r49_seed0.npz.

    python data/make_faces_fit.py            # into data/cbcl_faces/
    python data/make_faces_fit.py OUTDIR     # the same file, into OUTDIR

The fit is nh.nmf(load_faces(), 49, seed=0, dtype=np.float32) with the engine's default
stopping rule: about 10,000 steps, one to two minutes on one core, too long to run every time
the notebook runs. Notebook 09 loads it with nmf_course.faces.load_faces_fit, checks that the
stopping rule still holds over 100 more steps from it, and fits afresh (the same call) when no
fit is stored for its R and seed. The file holds W and H in float32 (the fit's own values: a
float32 fit returns them widened to float64, so nothing is lost) and the call that made them.
tests/test_faces.py checks the stored fit against the faces (its deviance, the stopping rule).
"""

import os
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import nmf_helpers as nh  # noqa: E402
from nmf_course import faces  # noqa: E402

R, SEED = 49, 0


def main(outdir=None):
    outdir = Path(outdir) if outdir is not None else faces.DATA_DIR
    V = faces.load_faces()
    fit = nh.nmf(V, R, seed=SEED, dtype=np.float32)
    W, H = fit.W.astype(np.float32), fit.H.astype(np.float32)
    assert np.array_equal(W.astype(float), fit.W) and np.array_equal(H.astype(float), fit.H)
    path = outdir / faces.fit_file_name(R, SEED)
    np.savez_compressed(path, W=W, H=H, R=R, seed=SEED, converged=fit.converged,
                        deviance=fit.deviance, n_iter=fit.n_iter,
                        call=f"nh.nmf(load_faces(), {R}, seed={SEED}, dtype=np.float32)")
    print(f"{path}: deviance {fit.deviance:.3f} after {fit.n_iter} steps, converged {fit.converged}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
