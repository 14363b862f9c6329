"""Attainment against targets, up the hierarchy, with the probability of hitting each number.

What a sales manager's forecast call looks at, per rep, team and the
company, for one fiscal period: the target, what is closed, what is open in
the period by forecast category, coverage, pace — and, from the same Monte
Carlo draws :func:`~salesflow.forecasting.forecast_revenue` makes, summed up
the tree draw by draw, the chance of reaching the target. The policies are
in ``docs/probabilities.md`` (section 7).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

import narwhals as nw
import numpy as np

from salesflow.analytics._engine_errors import translated
from salesflow.analytics._expr import as_utc
from salesflow.analytics._source import Kind, door, resolve
from salesflow.analytics.coverage import Gap
from salesflow.analytics.funnel import stage_process
from salesflow.analytics.rates import Rates
from salesflow.analytics.result import Result
from salesflow.columns import Columns
from salesflow.errors import Problem, ValidationError
from salesflow.fiscal import FiscalCalendar, Period, Unit
from salesflow.forecast import ForecastCategory
from salesflow.forecasting import _checks
from salesflow.forecasting._montecarlo import simulate_groups
from salesflow.forecasting._open_deals import open_deals
from salesflow.forecasting.close_dates import _end
from salesflow.forecasting.deal_score import DealScoreModel
from salesflow.hierarchy import Hierarchy
from salesflow.money import Money
from salesflow.process import SalesProcess
from salesflow.targets import Targets

__all__ = ["ATTAINMENT_COLUMNS", "Attainment", "attainment"]

TOTAL = "(total)"
"""The row for everything, when the tree has several top nodes (or there is no tree)."""
OUTSIDE = "(not in the tree)"
"""The node that holds owners and targets the hierarchy does not know."""
NO_OWNER = "(no owner)"
"""The owner of deals without one."""

ATTAINMENT_COLUMNS = (
    "node",
    "depth",
    "parent",
    "target",
    "closed",
    "attainment",
    "gap",
    "pace",
    "commit",
    "best_case",
    "pipeline",
    "open_in_period",
    "coverage",
    "coverage_needed",
    "win_rate",
    "win_rate_value",
    "p_hit",
    "p10",
    "p50",
    "p90",
    "mean",
    "expected_shortfall",
    "new_deals",
)
"""One row per node, parents first (see :class:`Attainment`)."""

_WINDOWS = 8
"""How many past windows the not-yet-created deals are resampled from, at most."""

Measure = Literal["amount", "won_deals"]


class Attainment(Result):
    """Each node's period: target, closed, open pipeline by category, coverage, pace, P(hit).

    Columns (see :data:`ATTAINMENT_COLUMNS`): ``node``, ``depth`` and
    ``parent`` place the row in the tree (parents first). ``target`` is the
    node's own target (or the sum of its team's, with ``sum_targets``);
    ``closed`` what was won in the period by ``as_of``; ``attainment`` =
    closed ÷ target; ``gap`` = what is left to win (0 once met); ``pace`` =
    attainment ÷ the share of the period gone. ``commit``, ``best_case``
    (Best Case and Most Likely) and ``pipeline`` are the open amounts closing
    in the period by forecast category — each its own, not cumulative —
    and ``open_in_period`` their sum; ``coverage`` = open_in_period ÷ gap;
    ``coverage_needed`` = 1 ÷ the node's win rate by value (what the
    coverage must be for the pipeline to close the gap at the rate this
    team has won at). ``win_rate`` / ``win_rate_value``: won ÷ closed by
    count and by amount, over every deal closed before ``as_of``.
    ``p_hit`` = P(won in the period ≥ target); ``p10`` / ``p50`` / ``p90``
    / ``mean`` of the period's won total; ``expected_shortfall`` = the mean
    of max(target − total, 0); ``new_deals`` = the mean of the
    not-yet-created component inside those totals.

    Amounts are exact decimals except the simulated figures (floats).
    """

    _label = "node"
    _value = "attainment"

    def __init__(
        self,
        frame: nw.LazyFrame[Any],
        kind: Kind,
        *,
        title: str,
        policies: dict[str, Any],
        gaps: Sequence[Gap],
        period: Period,
        as_of: datetime,
        currency: str | None,
        totals: dict[str, np.ndarray],
    ) -> None:
        super().__init__(frame, kind, title=title, policies=policies, gaps=gaps)
        self.period = period
        self.as_of = as_of
        self.currency = currency
        self._totals = totals

    def draws(self, node: str) -> np.ndarray:
        """The simulated totals of ``node``'s period, one per draw (a copy).

        Raises:
            ValidationError: ``node`` has no row.
        """
        if node not in self._totals:
            raise ValidationError(
                [Problem(f"no node {node!r}; the rows are {', '.join(self._totals)}", "$.node")],
                subject="Attainment.draws",
            )
        found: np.ndarray = self._totals[node].copy()
        return found


def _period(
    period: Period | str | None,
    calendar: FiscalCalendar | None,
    unit: Unit,
    moment: datetime,
) -> Period:
    chosen = calendar or FiscalCalendar.calendar_year()
    if isinstance(period, Period):
        return period
    if isinstance(period, str):
        return chosen.period(period)
    if period is None:
        return chosen.period_of(moment.date(), unit)
    raise ValidationError(
        [Problem(f"expected a Period or a label, got {type(period).__name__}", "$.period")],
        subject="attainment",
    )


def _options(
    draws: int,
    seed: int,
    min_sample: int,
    correlation: object,
    measure: object,
    targets: object,
    hierarchy: object,
    calendar: object,
    rates: object,
    score: object,
) -> None:
    problems = _checks.draws(draws) + _checks.seed(seed) + _checks.count(min_sample, "min_sample")
    if (
        isinstance(correlation, bool)
        or not isinstance(correlation, (int, float))
        or not 0 <= correlation < 1
    ):
        problems.append(
            Problem(f"expected 0 <= correlation < 1, got {correlation!r}", "$.correlation")
        )
    if measure not in ("amount", "won_deals"):
        problems.append(
            Problem(f"measure must be 'amount' or 'won_deals', got {measure!r}", "$.measure")
        )
    for value, kind, name in (
        (targets, Targets, "targets"),
        (hierarchy, Hierarchy, "hierarchy"),
        (calendar, FiscalCalendar, "calendar"),
        (rates, Rates, "rates"),
        (score, DealScoreModel, "score"),
    ):
        if value is not None and not isinstance(value, kind):
            problems.append(
                Problem(f"expected {kind.__name__}, got {type(value).__name__}", f"$.{name}")
            )
    if problems:
        raise ValidationError(problems, subject="attainment")


def _decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _factor(rates: Rates | None, code: str | None, target: str) -> Decimal:
    if code is None or code == target:
        return Decimal(1)
    if rates is None:
        from salesflow.errors import CurrencyMismatchError

        raise CurrencyMismatchError(code, target, "sum")
    return rates.rate(code)


def _owners(inputs: Any) -> dict[str, str]:
    """Each deal's (current) owner, by id; empty without an owner column."""
    snapshot = inputs.snapshot
    if snapshot is None or "owner" not in snapshot.collect_schema().names():
        return {}
    frame = snapshot.select(nw.col("id").cast(nw.String), nw.col("owner").cast(nw.String))
    table = frame.collect(backend="polars").to_native()
    return {
        str(i): (o if o is not None and o.strip() else NO_OWNER)
        for i, o in zip(table["id"].to_list(), table["owner"].to_list(), strict=True)
    }


