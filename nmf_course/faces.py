"""The CBCL face images of Lee & Seung (1999), prepared as in their paper.

    from nmf_course.faces import load_faces, FACE_SHAPE
    V = load_faces()                 # 361 x 2,429: one face per column, values in [0, 1]
    V[:, k].reshape(FACE_SHAPE)      # face k as an upright 19 x 19 image

The file and its notice (provenance, checksum, terms) are in data/cbcl_faces/; the
checksum is checked by the tests (tests/test_faces.py), not here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nmf_course import paths

__all__ = ["load_faces", "load_face_images", "standardize_faces", "FACE_SHAPE", "DATA_DIR",
           "FACES_FILE", "SHA256"]

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
