"""The CBCL face images of Lee & Seung (1999), prepared as in their paper.

    from nmf_course.faces import load_faces, FACE_SHAPE
    V = load_faces()                 # 361 x 2,429: one face per column, values in [0, 1]
    V[:, k].reshape(FACE_SHAPE)      # face k as an upright 19 x 19 image

The file and its notice (provenance, checksum, terms) are in data/cbcl_faces/; the
checksum is checked by the tests (tests/test_faces.py), not here.

    W, H = load_faces_fit(49, 0)     # notebook 09's converged NMF, stored (None if not stored)

A converged NMF of the faces at R = 49 takes about 10,000 steps (a minute or two on one core),
so the one notebook 09 reads is stored beside the faces, made by data/make_faces_fit.py.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nmf_course import paths

__all__ = ["load_faces", "load_face_images", "standardize_faces", "load_faces_fit",
           "fit_file_name", "FACE_SHAPE", "DATA_DIR", "FACES_FILE", "SHA256"]

DATA_DIR = paths.DATA_DIR / "cbcl_faces"
FACES_FILE = "cbcl_faces.npy"
SHA256 = "4fbc5dbc37d15dd0e5883d00ce8424065c48efac614da9e9db27e6a01bd986ba"
FACE_SHAPE = (19, 19)
N_FACES = 2429


def load_face_images(path=None):
    """The raw images: uint8 array of shape (2429, 19, 19), grey levels 0-255, upright."""
    path = Path(path) if path is not None else DATA_DIR / FACES_FILE
    if not path.exists():
        raise FileNotFoundError(f"the face images are not at {path} (see data/cbcl_faces/README.md)")
    images = np.load(path, allow_pickle=False)
    if images.ndim != 3 or images.shape[1:] != FACE_SHAPE:
        raise ValueError(f"{path.name}: expected images of shape (n, 19, 19), found {images.shape}")
    return images


def standardize_faces(images, level=0.25):
    """Pixels x images matrix, each image's grey levels scaled as Lee & Seung did.

    Each image (flattened row-major to a column) is scaled linearly so that its pixel mean
    and standard deviation both equal `level` (0.25), then clipped to [0, 1]:
    x -> level + level * (x - mean(x)) / std(x), clipped. (A blank image, std 0, becomes
    `level` everywhere.)"""
    X = np.asarray(images, dtype=float).reshape(len(images), -1).T      # pixels x images
    mean = X.mean(axis=0)
    std = X.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return np.clip(level + level * (X - mean) / std, 0.0, 1.0)


def load_faces(path=None):
    """The 361 x 2,429 face matrix of Lee & Seung's Figure 1: column k is face k,
    standardized by standardize_faces (pixel mean and standard deviation 0.25, clipped to
    [0, 1]); V[:, k].reshape(FACE_SHAPE) shows it upright."""
    return standardize_faces(load_face_images(path))


def fit_file_name(R, seed):
    """The file name of a stored NMF of the faces (data/make_faces_fit.py writes it)."""
    return f"nmf_fit_r{R}_seed{seed}.npz"


def load_faces_fit(R, seed, folder=None):
    """W (361 x R) and H (R x 2,429), float64, of the converged
    nh.nmf(load_faces(), R, seed=seed, dtype=np.float32) stored in data/cbcl_faces/ by
    data/make_faces_fit.py; None if no fit is stored for this R and seed."""
    path = Path(folder if folder is not None else DATA_DIR) / fit_file_name(R, seed)
    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as stored:
        if int(stored["R"]) != R or int(stored["seed"]) != seed or not bool(stored["converged"]):
            raise ValueError(f"{path.name} does not hold a converged fit with R = {R}, seed = {seed}")
        W, H = stored["W"].astype(float), stored["H"].astype(float)
    if W.shape != (FACE_SHAPE[0] * FACE_SHAPE[1], R) or H.shape != (R, N_FACES):
        raise ValueError(f"{path.name}: W {W.shape} and H {H.shape} are not 361 x {R} and {R} x {N_FACES}")
    return W, H
