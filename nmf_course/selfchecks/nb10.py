"""Self-checks for Notebook 10, objectives, ratings and words."""

from __future__ import annotations

__all__ = []
