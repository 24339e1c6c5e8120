"""The audit part of a submitted version: every row the learner saved in the audit steps."""

from __future__ import annotations

from portfolio.versions import portfolio_rows, register_snapshot

register_snapshot("audit", lambda portfolio: portfolio_rows("audit", portfolio))
