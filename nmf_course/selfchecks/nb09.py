"""Self-checks for Notebook 09, parts versus wholes."""

from __future__ import annotations

__all__ = []
