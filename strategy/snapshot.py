"""The strategy part of a submitted version: every row the learner saved in the strategy steps."""

from __future__ import annotations

from core.versions import portfolio_rows, register_snapshot

register_snapshot("strategy", lambda portfolio: portfolio_rows("strategy", portfolio))