def _closings(inputs: Any, process: SalesProcess, until: datetime) -> list[dict[str, Any]]:
    """Each deal's first move into a closed stage by ``until``: id, at, won, amount, currency."""
    history = inputs.table("history", needs=("opportunity_id", "at", "stage"))
    names = set(history.collect_schema().names())
    closed = [s.name for s in process.closed_stages]
    won = [s.name for s in process.won_stages]
    rows = history.filter(nw.col("stage").is_in(closed) & (nw.col("at") <= until))
    first = rows.group_by("opportunity_id").agg(nw.col("at").min().alias("_first"))
    rows = rows.join(first, on="opportunity_id").filter(nw.col("at") == nw.col("_first"))
    keep = [c for c in ("amount", "currency") if c in names]
    table = (
        rows.group_by("opportunity_id")
        .agg(
            nw.col("at").min(),
            nw.col("stage").is_in(won).max().alias("won"),
            *(nw.col(c).max() for c in keep),
        )
        .collect(backend="polars")
        .to_native()
    )
    found: list[dict[str, Any]] = table.to_dicts()
    for row in found:
        row.setdefault("amount", None)
        row.setdefault("currency", None)
    return found


def _created(inputs: Any) -> dict[str, datetime]:
    history = inputs.table("history", needs=("opportunity_id", "at"))
    table = (
        history.group_by("opportunity_id")
        .agg(nw.col("at").min())
        .collect(backend="polars")
        .to_native()
    )
    return {str(i): a for i, a in zip(table["opportunity_id"], table["at"], strict=True)}


