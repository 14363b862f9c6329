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
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

import attrs
import narwhals as nw
import numpy as np

from salesflow.analytics._chart import MOST_BARS, axes_for
from salesflow.analytics._engine_errors import translated
from salesflow.analytics._expr import as_utc
from salesflow.analytics._source import Kind, door, resolve
from salesflow.analytics.coverage import Gap
from salesflow.analytics.dated_rates import DatedRates
from salesflow.analytics.funnel import stage_process
from salesflow.analytics.rates import Rates
from salesflow.analytics.result import Result
from salesflow.columns import Columns
from salesflow.errors import Problem, ValidationError
from salesflow.fiscal import FiscalCalendar, Period, Unit
from salesflow.forecasting import _checks
from salesflow.forecasting import _period_parts as pieces
from salesflow.forecasting._montecarlo import simulate_groups
from salesflow.forecasting._open_deals import open_deals
from salesflow.forecasting._period_parts import ATTAINMENT_COLUMNS, NO_OWNER
from salesflow.forecasting.close_dates import _end
from salesflow.forecasting.deal_score import DealScoreModel
from salesflow.hierarchy import Hierarchy
from salesflow.process import SalesProcess
from salesflow.submission import Submissions
from salesflow.targets import Targets

__all__ = ["ATTAINMENT_COLUMNS", "Attainment", "attainment"]


Measure = Literal["amount", "won_deals", "created_deals"]


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

    def plot(self, *, ax: Any = None) -> Any:
        """Attainment bars per node (closed ÷ target), with the P10–P90 band of where it will end.

        Nodes without a target are left out of the chart (the table keeps them);
        at most 25 are drawn, parents first. The line at 100 % is the target.
        Needs the ``plots`` extra (matplotlib).

        Raises:
            ValidationError: No node has a target (an empty chart is not drawn).
            MissingExtraError: matplotlib is not installed.
        """
        rows = [r for r in self.rows() if r["target"]][:MOST_BARS]
        if not rows:
            raise ValidationError(
                [Problem("no node has a target: an attainment chart is not drawn", "$")],
                subject="Attainment.plot",
            )
        axes = axes_for(ax, f"Attainment {self.title}: closed, and the P10–P90 band at the end")
        names = ["  " * int(r["depth"]) + str(r["node"]) for r in rows]
        targets = [float(r["target"]) for r in rows]
        now = [100 * float(r["closed"]) / t for r, t in zip(rows, targets, strict=True)]
        low = [100 * r["p10"] / t for r, t in zip(rows, targets, strict=True)]
        high = [100 * r["p90"] / t for r, t in zip(rows, targets, strict=True)]
        places = list(range(len(rows)))
        axes.barh(places, now, color="#4c72b0", label="closed so far")
        axes.hlines(places, low, high, color="#dd8452", linewidth=6, alpha=0.6, label="P10–P90")
        axes.axvline(100, color="black", linewidth=1, linestyle="--")
        axes.set_yticks(places, names)
        axes.invert_yaxis()
        axes.set_xlabel("% of target")
        axes.legend(loc="lower right", fontsize=8)
        return axes

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


def _segment(inputs: Any, segment: tuple[str, object] | None) -> set[str] | None:
    """The ids of the deals in ``segment`` (a snapshot column and its value); ``None``: all."""
    if segment is None:
        return None
    if not isinstance(segment, tuple) or len(segment) != 2 or not isinstance(segment[0], str):
        raise ValidationError(
            [Problem(f"expected (column, value), got {segment!r}", "$.segment")],
            subject="attainment",
        )
    column, wanted = segment
    snapshot = inputs.table("snapshot", needs=("id", column))
    ids = (
        snapshot.filter(nw.col(column) == wanted)
        .select(nw.col("id").cast(nw.String))
        .collect(backend="polars")
        .to_native()["id"]
        .to_list()
    )
    return set(ids)


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
    if measure not in ("amount", "won_deals", "created_deals"):
        problems.append(
            Problem(
                f"measure must be 'amount', 'won_deals' or 'created_deals', got {measure!r}",
                "$.measure",
            )
        )
    kinds: tuple[tuple[object, tuple[type, ...], str], ...] = (
        (targets, (Targets,), "targets"),
        (hierarchy, (Hierarchy,), "hierarchy"),
        (calendar, (FiscalCalendar,), "calendar"),
        (rates, (Rates, DatedRates), "rates"),
        (score, (DealScoreModel,), "score"),
    )
    for value, kind, name in kinds:
        if value is not None and not isinstance(value, kind):
            wanted = " or ".join(k.__name__ for k in kind)
            problems.append(Problem(f"expected {wanted}, got {type(value).__name__}", f"$.{name}"))
    if problems:
        raise ValidationError(problems, subject="attainment")


