"""data/cbcl_faces/ and its loader nmf_course.faces: the file's checksum, its notice, and
Lee & Seung's preprocessing (each face's pixel mean and standard deviation 0.25, clipped)."""

import re
import subprocess
import sys

import numpy as np
import pytest

from nmf_course import faces
from conftest import sha256


def test_checksum_matches_the_readme_and_the_loader():
    path = faces.DATA_DIR / faces.FACES_FILE
    digest = sha256(path)
    assert digest == faces.SHA256, "data/cbcl_faces/cbcl_faces.npy changed"
    readme = (faces.DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert f"sha256: {digest}" in readme


def test_notice_ships_beside_the_file():
    readme = (faces.DATA_DIR / "README.md").read_text(encoding="utf-8")
    for words in ["MIT Center for Biological and Computational Learning", "Lee and H. S. Seung",
                  "Nature 401", "Terms:", "keep this notice"]:
        assert words in readme


def test_raw_images():
    images = faces.load_face_images()
    assert images.dtype == np.uint8 and images.shape == (2429, 19, 19)


def test_load_faces_is_lee_and_seungs_matrix():
    V = faces.load_faces()
    images = faces.load_face_images()
    assert V.shape == (361, 2429) and V.dtype == np.float64
    assert V.min() >= 0 and V.max() <= 1
    # column k is face k, row-major
    k = 123
    x = images[k].astype(float).ravel()
    expected = np.clip(0.25 + 0.25 * (x - x.mean()) / x.std(), 0, 1)
    assert np.allclose(V[:, k], expected)
    assert np.allclose(V[:, k].reshape(faces.FACE_SHAPE), expected.reshape(19, 19))


def test_standardize_before_clipping():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (5, 19, 19)).astype(np.uint8)
    X = faces.standardize_faces(images)
    unclipped = 0.25 + 0.25 * (images.reshape(5, -1).T - images.reshape(5, -1).T.mean(0)) \
        / images.reshape(5, -1).T.std(0)
    assert np.allclose(unclipped.mean(axis=0), 0.25) and np.allclose(unclipped.std(axis=0), 0.25)
    assert np.allclose(X, np.clip(unclipped, 0, 1))
    blank = faces.standardize_faces(np.full((1, 19, 19), 7, dtype=np.uint8))
    assert np.allclose(blank, 0.25)


def test_loaded_without_pickle(tmp_path):
    bad = tmp_path / "faces.npy"
    np.save(bad, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError):
        faces.load_face_images(bad)
    with pytest.raises(FileNotFoundError, match="not at"):
        faces.load_face_images(tmp_path / "missing.npy")


def test_found_from_any_folder(tmp_path):
    code = "from nmf_course.faces import load_faces; print(load_faces().shape)"
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert re.search(r"\(361, 2429\)", result.stdout)


def test_stored_fit_of_notebook_09_is_converged():
    """data/cbcl_faces/'s NMF (data/make_faces_fit.py) is what notebook 09 reads its faces'
    parts and sparseness from: it must be a fit of these faces, stored as converged, and 100
    more steps from it must lower the deviance by less than 0.01 (as the notebook prints)."""
    import nmf_helpers as nh
    W, H = faces.load_faces_fit(49, 0)
    assert W.shape == (361, 49) and H.shape == (49, 2429) and W.min() >= 0 and H.min() >= 0
    assert np.allclose(W.sum(axis=0), 1, atol=1e-5)
    V = faces.load_faces()
    with np.load(faces.DATA_DIR / faces.fit_file_name(49, 0), allow_pickle=False) as stored:
        assert abs(nh.deviance(V, W, H) - float(stored["deviance"])) < 1e-6 * float(stored["deviance"])
    more = nh.nmf(V, 49, init=(W, H), max_iter=100, dtype=np.float32)
    assert nh.deviance(V, W, H) - more.deviance < 0.01   # (the rule itself is rounding-level here)


def test_no_stored_fit_is_none_and_a_wrong_one_is_refused(tmp_path):
    assert faces.load_faces_fit(49, 12345) is None
    np.savez(tmp_path / faces.fit_file_name(49, 0), W=np.ones((361, 49)), H=np.ones((49, 2429)),
             R=49, seed=0, converged=False)
    with pytest.raises(ValueError, match="converged"):
        faces.load_faces_fit(49, 0, folder=tmp_path)


def test_notebook_09_sparseness_claims_hold_on_the_stored_fit():
    """Notebook 09 says: NMF's parts are far sparser than PCA's eigenfaces (Hoyer 0.79 against
    0.23), its encodings only a little sparser (0.45 against 0.39), and a fit stopped after
    200 steps has sparser encodings and less sparse parts than the converged one."""
    import nmf_helpers as nh
    from nmf_course.algorithms import hoyer_sparseness
    V = faces.load_faces()
    W, H = faces.load_faces_fit(49, 0)
    mean = V.mean(axis=1, keepdims=True)
    U = np.linalg.svd(V - mean, full_matrices=False)[0][:, :49]
    W_pca, H_pca = U, U.T @ (V - mean)
    hoyer = lambda X: float(np.mean(hoyer_sparseness(X, axis=0)))
    assert round(hoyer(W), 2) == 0.79 and round(hoyer(W_pca), 2) == 0.23
    assert round(hoyer(H), 2) == 0.45 and round(hoyer(H_pca), 2) == 0.39
    assert hoyer(W) - hoyer(W_pca) > 0.5 > hoyer(H) - hoyer(H_pca) > 0
    early = nh.nmf(V, 49, seed=0, max_iter=200, dtype=np.float32)
    assert hoyer(early.H) > hoyer(H) and hoyer(early.W) < hoyer(W)
