"""Find the posture that slackens (or stretches) one or several muscles most, within bounds.

Every step evaluates a whole batch of postures with the model at once (one call gives
every muscle-side), so the search is a handful of array computations:

1. sweep each allowed variable alone across its bounds and keep the (at most four)
   that matter;
2. a grid over those (5 values each), then two finer grids around the best point;
   then up to two of the remaining variables are added, one at a time, if they help;
3. round to whole degrees and leave out any variable that brings less than 1 % of
   length, so the instructions stay short.

``feasible`` (optional) is a constraint: a function of a batch of full postures that
says which are allowed (the safety envelope). Postures it refuses never win; because
the envelope is downward closed (moving toward neutral never breaks it), the rounded
answer is brought toward neutral until it is allowed.

The objective trades slack (or stretch) against the angles used:

    cost = sign * aggregate(percent length change) + WEIGHT * sum((v / span_v) ** 2)

where ``span_v`` is the bound in the direction moved. With ``WEIGHT`` = 1.5 % a
variable is taken to its full comfortable range only if it gains at least 3 % of
length over it; one that gains 1 % stops at a third of the range. A position of
ease must be held for 90 s, so a little slack is not worth a large angle.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._limits import Bounds
from ._settings import search

# The settings, each with its rationale, are data: data/search.yaml.
_SEARCH = search()
WEIGHT = _SEARCH.weight
MAX_GRID_VARIABLES = _SEARCH.max_grid_variables
REFINEMENTS = _SEARCH.refinements
GREEDY_ADDITIONS = _SEARCH.greedy_additions
MIN_CONTRIBUTION_PCT = _SEARCH.min_contribution_pct  # a variable bringing less slack (or stretch) is left out
MIN_USEFUL_GAIN = _SEARCH.min_useful_gain  # percent of length: a variable that gains less alone is not gridded
MIN_REPORTED_DEGREES = _SEARCH.min_reported_degrees  # smaller amounts are dropped from a plan
SCREEN_KEEP = _SEARCH.screen_keep  # positions searched in full after the one-batch estimate


@dataclass(frozen=True)
class SearchResult:
    posture: dict[str, float]  # rounded degrees, only non-zero variables
    pct: np.ndarray  # percent length change of each target column at that posture
    postures_evaluated: int
    cost: float = 0.0  # the objective at the answer (lower is better), to compare searches


def optimise(body, columns: list[int], goal: str, bounds: Bounds, variables: list[str], feasible=None) -> SearchResult:
    """``goal`` "shorten" minimises, "lengthen" maximises the targets' length.

    ``bounds``: anything with ``low`` / ``high`` mappings of degrees per variable."""
    names = list(body.posture_variables)
    idx = [names.index(v) for v in variables]
    lo = np.array([bounds.low[v] for v in variables])
    hi = np.array([bounds.high[v] for v in variables])
    sign = 1.0 if goal == "shorten" else -1.0
    weight = WEIGHT[goal]
    span_lo = np.where(lo < 0, -lo, 1.0)
    span_hi = np.where(hi > 0, hi, 1.0)
    count = 0

    def signed_aggregate(pct: np.ndarray) -> np.ndarray:
        """Lower is better. Several muscles: half the mean, half the worst-served one
        (least slack when shortening, least stretch when lengthening), so none is
        left out."""
        worst = pct.max(axis=1) if goal == "shorten" else pct.min(axis=1)
        return sign * 0.5 * (pct.mean(axis=1) + worst)

    def cost(x: np.ndarray):
        nonlocal count
        count += len(x)
        full = np.zeros((len(x), len(names)))
        full[:, idx] = x
        pct = body.length_change_pct_batch(full, columns)
        scaled = np.where(x < 0, x / span_lo, x / span_hi)
        total = signed_aggregate(pct) + weight * (scaled**2).sum(axis=1)
        if feasible is not None:
            total = np.where(feasible(full), total, np.inf)
        return total, pct

    def allowed(x: np.ndarray) -> bool:
        if feasible is None:
            return True
        full = np.zeros((1, len(names)))
        full[0, idx] = x
        return bool(feasible(full)[0])

    shares = np.array([-1.0, -0.66, -0.33, 0.33, 0.66, 1.0])

    def along(j: int) -> np.ndarray:
        """Values of variable ``j`` at each share of its (current) bounds."""
        return np.where(shares < 0, -shares * lo[j], shares * hi[j])

    k = len(variables)
    if k == 0:
        return SearchResult({}, body.length_change_pct_batch(np.zeros((1, len(names))))[0, columns], 1, 0.0)

    # 1. each variable alone
    sweep = np.zeros((1 + k * len(shares), k))  # neutral first, then each variable's sweep
    for j in range(k):
        sweep[1 + j * len(shares) : 1 + (j + 1) * len(shares), j] = along(j)
    sweep_cost, _ = cost(sweep)
    base_cost, per_var = sweep_cost[:1], sweep_cost[1:].reshape(k, len(shares))
    gains = base_cost[0] - per_var.min(axis=1)
    chosen = [j for j in np.argsort(-gains) if gains[j] > MIN_USEFUL_GAIN][:MAX_GRID_VARIABLES]
    # Each variable may move only the way that helps when it moves alone: combined
    # postures then never ask for a movement that, by itself, works against the aim
    # (and a line-of-action model's small interaction effects cannot flip a direction).
    negative_helps = per_var[:, shares < 0].min(axis=1) < per_var[:, shares > 0].min(axis=1)
    useless = ~(gains > 0)
    hi = np.where(negative_helps | useless, 0.0, hi)
    lo = np.where(~negative_helps | useless, 0.0, lo)

    # 2. a grid over the variables that matter, then two finer grids around the best
    best = np.zeros(k)
    best_cost = float(base_cost[0])
    if chosen:
        c = np.array(chosen)
        axes = [np.array([lo[j], lo[j] / 2, 0.0, hi[j] / 2, hi[j]]) for j in chosen]
        step = np.array([max(hi[j], -lo[j]) / 2 for j in chosen])
        for _ in range(1 + REFINEMENTS):
            mesh = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, len(chosen))
            grid = np.repeat(best[None, :], len(mesh), axis=0)
            grid[:, c] = np.clip(mesh, lo[c], hi[c])
            grid_cost, _ = cost(grid)
            best = grid[int(np.argmin(grid_cost))]
            best_cost = float(grid_cost.min())
            step = step / 2
            axes = [best[j] + step[i] * np.array([-1.0, -0.5, 0.0, 0.5, 1.0]) for i, j in enumerate(chosen)]

    # 3. the variables left out of the grid: add the best of them, twice, if it helps
    for _ in range(GREEDY_ADDITIONS):
        rest = [j for j in range(k) if best[j] == 0.0]
        if not rest:
            break
        trial = np.repeat(best[None, :], len(rest) * len(shares), axis=0)
        for n, j in enumerate(rest):
            trial[n * len(shares) : (n + 1) * len(shares), j] = along(j)
        trial_cost, _ = cost(trial)
        pick = int(np.argmin(trial_cost))
        if trial_cost[pick] >= best_cost - 1e-9:
            break
        best, best_cost = trial[pick], trial_cost[pick]

    # 4. round to whole degrees and drop what is not worth saying
    rounded = np.clip(np.round(best), np.ceil(lo), np.floor(hi))
    rounded[np.abs(rounded) < MIN_REPORTED_DEGREES] = 0.0
    scale = 1.0
    while not allowed(rounded):  # back toward neutral (the envelope is downward closed)
        scale -= 0.05
        rounded = np.trunc(best * scale)
        rounded[np.abs(rounded) < MIN_REPORTED_DEGREES] = 0.0
    used = np.flatnonzero(rounded)
    if len(used):
        trial = np.repeat(rounded[None, :], len(used) + 1, axis=0)
        trial[np.arange(len(used)), used] = 0.0
        _, pct = cost(trial)
        aggregate = signed_aggregate(pct)
        loss = aggregate[:-1] - aggregate[-1]  # how much slack/stretch each variable brings
        rounded[used[loss < MIN_CONTRIBUTION_PCT]] = 0.0
    final_cost, pct = cost(rounded[None, :])
    posture = {v: float(x) for v, x in zip(variables, rounded) if x != 0.0}
    return SearchResult(posture, pct[0], count, float(final_cost[0]))


def screen(body, columns: list[int], goal: str, boxes: list, variables: list[str], feasibles: list) -> np.ndarray:
    """A quick estimate of the best cost ``optimise`` could reach in each box, from one
    batch: the cost at neutral plus, for every variable, the best it gains moving
    alone (the sweep of ``optimise``'s first step). Used to choose which of many
    candidate positions are worth a full search."""
    names = list(body.posture_variables)
    idx = [names.index(v) for v in variables]
    shares = np.array([-1.0, -0.66, -0.33, 0.33, 0.66, 1.0])
    k, s = len(variables), len(shares)
    if k == 0 or not boxes:
        return np.zeros(len(boxes))
    rows, spans = [], []
    for box in boxes:
        lo = np.array([box.low[v] for v in variables])
        hi = np.array([box.high[v] for v in variables])
        sweep = np.zeros((1 + k * s, k))
        for j in range(k):
            sweep[1 + j * s : 1 + (j + 1) * s, j] = np.where(shares < 0, -shares * lo[j], shares * hi[j])
        rows.append(sweep)
        spans.append((np.where(lo < 0, -lo, 1.0), np.where(hi > 0, hi, 1.0)))
    x = np.concatenate(rows)
    full = np.zeros((len(x), len(names)))
    full[:, idx] = x
    pct = body.length_change_pct_batch(full, columns)
    worst = pct.max(axis=1) if goal == "shorten" else pct.min(axis=1)
    aggregate = (1.0 if goal == "shorten" else -1.0) * 0.5 * (pct.mean(axis=1) + worst)
    out = np.empty(len(boxes))
    n = 1 + k * s
    for b, ((span_lo, span_hi), feasible) in enumerate(zip(spans, feasibles)):
        part = slice(b * n, (b + 1) * n)
        xb = x[part]
        scaled = np.where(xb < 0, xb / span_lo, xb / span_hi)
        total = aggregate[part] + WEIGHT[goal] * (scaled**2).sum(axis=1)
        if feasible is not None:
            total = np.where(feasible(full[part]), total, np.inf)
        base = total[0]
        gains = np.maximum(0.0, base - total[1:].reshape(k, s).min(axis=1)) if np.isfinite(base) else np.zeros(k)
        out[b] = base - gains.sum()
    return out
