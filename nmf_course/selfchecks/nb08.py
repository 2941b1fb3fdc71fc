"""Self-checks for Notebook 08, calcium imaging."""

from __future__ import annotations

__all__ = []
