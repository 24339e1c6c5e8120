"""A realistic, repeatable dataset of social customer service interactions.

Fixed seed, several platforms with their own volumes and speeds, more contacts on
weekdays and in the daytime, and a clear improvement from the first half of the
period (baseline) to the second (follow-up): quicker replies, more resolved on
first contact, happier customers. Written with the canonical column names, so it
imports through the same path as a learner's file.
"""

from __future__ import annotations

import io
from datetime import datetime

import numpy as np
import pandas as pd

SEED = 20260112
# platform: (share of contacts, baseline median first response in minutes)
PLATFORMS = {
    "facebook": (0.30, 150.0),
    "instagram": (0.22, 110.0),
    "x": (0.20, 240.0),
    "whatsapp": (0.12, 45.0),
    "tiktok": (0.06, 300.0),
    "trustpilot": (0.10, 900.0),
}
HOUR_WEIGHTS = np.array(
    [1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 10, 9, 9, 9, 9, 9, 8, 8, 9, 10, 9, 7, 4, 2], dtype=float
)
DAY_WEIGHTS = np.array([1.2, 1.1, 1.0, 1.0, 1.0, 0.8, 0.7])  # Monday first


def generate_interactions(
    rows: int = 3000, *, start: str = "2026-01-05", weeks: int = 12, seed: int = SEED
) -> pd.DataFrame:
    """``rows`` interactions over ``weeks`` weeks from ``start`` (a Monday), canonical columns."""
    rng = np.random.default_rng(seed)
    days = weeks * 7
    day_offsets = np.arange(days)
    day_weight = DAY_WEIGHTS[day_offsets % 7]
    day = rng.choice(day_offsets, size=rows, p=day_weight / day_weight.sum())
    hour = rng.choice(24, size=rows, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
    minute = rng.integers(0, 60, size=rows)
    second = rng.integers(0, 60, size=rows)
    origin = np.datetime64(datetime.fromisoformat(start), "s")
    received = origin + (day * 86400 + hour * 3600 + minute * 60 + second).astype("timedelta64[s]")
    order = np.argsort(received, kind="stable")
    received, day, hour = received[order], day[order], hour[order]

    names = list(PLATFORMS)
    shares = np.array([PLATFORMS[name][0] for name in names])
    platform = rng.choice(len(names), size=rows, p=shares / shares.sum())
    base_median = np.array([PLATFORMS[name][1] for name in names])[platform]

    follow_up = day >= days // 2
    weekend = (day % 7) >= 5
    night = (hour < 8) | (hour >= 20)
    # Slower at weekends and overnight; the follow-up period halves typical waits.
    median = (
        base_median * np.where(weekend, 2.2, 1.0) * np.where(night, 1.8, 1.0) * np.where(follow_up, 0.45, 1.0)
    )
    first_response = np.round(rng.lognormal(np.log(median), 0.8), 1)
    answered = rng.random(rows) < np.where(follow_up, 0.97, 0.86)
    first_response = np.where(answered, first_response, np.nan)

    fcr = answered & (rng.random(rows) < np.where(follow_up, 0.72, 0.55))
    resolved = answered & (fcr | (rng.random(rows) < 0.85))
    extra = rng.lognormal(np.log(np.where(follow_up, 600.0, 1500.0)), 0.9)
    resolution = np.where(resolved, np.round(first_response + np.where(fcr, 0.0, extra), 1), np.nan)

    happy = np.where(follow_up, 0.82, 0.62)
    satisfied = rng.random(rows) < happy
    satisfaction = np.where(satisfied, rng.choice([4, 5], size=rows), rng.choice([1, 2, 3], size=rows))
    rated = resolved & (rng.random(rows) < 0.35)
    nps_raw = np.where(
        rng.random(rows) < happy, rng.choice([8, 9, 10], size=rows), rng.integers(0, 8, size=rows)
    )
    nps_answered = resolved & (rng.random(rows) < 0.2)
    sentiment_pick = rng.random(rows)
    positive_share = np.where(follow_up, 0.45, 0.3)
    sentiment = np.where(
        sentiment_pick < positive_share,
        "positive",
        np.where(sentiment_pick < positive_share + 0.35, "neutral", "negative"),
    )

    return pd.DataFrame(
        {
            "platform": np.array(names)[platform],
            "received_at": pd.to_datetime(received).strftime("%Y-%m-%dT%H:%M:%S"),
            "first_response_time": first_response,
            "resolution_time": resolution,
            "resolved_first_contact": np.where(resolved, np.where(fcr, "yes", "no"), ""),
            "satisfaction_score": pd.Series(satisfaction, dtype="Int64").where(rated, pd.NA),
            "nps_score": pd.Series(nps_raw, dtype="Int64").where(nps_answered, pd.NA),
            "sentiment": sentiment,
        }
    )


def interactions_csv(rows: int = 3000, **kwargs) -> bytes:
    """The generated dataset as a UTF-8 CSV file, as a learner would upload it."""
    buffer = io.StringIO()
    generate_interactions(rows, **kwargs).to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")
