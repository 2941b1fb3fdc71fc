"""Self-checks for Notebook 03, update rules with broadcasting."""

from __future__ import annotations

__all__ = []
