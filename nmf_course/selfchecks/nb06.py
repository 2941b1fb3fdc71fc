"""Self-checks for Notebook 06, the provided data set."""

from __future__ import annotations

__all__ = []