@translated("attainment")
def attainment(
    data: Any,
    *,
    targets: Targets | None = None,
    hierarchy: Hierarchy | None = None,
    submissions: Submissions | None = None,
    period: Period | str | None = None,
    calendar: FiscalCalendar | None = None,
    unit: Unit = "quarter",
    as_of: date | datetime | None = None,
    measure: Measure = "amount",
    segment: tuple[str, object] | None = None,
    sum_targets: bool = False,
    new_deals: bool = True,
    correlation: float = 0.0,
    draws: int = 10_000,
    seed: int = 0,
    min_sample: int = 30,
    process: SalesProcess | None = None,
    rates: Rates | DatedRates | None = None,
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
        submissions: Forecast calls: ``submitted`` is each node's latest Commit
            call for the period made by ``as_of`` (an adjustment included).
        period: A :class:`~salesflow.Period` or its label (``"FY2027 Q1"``);
            default: the ``unit`` of ``calendar`` holding ``as_of``.
        calendar: The fiscal calendar (default: calendar years).
        unit: The kind of period when ``period`` is not given.
        as_of: The moment (default: the end of the history).
        measure: ``"amount"`` (won revenue), ``"won_deals"`` (how many are won) or
            ``"created_deals"`` (how many are created: pipeline generation; the
            open pipeline is not simulated, the creations still to come are
            resampled from past windows as the new deals are).
        segment: ``(column, value)``: only the deals whose snapshot ``column``
            is ``value`` (a product family, a deal type), against the targets
            of that segment.
        sum_targets: A parent's target is the sum of its children's (as
            Salesforce's quota rollup option); by default each node's own.
        new_deals: Add the deals not yet created (see above).
        correlation: The shared-shock correlation, 0 <= ρ < 1.
        draws: How many draws.
        seed: The seed: the same seed gives the same figures.
        min_sample: For the learned stage probabilities.
        process: The process (default: ``Frames.process``).
        rates: Exchange rates into ``rates.currency``: fixed ``Rates``, or
            ``DatedRates`` (each deal at the rate of its day: a won deal's win,
            an open deal's close date).
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
    if submissions is not None and not isinstance(submissions, Submissions):
        raise ValidationError(
            [Problem(f"expected Submissions, got {type(submissions).__name__}", "$.submissions")],
            subject="attainment",
        )
    chosen = stage_process(process, data, "attainment")
    inputs = resolve(data)
    moment = _end(inputs) if as_of is None else as_utc(as_of, what="as_of")
    span = _period(period, calendar, unit, moment)
    wanted = currency or (targets.currency if targets is not None else None)
    if wanted is None and submissions is not None:
        wanted = submissions.currency
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
    if submissions is not None and submissions.currency not in (None, target_currency):
        raise ValidationError(
            [
                Problem(
                    f"the calls are in {submissions.currency}, the figures in {target_currency}",
                    "$.submissions",
                )
            ],
            subject="attainment",
        )
    gaps: list[Gap] = list(deals.gaps)
    keep = _segment(inputs, segment)
    if keep is not None:
        chosen_rows = [i for i, r in enumerate(deals.rows) if str(r["id"]) in keep]
        deals = attrs.evolve(
            deals,
            rows=[deals.rows[i] for i in chosen_rows],
            amounts=deals.amounts[chosen_rows],
            chances=deals.chances[chosen_rows],
        )

    def kept(deal: object) -> bool:
        return keep is None or str(deal) in keep

    owner_of = pieces.owners(inputs)
    if not owner_of:
        gaps.append(Gap("assumed", "deals", f"no owner column: every deal is {NO_OWNER!r}"))

    def owner(deal: object) -> str:
        return owner_of.get(str(deal), NO_OWNER)

    begin, finish = deals.begin, deals.finish
    until = min(finish, moment)

    def value(amount: Any, code: str | None, day: date) -> Decimal:
        if measure != "amount":
            return Decimal(1)
        return pieces.decimal(amount) * pieces.factor(rates, code, target_currency, day)

    # What is already won in the period, and how every closed deal closed (win rates).
    closed: dict[str, Decimal] = {}
    rate_counts: dict[str, list[Decimal]] = {}
    no_amount = 0
    for row in pieces.closings(inputs, chosen, moment):
        if not kept(row["opportunity_id"]):
            continue
        who = owner(row["opportunity_id"])
        amount = row["amount"]
        if measure == "amount" and amount is None:
            no_amount += 1
            continue
        worth = value(amount, row["currency"], row["at"].date())
        tally = rate_counts.setdefault(who, [Decimal(0)] * 4)
        tally[0] += 1
        tally[2] += worth
        if row["won"]:
            tally[1] += 1
            tally[3] += worth
            if begin <= row["at"] <= until and measure != "created_deals":
                closed[who] = closed.get(who, Decimal(0)) + worth
    if measure == "created_deals":
        for deal, born in pieces.created(inputs).items():
            if kept(deal) and begin <= born <= until:
                who = owner(deal)
                closed[who] = closed.get(who, Decimal(0)) + 1
    if no_amount:
        gaps.append(Gap("left_out", "closed deals", "no amount", rows=no_amount))

    # Open pipeline closing in the period, by forecast category.
    category = pieces.categories(inputs, chosen, moment)
    buckets: dict[str, dict[str, Decimal]] = {}
    undated = 0
    for r in deals.rows:
        close = r["close_date"]
        if close is None and measure != "created_deals":
            undated += 1
        if close is None or not span.start <= close <= span.end or measure == "created_deals":
            continue
        bucket = pieces.BUCKET.get(category.get(str(r["id"]), "Pipeline"))
        if bucket is None:
            continue
        exact = value(r["amount"], r["currency"], close)
        mine = buckets.setdefault(owner(r["id"]), {})
        mine[bucket] = mine.get(bucket, Decimal(0)) + exact

    # Every open deal left out (no amount, no history: Maven's): the open figures are
    # unknown, not 0 — a zero would say there is no pipeline.
    unvalued = (
        not deals.rows
        and measure != "created_deals"
        and any(g.kind == "left_out" and g.what == "open deals" for g in deals.gaps)
    )
    if unvalued:
        gaps.append(
            Gap(
                "no_data",
                "commit, best case and pipeline",
                "every open deal was left out, as said above: unknown, not 0",
            )
        )
    if undated:
        gaps.append(
            Gap(
                "left_out",
                "open deals",
                "from commit, best case and pipeline: no close date, so no period holds them "
                "(they are still simulated)",
                rows=undated,
            )
        )

    # The owners: those with deals, won or closed, and those with targets.
    own_targets = (
        targets.for_period(span, measure, segment=None if segment is None else str(segment[1]))
        if targets is not None
        else {}
    )
    owners = sorted(
        {owner(r["id"]) for r in deals.rows} | set(closed) | set(rate_counts) | set(own_targets)
    )
    index = {o: i for i, o in enumerate(owners)}
    groups = np.array([index[owner(r["id"])] for r in deals.rows], dtype=np.int64)
    amounts = {
        "amount": deals.amounts,
        "won_deals": np.ones(len(deals.rows)),
        "created_deals": np.zeros(len(deals.rows)),
    }[measure]
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
        fresh, note = pieces.new_deals(
            inputs, chosen, moment, finish, begin, owners, owner, value, measure, draws, seed, kept
        )
        gaps.append(note)
        totals += fresh

    # The tree: the hierarchy's nodes (owners and targets it does not know under OUTSIDE).
    rows_nodes, members = pieces.tree(hierarchy, owners, set(own_targets), gaps)
    elapsed = span.elapsed(min(moment, finish).date()) if moment >= begin else 0.0
    table: dict[str, list[Any]] = {c: [] for c in ATTAINMENT_COLUMNS}
    node_totals = pieces.roll_up(rows_nodes, totals, index)
    fresh_means = fresh.mean(axis=0)
    for node, depth, parent in rows_nodes:
        draw = node_totals[node]
        goal = pieces.goal(node, hierarchy, own_targets, sum_targets, members)
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
        call = submissions.latest(node, span, at=moment) if submissions is not None else None
        table["submitted"].append(call.amount.amount if call is not None else None)
        table["closed"].append(won)
        table["attainment"].append(reach)
        table["gap"].append(gap)
        table["pace"].append(reach / elapsed if reach is not None and elapsed > 0 else None)
        for b in ("commit", "best_case", "pipeline"):
            table[b].append(None if unvalued else parts[b])
        table["open_in_period"].append(None if unvalued else opened)
        table["coverage"].append(float(opened / gap) if gap and not unvalued else None)
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
    frame = pieces.table_frame(table, measure)
    kind = inputs.kind if inputs.kind.eager else Kind(nw.Implementation.POLARS, eager=True)
    unit_name = target_currency if measure == "amount" else "won deals"
    return Attainment(
        frame,
        kind,
        title=f"{span.label} ({span.start} to {span.end}), as of {moment.date()}, {unit_name}",
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
