"""Self-checks for Notebook 11, leukemia: consensus and cophenetic correlation."""

from __future__ import annotations

__all__ = []
