"""Self-checks for Notebook 07, time series."""

from __future__ import annotations

__all__ = []