def _categories(inputs: Any, process: SalesProcess, moment: datetime) -> dict[str, str]:
    """Each deal's forecast category at ``moment``: its latest recorded one, else its stage's."""
    default = {s.name: s.forecast_category.value for s in process.stages}
    history = inputs.table("history", needs=("opportunity_id", "at", "stage"))
    names = set(history.collect_schema().names())
    order = inputs.history_order
    past = history.filter(nw.col("at") <= moment)
    kept = ["stage"] + (["forecast_category"] if "forecast_category" in names else [])
    frame = past.select("opportunity_id", *order, *kept)
    for column in order:
        frame = frame.filter(nw.col(column) == nw.col(column).max().over("opportunity_id"))
    table = frame.select("opportunity_id", *kept).collect(backend="polars").to_native()
    result = {}
    for row in table.iter_rows(named=True):
        given = row.get("forecast_category")
        result[str(row["opportunity_id"])] = given or default.get(row["stage"], "Pipeline")
    return result


_BUCKET = {
    ForecastCategory.COMMIT.value: "commit",
    ForecastCategory.MOST_LIKELY.value: "best_case",
    ForecastCategory.BEST_CASE.value: "best_case",
    ForecastCategory.PIPELINE.value: "pipeline",
}


@translated("attainment")
def attainment(
    data: Any,
    *,
    targets: Targets | None = None,
    hierarchy: Hierarchy | None = None,
    period: Period | str | None = None,
    calendar: FiscalCalendar | None = None,
    unit: Unit = "quarter",
    as_of: date | datetime | None = None,
    measure: Measure = "amount",
    sum_targets: bool = False,
    new_deals: bool = True,
    correlation: float = 0.0,
    draws: int = 10_000,
    seed: int = 0,
    min_sample: int = 30,
    process: SalesProcess | None = None,
    rates: Rates | None = None,
    currency: str | None = None,
    score: DealScoreModel | None = None,
    columns: Columns | None = None,
) -> Attainment:
    """Per node of the tree and one fiscal period: target, closed, pipeline, coverage, P(hit).

    Each open deal is simulated as in :func:`forecast_revenue` (won with its
    learned stage probability, inside the period with its learned timing)
    and kept per owner; a node's total is its subtree's owners' totals
    **summed draw by draw**, so ``p_hit`` and the percentiles of a team are
    those of its real sum (never a sum of percentiles). To each draw is
    added what is already won in the period and, with ``new_deals``, the
    deals not yet created: per owner, what was created *and* won inside
    each of the last (up to) 8 windows as long as the rest of the period,
    one window drawn per draw for everyone at once (so a strong or a weak
    stretch is shared, as history had it).

    Deals are independent given their chances unless ``correlation`` > 0
    (a one-factor Gaussian copula: one shared shock per draw; see
    ``docs/probabilities.md``).

    Args:
        data: Opportunities or :class:`~salesflow.analytics.Frames` (any backend).
        targets: The targets (default: none; attainment, gap, coverage and
            ``p_hit`` are then empty).
        hierarchy: The tree to roll up (default: the owners, flat, under a total).
        period: A :class:`~salesflow.Period` or its label (``"FY2027 Q1"``);
            default: the ``unit`` of ``calendar`` holding ``as_of``.
        calendar: The fiscal calendar (default: calendar years).
        unit: The kind of period when ``period`` is not given.
        as_of: The moment (default: the end of the history).
        measure: ``"amount"`` (won revenue) or ``"won_deals"`` (how many are won).
        sum_targets: A parent's target is the sum of its children's (as
            Salesforce's quota rollup option); by default each node's own.
        new_deals: Add the deals not yet created (see above).
        correlation: The shared-shock correlation, 0 <= ρ < 1.
        draws: How many draws.
        seed: The seed: the same seed gives the same figures.
        min_sample: For the learned stage probabilities.
        process: The process (default: ``Frames.process``).
        rates: Exchange rates into ``rates.currency``.
        currency: The currency of the figures (default: the targets', the rates' or the deals').
        score: A fitted :class:`DealScoreModel` instead of the stage probabilities.
        columns: What a bare frame's source calls salesflow's columns.

    >>> import salesflow as sf
    >>> data = sf.datasets.synthetic(sf.presets.trailhead_simple(), 600, seed=3, owners=4)
    >>> teams = sf.Hierarchy.from_pairs(
    ...     [("rep-01", "east"), ("rep-02", "east"), ("rep-03", "west"), ("rep-04", "west"),
    ...      ("east", None), ("west", None)])
    >>> result = attainment(data.opportunities, process=data.process, hierarchy=teams,
    ...                     period="FY2026 Q1", draws=2000)
    >>> result.to_polars()["node"].to_list()
    ['(total)', 'east', 'rep-01', 'rep-02', 'west', 'rep-03', 'rep-04']
    >>> bool((result.draws("east") == result.draws("rep-01") + result.draws("rep-02")).all())
    True
    """
    data = door(data, columns=columns, process=process, currency=currency)
    _options(
        draws, seed, min_sample, correlation, measure, targets, hierarchy, calendar, rates, score
    )
    chosen = stage_process(process, data, "attainment")
    inputs = resolve(data)
    moment = _end(inputs) if as_of is None else as_utc(as_of, what="as_of")
    span = _period(period, calendar, unit, moment)
    wanted = currency or (targets.currency if targets is not None else None)
    deals = open_deals(
        data,
        inputs,
        chosen,
        moment,
        span.start,
        span.end,
        rates=rates,
        currency=wanted,
        score=score,
        min_sample=min_sample,
    )
    target_currency = deals.currency
    gaps: list[Gap] = list(deals.gaps)
    owner_of = _owners(inputs)
    if not owner_of:
        gaps.append(Gap("assumed", "deals", f"no owner column: every deal is {NO_OWNER!r}"))

    def owner(deal: object) -> str:
        return owner_of.get(str(deal), NO_OWNER)

    begin, finish = deals.begin, deals.finish
    until = min(finish, moment)

    def value(amount: Any, code: str | None) -> Decimal:
        if measure == "won_deals":
            return Decimal(1)
        return _decimal(amount) * _factor(rates, code, target_currency)

    # What is already won in the period, and how every closed deal closed (win rates).
    closed: dict[str, Decimal] = {}
    rate_counts: dict[str, list[Decimal]] = {}
    no_amount = 0
    for row in _closings(inputs, chosen, moment):
        who = owner(row["opportunity_id"])
        amount = row["amount"]
        if measure == "amount" and amount is None:
            no_amount += 1
            continue
        worth = value(amount, row["currency"])
        tally = rate_counts.setdefault(who, [Decimal(0)] * 4)
        tally[0] += 1
        tally[2] += worth
        if row["won"]:
            tally[1] += 1
            tally[3] += worth
            if begin <= row["at"] <= until:
                closed[who] = closed.get(who, Decimal(0)) + worth
    if no_amount:
        gaps.append(Gap("left_out", "closed deals", "no amount", rows=no_amount))

    # Open pipeline closing in the period, by forecast category.
    category = _categories(inputs, chosen, moment)
    buckets: dict[str, dict[str, Decimal]] = {}
    for r, worth in zip(deals.rows, deals.amounts, strict=True):
        close = r["close_date"]
        if close is None or not span.start <= close <= span.end:
            continue
        bucket = _BUCKET.get(category.get(str(r["id"]), "Pipeline"))
        if bucket is None:
            continue
        exact = value(r["amount"], r["currency"]) if measure == "amount" else Decimal(1)
        del worth
        mine = buckets.setdefault(owner(r["id"]), {})
        mine[bucket] = mine.get(bucket, Decimal(0)) + exact

    # The owners: those with deals, won or closed, and those with targets.
    own_targets = targets.for_period(span, measure) if targets is not None else {}
    owners = sorted(
        {owner(r["id"]) for r in deals.rows} | set(closed) | set(rate_counts) | set(own_targets)
    )
    index = {o: i for i, o in enumerate(owners)}
    groups = np.array([index[owner(r["id"])] for r in deals.rows], dtype=np.int64)
    amounts = deals.amounts if measure == "amount" else np.ones(len(deals.rows))
    totals = simulate_groups(
        amounts,
        deals.chances,
        groups,
        count=len(owners),
        draws=draws,
        seed=seed,
        correlation=float(correlation),
    )
    totals += np.array([float(closed.get(o, 0)) for o in owners])
    fresh = np.zeros_like(totals)
    if new_deals:
        fresh, note = _new_deals(
            inputs, chosen, moment, finish, begin, owners, owner, value, measure, draws, seed
        )
        gaps.append(note)
        totals += fresh

    # The tree: the hierarchy's nodes (owners and targets it does not know under OUTSIDE).
    rows_nodes, members = _tree(hierarchy, owners, set(own_targets), gaps)
    elapsed = span.elapsed(min(moment, finish).date()) if moment >= begin else 0.0
    table: dict[str, list[Any]] = {c: [] for c in ATTAINMENT_COLUMNS}
    node_totals = _roll_up(rows_nodes, totals, index)
    fresh_means = fresh.mean(axis=0)
    for node, depth, parent in rows_nodes:
        draw = node_totals[node]
        goal = _goal(node, hierarchy, own_targets, sum_targets, members)
        won = sum((closed.get(o, Decimal(0)) for o in members[node]), Decimal(0))
        parts = {
            b: sum((buckets.get(o, {}).get(b, Decimal(0)) for o in members[node]), Decimal(0))
            for b in ("commit", "best_case", "pipeline")
        }
        opened = sum(parts.values(), Decimal(0))
        tallies = [rate_counts[o] for o in members[node] if o in rate_counts]
        n_closed = sum((t[0] for t in tallies), Decimal(0))
        n_won = sum((t[1] for t in tallies), Decimal(0))
        v_closed = sum((t[2] for t in tallies), Decimal(0))
        v_won = sum((t[3] for t in tallies), Decimal(0))
        gap = max(goal - won, Decimal(0)) if goal is not None else None
        reach = float(won / goal) if goal else None
        table["node"].append(node)
        table["depth"].append(depth)
        table["parent"].append(parent)
        table["target"].append(goal)
        table["closed"].append(won)
        table["attainment"].append(reach)
        table["gap"].append(gap)
        table["pace"].append(reach / elapsed if reach is not None and elapsed > 0 else None)
        for b in ("commit", "best_case", "pipeline"):
            table[b].append(parts[b])
        table["open_in_period"].append(opened)
        table["coverage"].append(float(opened / gap) if gap else None)
        table["win_rate"].append(float(n_won / n_closed) if n_closed else None)
        table["win_rate_value"].append(float(v_won / v_closed) if v_closed else None)
        table["coverage_needed"].append(float(v_closed / v_won) if v_won else None)
        p10, p50, p90 = (float(v) for v in np.quantile(draw, [0.1, 0.5, 0.9]))
        table["p_hit"].append(float((draw >= float(goal)).mean()) if goal is not None else None)
        table["p10"].append(p10)
        table["p50"].append(p50)
        table["p90"].append(p90)
        table["mean"].append(float(draw.mean()))
        table["expected_shortfall"].append(
            float(np.maximum(float(goal) - draw, 0).mean()) if goal is not None else None
        )
        table["new_deals"].append(
            float(sum(fresh_means[index[o]] for o in members[node] if o in index))
        )
    if targets is None:
        gaps.append(Gap("not_checked", "attainment", "no targets given"))
    elif not own_targets:
        gaps.append(Gap("no_data", "targets", f"no {measure} target for {span.label}"))
    if not len(deals.rows) and not closed:
        gaps.append(
            Gap(
                "no_data",
                "forecast",
                f"no open deal to simulate and nothing won by {until.date()}",
            )
        )
    frame = _frame(table, measure)
    kind = inputs.kind if inputs.kind.eager else Kind(nw.Implementation.POLARS, eager=True)
    unit_name = target_currency if measure == "amount" else "won deals"
    return Attainment(
        frame,
        kind,
        title=f"Attainment, {span.label} ({span.start} to {span.end}), as of {moment.date()}, {unit_name}",
        policies={
            "period": span.label,
            "as_of": moment,
            "measure": measure,
            "sum_targets": sum_targets,
            "new_deals": new_deals,
            "correlation": correlation,
            "draws": draws,
            "seed": seed,
            "learned_from": deals.learned_from,
        },
        gaps=gaps,
        period=span,
        as_of=moment,
        currency=target_currency if measure == "amount" else None,
        totals=node_totals,
    )


