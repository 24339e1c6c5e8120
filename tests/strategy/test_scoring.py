from __future__ import annotations

from decimal import Decimal

import pytest

from strategy.scoring import (
    ScoringError,
    heat_map_matrix,
    normalise_weights,
    rank_platforms,
    risk_level,
    risk_score,
    score_risks,
)

WEIGHTS = {"audience_fit": 30, "customer_usage": 25, "service_features": 20, "cost": 10, "staffing": 15}


def scores(a, u, f, c, s):
    return {"audience_fit": a, "customer_usage": u, "service_features": f, "cost": c, "staffing": s}


def test_weights_are_normalised_to_shares_of_one():
    shares = normalise_weights({key: Decimal(value) for key, value in WEIGHTS.items()})

    assert shares["audience_fit"] == pytest.approx(0.30)
    assert sum(shares.values()) == pytest.approx(1.0)


def test_proportional_weights_give_the_same_shares():
    assert normalise_weights({k: v * 10 for k, v in WEIGHTS.items()}) == pytest.approx(
        normalise_weights(WEIGHTS)
    )


@pytest.mark.parametrize("bad", [0, -5])
def test_it_refuses_a_weight_that_is_not_positive(bad):
    with pytest.raises(ScoringError, match="more than zero"):
        normalise_weights({**WEIGHTS, "cost": bad})


def test_it_refuses_a_missing_weight():
    with pytest.raises(ScoringError, match="missing: staffing"):
        normalise_weights({k: v for k, v in WEIGHTS.items() if k != "staffing"})


def test_the_ranking_is_the_weighted_sum_best_first():
    ranking = rank_platforms(
        [("TikTok", scores(2, 1, 2, 4, 2)), ("Facebook", scores(5, 5, 4, 4, 3))], WEIGHTS
    )

    # Facebook: .30×5 + .25×5 + .20×4 + .10×4 + .15×3 = 4.40
    assert [(r.rank, r.name, r.score) for r in ranking] == [(1, "Facebook", 4.40), (2, "TikTok", 1.95)]


def test_equal_scores_share_a_rank_and_are_marked_tied():
    ranking = rank_platforms(
        [
            ("X", scores(3, 3, 3, 3, 3)),
            ("Instagram", scores(4, 4, 4, 4, 4)),
            ("Facebook", scores(3, 3, 3, 3, 3)),
            ("TikTok", scores(1, 1, 1, 1, 1)),
        ],
        WEIGHTS,
    )

    assert [(r.rank, r.name, r.tied) for r in ranking] == [
        (1, "Instagram", False),
        (2, "Facebook", True),
        (2, "X", True),
        (4, "TikTok", False),
    ]


@pytest.mark.parametrize("bad", [0, 6, None])
def test_it_refuses_a_platform_score_outside_one_to_five(bad):
    with pytest.raises(ScoringError, match="Facebook"):
        rank_platforms([("Facebook", scores(bad, 3, 3, 3, 3))], WEIGHTS)


def test_a_risk_score_is_likelihood_times_impact():
    assert risk_score(4, 3) == 12
    assert [risk_level(s) for s in (25, 15, 12, 8, 4, 1)] == [
        "High",
        "High",
        "Medium",
        "Medium",
        "Low",
        "Low",
    ]


@pytest.mark.parametrize(("likelihood", "impact"), [(6, 3), (0, 3), (3, 6), (3, -1)])
def test_it_refuses_a_risk_with_likelihood_or_impact_out_of_range(likelihood, impact):
    with pytest.raises(ScoringError, match="from 1 to 5"):
        risk_score(likelihood, impact)


def test_risks_are_sorted_worst_first_with_their_residual_scores():
    scored = score_risks([("a", 2, 2, None, None), ("b", 4, 4, 2, 3), ("c", 3, 3, 1, 1), ("d", 2, 2, 1, 1)])

    assert [(s.key, s.score, s.residual_score) for s in scored] == [
        ("b", 16, 6),
        ("c", 9, 1),
        ("a", 4, None),
        ("d", 4, 1),
    ]
    assert scored[0].level == "High"
    assert scored[0].residual_level == "Low"


def test_the_heat_map_counts_risks_by_impact_row_and_likelihood_column():
    matrix = heat_map_matrix([(4, 3), (4, 3), (1, 5)])

    assert matrix[2][3] == 2  # impact 3, likelihood 4
    assert matrix[4][0] == 1  # impact 5, likelihood 1
    assert sum(map(sum, matrix)) == 3
    assert len(matrix) == 5
    assert all(len(row) == 5 for row in matrix)
