"""Employees, their monthly pulses, and the team-month engagement that drives operations.

Each team's engagement follows its baseline plus an AR(1) monthly swing; employees add
their own offset and noise. The *observed* team-month mean of the pulses is what the
planted chain uses (one month later) for delivery delays and support response times, so
an analyst who averages the pulses file measures the true cause without error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from scipy import special

from kano.demo.arrays import FloatArray, IntArray
from kano.demo.company import LANGUAGES, TEAMS
from kano.demo.names import PERSON_NAMES
from kano.demo.schema import Masked, table_from_columns
from kano.demo.team_months import TeamMonths, cell_means, team_months
from kano.demo.timeline import MONTH_START_DAYS, MONTHS, SPAN_DAYS, to_date32, to_timestamp_us

_SWING_PERSISTENCE = 0.6
_SWING_SHOCK_SD = 0.2
_EMPLOYEE_OFFSET_SD = 0.35
_PULSE_NOISE_SD = 0.3
_PARTICIPATION = 0.85
_LEAVES_DURING_WINDOW = 0.15
_TRAINING_STRATUM_CELLS = 6
_TRAINING_BUDGET_SHAPE = 2.0
_TRAINING_BUDGET_SCALE = 2.0
_ROLE_TITLES = {
    "marketing": ("Marketing specialist",),
    "sales": ("Account manager", "Sales representative"),
    "digital": ("E-commerce specialist", "Web developer"),
    "onboarding": ("Onboarding specialist",),
    "delivery": ("Driver", "Warehouse operative", "Dispatcher"),
    "support": ("Support agent", "Technical specialist"),
    "finance": ("Credit controller", "Accountant"),
}
_TEAM_LEAD = "Team lead"  # the first holder of each team's seats


def role_titles() -> set[str]:
    """Every job title the generator gives (in English; the demo names them in its own
    language after the load, ``structure_names.rename_structure``)."""
    return {_TEAM_LEAD} | {title for titles in _ROLE_TITLES.values() for title in titles}


@dataclass(frozen=True)
class Workforce:
    employees: pa.Table
    pulses: pa.Table
    team_months: TeamMonths


def _team_swings(rng: np.random.Generator) -> FloatArray:
    """Latent engagement per team for months -1..23 (AR(1) around the team baseline)."""
    baseline = np.array([t.baseline_engagement for t in TEAMS])
    stationary_sd = _SWING_SHOCK_SD / np.sqrt(1 - _SWING_PERSISTENCE**2)
    swing = np.empty((len(TEAMS), MONTHS + 1))
    swing[:, 0] = rng.normal(0.0, stationary_sd, len(TEAMS))
    for month in range(1, MONTHS + 1):
        shock = rng.normal(0.0, _SWING_SHOCK_SD, len(TEAMS))
        swing[:, month] = _SWING_PERSISTENCE * swing[:, month - 1] + shock
    return baseline[:, None] + swing


def _employees(rng: np.random.Generator, headcount_scale: float) -> dict[str, FloatArray]:
    """Employment spells: every seat has a first holder; some leave and are replaced."""
    seats = np.array([max(2, round(t.headcount * headcount_scale)) for t in TEAMS])
    team = np.repeat(np.arange(len(TEAMS)), seats)
    n = team.size
    hired = -rng.uniform(30.0, 3000.0, n)
    leaves = rng.random(n) < _LEAVES_DURING_WINDOW
    left = np.where(leaves, rng.uniform(0.0, SPAN_DAYS, n), np.inf)
    successor_start = left + rng.uniform(10.0, 45.0, n)
    has_successor = successor_start < SPAN_DAYS
    team = np.concatenate([team, team[has_successor]])
    hired = np.concatenate([hired, successor_start[has_successor]])
    left = np.concatenate([left, np.full(int(has_successor.sum()), np.inf)])
    return {"team": team.astype(np.float64), "hired": hired, "left": left}


def _names(rng: np.random.Generator, n: int) -> list[str]:
    language = rng.choice(len(LANGUAGES), n, p=[0.5, 0.2, 0.3])
    offsets = np.asarray(PERSON_NAMES.offsets)[language]
    counts = np.asarray(PERSON_NAMES.counts)[language]
    positions = offsets + (rng.random(n) * counts).astype(np.int64)
    return [PERSON_NAMES.names[p] for p in positions]


def _role_titles(team: IntArray, rng: np.random.Generator) -> list[str]:
    titles = []
    first_of_team = np.r_[True, team[1:] != team[:-1]]
    for position, team_index in enumerate(team):
        options = _ROLE_TITLES[TEAMS[team_index].function]
        if first_of_team[position]:
            titles.append(_TEAM_LEAD)
        else:
            titles.append(options[int(rng.integers(len(options)))])
    return titles


def _training_hours(rng: np.random.Generator, engagement: FloatArray, cell: IntArray) -> FloatArray:
    """Training hours of each pulse: the team-month's budget (hours per head) shared among
    the team members who answered that month, rounded to half hours.

    Budgets are Latin-hypercube stratified over team-months ranked by engagement, so the
    training column varies realistically yet carries no trace of engagement -- the decoy
    ``training_hours -> delivery_delay_days`` stays null in every sample.
    """
    functions = sorted({t.function for t in TEAMS})
    function = np.repeat([functions.index(t.function) for t in TEAMS], MONTHS)
    ranked = np.lexsort((engagement.reshape(-1), function))
    position = np.arange(ranked.size) - np.searchsorted(function[ranked], function[ranked])
    stratum = np.empty(ranked.size, dtype=np.int64)
    stratum[ranked] = function[ranked] * ranked.size + position // _TRAINING_STRATUM_CELLS
    shuffle = rng.random(ranked.size)
    order = np.lexsort((shuffle, stratum))
    sorted_stratum = stratum[order]
    starts = np.flatnonzero(np.r_[True, sorted_stratum[1:] != sorted_stratum[:-1]])
    sizes = np.diff(np.r_[starts, ranked.size])
    rank_in_stratum = np.empty(ranked.size)
    rank_in_stratum[order] = np.arange(ranked.size) - np.repeat(starts, sizes)
    size = np.empty(ranked.size)
    size[order] = np.repeat(sizes, sizes)
    u = (rank_in_stratum + rng.random(ranked.size)) / size
    budget = _TRAINING_BUDGET_SCALE * special.gammaincinv(_TRAINING_BUDGET_SHAPE, u)
    weight = np.where(rng.random(cell.size) < 0.4, 0.0, rng.gamma(2.0, 1.0, cell.size))
    heads = np.bincount(cell, minlength=ranked.size)
    weights = np.bincount(cell, weights=weight, minlength=ranked.size)
    share = np.where(weights[cell] > 0, weight * heads[cell] / np.maximum(weights[cell], 1e-9), 1.0)
    return np.round(budget[cell] * share * 2.0) / 2.0


def build_workforce(rng: np.random.Generator, headcount_scale: float) -> Workforce:
    """Employees, pulses (one per employee-month at ~85 % participation) and team months."""
    latent = _team_swings(rng)
    spells = _employees(rng, headcount_scale)
    team = spells["team"].astype(np.int64)
    order = np.argsort(team, kind="stable")
    team, hired, left = team[order], spells["hired"][order], spells["left"][order]
    n_employees = team.size
    employee_offset = rng.normal(0.0, _EMPLOYEE_OFFSET_SD, n_employees)
    competency_base = rng.beta(5.0, 3.0, n_employees)

    pulse_day = MONTH_START_DAYS[:-1][None, :] + rng.uniform(8.0, 20.0, (n_employees, MONTHS))
    employed = (pulse_day >= hired[:, None]) & (pulse_day < left[:, None])
    answered = employed & (rng.random((n_employees, MONTHS)) < _PARTICIPATION)
    who, month = np.nonzero(answered)
    day = pulse_day[who, month]
    raw = latent[team[who], month + 1] + employee_offset[who]
    raw = raw + rng.normal(0.0, _PULSE_NOISE_SD, who.size)
    engagement = np.clip(np.round(raw * 5.0) / 5.0, 1.0, 5.0)
    enps_probability = np.clip(0.05 + 0.22 * (engagement - 1.0), 0.02, 0.97)
    enps = rng.binomial(10, enps_probability)
    tenure_months = (day - hired[who]) / 30.4
    competency = np.round(np.minimum(competency_base[who] + 0.004 * tenure_months, 1.0), 3)

    cells = len(TEAMS) * MONTHS
    pulse_cell = team[who] * MONTHS + month
    mean_engagement, has_pulses = cell_means(engagement, pulse_cell, cells)
    # column c = engagement of month c - 1; months without a pulse keep the latent level
    engagement_by_column = np.array(latent)
    engagement_by_column[:, 1:] = np.where(
        has_pulses, mean_engagement, latent[:, 1:].reshape(-1)
    ).reshape(len(TEAMS), MONTHS)
    training_hours = _training_hours(rng, engagement_by_column[:, 1:], pulse_cell)
    mean_training, _ = cell_means(training_hours, pulse_cell, cells)
    mean_competency, _ = cell_means(competency.astype(np.float64), pulse_cell, cells)
    conditions = team_months(
        rng,
        engagement_by_column,
        mean_training.reshape(len(TEAMS), MONTHS),
        mean_competency.reshape(len(TEAMS), MONTHS),
        has_pulses.reshape(len(TEAMS), MONTHS),
    )

    employee_ids = np.arange(1, n_employees + 1)
    employees = table_from_columns(
        "employees",
        {
            "employee_id": employee_ids,
            "team_id": team + 1,
            "external_id": pa.array([f"E-{i:05d}" for i in employee_ids]),
            "name": pa.array(_names(rng, n_employees)),
            "role_title": pa.array(_role_titles(team, rng)),
            "hired_on": to_date32(hired),
            "left_on": Masked(
                to_date32(np.where(np.isfinite(left), left, 0.0)), ~np.isfinite(left)
            ),
        },
    )
    pulses = table_from_columns(
        "pulses",
        {
            "pulse_id": np.arange(1, who.size + 1),
            "employee_id": employee_ids[who],
            "team_id": team[who] + 1,
            "submitted_at": to_timestamp_us(day),
            "enps": enps,
            "engagement": engagement,
            "competency": competency,
            "training_hours": training_hours,
        },
    )
    return Workforce(employees, pulses, conditions)