def _roll_up(
    rows: list[tuple[str, int, str | None]], totals: np.ndarray, index: dict[str, int]
) -> dict[str, np.ndarray]:
    """Each row's draws: its own owner's column (if it is an owner) plus its children's, draw by draw.

    The rows come parents first, so walking them backwards meets every child before its parent.
    """
    below: dict[str, list[str]] = {}
    for node, _, parent in rows:
        if parent is not None:
            below.setdefault(parent, []).append(node)
    found: dict[str, np.ndarray] = {}
    for node, _, _ in reversed(rows):
        children = below.get(node, [])
        own = node in index and not (node in (TOTAL, OUTSIDE) and children)
        draw = totals[:, index[node]].copy() if own else np.zeros(totals.shape[0])
        for child in children:
            draw += found[child]
        found[node] = draw
    return found


def _goal(
    node: str,
    hierarchy: Hierarchy | None,
    own: dict[str, Money | int],
    summed: bool,
    members: dict[str, list[str]],
) -> Decimal | None:
    """The node's target: its own, or (``summed``) its leaves' own targets added up."""
    if node not in own and summed:
        if hierarchy is not None and node in hierarchy:
            below = [
                own[n]
                for n in hierarchy.descendants(node)
                if n in own and not hierarchy.children(n)
            ]
        else:
            below = [own[o] for o in members[node] if o in own]
        if not below:
            return None
        return sum((_amount(v) for v in below), Decimal(0))
    return _amount(own[node]) if node in own else None


