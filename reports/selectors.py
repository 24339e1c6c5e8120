"""Reads of the PDF exports, each a fixed number of queries."""

from __future__ import annotations

from core.models import Export, Portfolio


def recent_exports(portfolio: Portfolio, *, limit: int = 20) -> list[Export]:
    """The portfolio's latest PDF exports with what was exported and who asked (one query)."""
    exports = (
        portfolio.exports.select_related("version", "requested_by")
        .defer("version__snapshot")
        .order_by("-created_at", "-pk")
    )
    return list(exports[:limit])
