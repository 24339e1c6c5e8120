"""Everything the readiness rules read, fetched in one fixed batch of queries.

Each content app registers a loader (``core.rules.register_loader``) with its fixed cost in
queries; ``load_many`` calls them all, so it costs the same number of queries for one
portfolio or a whole cohort, and the checklist, the step pages and the tutor's cohort
summary never query per rule or per learner.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.utils import timezone

from core.models import Portfolio
from core.rules import PortfolioData, all_loaders


def query_count() -> int:
    """The queries ``load_many`` makes: the sum of the registered loaders' costs."""
    return sum(loader.queries for loader in all_loaders())


def load_many(portfolios: Iterable[Portfolio], *, today: date | None = None) -> dict[int, PortfolioData]:
    """PortfolioData for each portfolio, keyed by its pk, in ``query_count()`` queries."""
    portfolios = list(portfolios)
    if not portfolios:
        return {}
    today = today or timezone.localdate()
    data = {p.pk: PortfolioData(portfolio=p, today=today) for p in portfolios}
    for loader in all_loaders():
        for portfolio_id, part in loader.load(portfolios).items():
            data[portfolio_id].parts[loader.label] = part
    return data


def load(portfolio: Portfolio, *, today: date | None = None) -> PortfolioData:
    return load_many([portfolio], today=today)[portfolio.pk]