def _amount(value: Money | int) -> Decimal:
    return value.amount if isinstance(value, Money) else Decimal(value)


def _tree(
    hierarchy: Hierarchy | None,
    owners: list[str],
    targeted: set[str],
    gaps: list[Gap],
) -> tuple[list[tuple[str, int, str | None]], dict[str, list[str]]]:
    """The rows (node, depth, parent), parents first, and each node's owners (its subtree's)."""
    rows: list[tuple[str, int, str | None]] = []
    members: dict[str, list[str]] = {}
    if hierarchy is None:
        rows.append((TOTAL, 0, None))
        members[TOTAL] = list(owners)
        for o in owners:
            rows.append((o, 1, TOTAL))
            members[o] = [o]
        return rows, members
    outside = sorted((set(owners) | targeted) - set(hierarchy.parents))
    tops = list(hierarchy.roots) + ([OUTSIDE] if outside else [])
    shift = 1 if len(tops) > 1 else 0
    if shift:
        rows.append((TOTAL, 0, None))
        members[TOTAL] = list(owners)
    for node, depth in hierarchy.walk():
        parent = hierarchy.parents[node] or (TOTAL if shift else None)
        rows.append((node, depth + shift, parent))
        members[node] = [n for n in hierarchy.subtree(node) if n in set(owners) or n in targeted]
    if outside:
        rows.append((OUTSIDE, shift, TOTAL if shift else None))
        members[OUTSIDE] = [o for o in outside if o in owners]
        for o in outside:
            rows.append((o, shift + 1, OUTSIDE))
            members[o] = [o]
        shown = ", ".join(outside[:5]) + (", …" if len(outside) > 5 else "")
        gaps.append(
            Gap(
                "assumed",
                "owners and targets",
                f"not in the hierarchy, shown under {OUTSIDE!r}: {shown}",
                rows=len(outside),
                unit="nodes",
            )
        )
    return rows, members


def _new_deals(
    inputs: Any,
    process: SalesProcess,
    moment: datetime,
    finish: datetime,
    begin: datetime,
    owners: list[str],
    owner: Any,
    value: Any,
    measure: str,
    draws: int,
    seed: int,
) -> tuple[np.ndarray, Gap]:
    """Per draw and owner, what deals not yet created will win in the rest of the period."""
    fresh = np.zeros((draws, len(owners)))
    start = max(moment, begin)
    length = finish - start
    if length <= timedelta(0):
        return fresh, Gap("off", "new deals", "the period is over at as_of")
    created = _created(inputs)
    if not created:
        return fresh, Gap("no_data", "new deals", "no history")
    first_seen = min(created.values())
    windows = [
        (moment - length * (k + 1), moment - length * k)
        for k in range(_WINDOWS)
        if moment - length * (k + 1) >= first_seen
    ]
    if not windows:
        return fresh, Gap(
            "no_data",
            "new deals",
            f"the history ({first_seen.date()} on) is shorter than the rest of the period "
            f"({length.days} days): deals not yet created are not forecast",
        )
    index = {o: i for i, o in enumerate(owners)}
    per_window = np.zeros((len(windows), len(owners)))
    for row in _closings(inputs, process, moment):
        if not row["won"] or (row["amount"] is None and measure == "amount"):
            continue
        deal = str(row["opportunity_id"])
        born = created.get(deal)
        who = owner(deal)
        if born is None or who not in index:
            continue
        for w, (lo, hi) in enumerate(windows):
            if lo <= born and row["at"] < hi:
                per_window[w, index[who]] += float(value(row["amount"], row["currency"]))
    picks = np.random.default_rng(np.random.SeedSequence([seed, 1])).integers(
        0, len(windows), size=draws
    )
    fresh = per_window[picks]
    return fresh, Gap(
        "assumed",
        "new deals",
        f"deals not yet created: resampled from what was created and won inside each of the "
        f"last {len(windows)} windows of {length.days} days (one window per draw, shared by "
        f"every owner)",
    )


def _frame(table: dict[str, list[Any]], measure: str) -> nw.LazyFrame[Any]:
    import polars as pl

    money = ("target", "closed", "gap", "commit", "best_case", "pipeline", "open_in_period")
    schema: dict[str, Any] = dict.fromkeys(ATTAINMENT_COLUMNS, pl.Float64)
    schema.update(node=pl.String, depth=pl.Int64, parent=pl.String)
    scale = _scale([v for c in money for v in table[c]]) if measure == "amount" else 0
    for c in money:
        schema[c] = pl.Decimal(38, scale)
    frame = pl.DataFrame(table, schema=schema)
    return nw.from_native(frame).lazy()


def _scale(values: list[Any]) -> int:
    exponents = [v.as_tuple().exponent for v in values if isinstance(v, Decimal)]
    return max([0, *[-e for e in exponents if isinstance(e, int)]])
