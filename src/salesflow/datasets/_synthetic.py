"""Synthetic opportunities drawn from a known chain, through the real stage engine."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import attrs

from salesflow.activity import Activity
from salesflow.datasets._generator import Generator
from salesflow.datasets._truth import SyntheticTruth, default_truth, win_probability_at
from salesflow.errors import Problem, ValidationError
from salesflow.fiscal import Period
from salesflow.hierarchy import Hierarchy
from salesflow.opportunity import Opportunity
from salesflow.process import SalesProcess
from salesflow.targets import Targets

__all__ = ["SyntheticData", "synthetic"]

_START = datetime(2025, 1, 1, tzinfo=timezone.utc)


@attrs.frozen(kw_only=True, repr=False, eq=False)
class SyntheticData:
    """Opportunities generated from a known model, and that model.

    Attributes:
        process: The process the opportunities follow.
        opportunities: The opportunities, with full history; those whose next
            move falls after :attr:`as_of` are still open.
        activities: Calls, emails and meetings logged against them (and open
            tasks on open deals).
        truth: The chain they were drawn from
            (``truth.win_probability[stage]`` is exact).
        seed: The seed; the same arguments and seed give the same data.
        start: When the first deal could be created.
        as_of: The "now" of the data: nothing happens after it.
        reps: The sales reps the deals were dealt to (``rep-01`` …).
        fit: Deal id → its fit (0..1), when drawn with ``fit_effect``; else empty.
        fit_effect: How strongly fit moved the deals' odds, or ``None``.
    """

    process: SalesProcess
    opportunities: tuple[Opportunity, ...]
    activities: tuple[Activity, ...]
    truth: SyntheticTruth
    seed: int
    start: datetime
    as_of: datetime
    reps: tuple[str, ...] = ()
    fit: Mapping[str, float] = attrs.field(factory=dict)
    fit_effect: float | None = None

    def win_probability(self, stage: str, fit: float) -> float:
        """The exact chance that a deal of ``fit`` now in ``stage`` is won (the truth with fit).

        Without ``fit_effect`` it is ``truth.win_probability[stage]`` whatever the fit.

        >>> import salesflow as sf
        >>> data = sf.datasets.synthetic(sf.presets.trailhead_simple(), 0, fit_effect=0.5)
        >>> [round(data.win_probability("Prospecting", f), 2) for f in (0, 0.5, 1)]
        [0.1, 0.24, 0.52]
        """
        if self.fit_effect is None:
            return self.truth.win_probability[stage]
        return win_probability_at(self.process, self.truth, fit, self.fit_effect)[stage]

    @property
    def teams(self) -> Hierarchy:
        """The reps in teams of up to four (``team-1`` …) under one ``company`` node.

        >>> import salesflow as sf
        >>> sf.datasets.synthetic(sf.presets.trailhead_simple(), 10, owners=6).teams.children("team-2")
        ('rep-05', 'rep-06')
        """
        reps = self.reps or sorted({o.owner for o in self.opportunities if o.owner})
        pairs: list[tuple[str, str | None]] = [("company", None)]
        for i, rep in enumerate(reps):
            team = f"team-{i // 4 + 1}"
            pairs += [(team, "company"), (rep, team)]
        return Hierarchy.from_pairs(dict(pairs))

    def targets(self, period: Period, *, stretch: str = "1.1") -> Targets:
        """Each rep's amount target for ``period``: ``stretch`` × what they won per such period.

        What a rep won over the data's year, scaled to the period's length and
        rounded to thousands (the currency of the first deal; converted with
        the synthetic weights' rate of 1).
        """
        days = max((self.as_of - self.start).days, 1)
        won: dict[str, Decimal] = {}
        currency = "USD"
        for o in self.opportunities:
            if o.is_won and o.owner is not None and o.amount is not None:
                won[o.owner] = won.get(o.owner, Decimal(0)) + o.amount.amount
                currency = o.amount.currency
        factor = Decimal(stretch) * Decimal(period.days) / Decimal(days)
        return Targets.from_rows(
            {
                "node": rep,
                "period": period,
                "value": (total * factor).quantize(Decimal("1E3")),
                "currency": currency,
            }
            for rep, total in sorted(won.items())
        )

    def __repr__(self) -> str:
        opps = self.opportunities
        won = sum(o.is_won for o in opps)
        lost = sum(o.is_closed and not o.is_won for o in opps)
        return (
            f"SyntheticData(process={self.process.name!r}, opportunities={len(opps)}, "
            f"open={len(opps) - won - lost}, won={won}, lost={lost}, "
            f"activities={len(self.activities)}, seed={self.seed})"
        )


def _check_arguments(
    process: object,
    n: object,
    seed: object,
    start: object,
    days: object,
    owners: object,
    accounts: object,
    currencies: object,
    push_rate: object,
    fit_effect: object = None,
) -> list[Problem]:
    problems = []
    if not isinstance(process, SalesProcess):
        problems.append(
            Problem(f"expected a SalesProcess, got {type(process).__name__}", "$.process")
        )
    for name, value, low in (
        ("n", n, 0),
        ("days", days, 1),
        ("owners", owners, 1),
        ("accounts", accounts, 1),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            problems.append(
                Problem(f"expected a whole number >= {low}, got {value!r}", f"$.{name}")
            )
    if isinstance(seed, bool) or not isinstance(seed, int):
        problems.append(Problem(f"expected an int seed, got {seed!r}", "$.seed"))
    if not isinstance(start, datetime) or start.utcoffset() is None:
        problems.append(Problem(f"expected a timezone-aware datetime, got {start!r}", "$.start"))
    if (
        isinstance(push_rate, bool)
        or not isinstance(push_rate, (int, float))
        or not 0 <= push_rate <= 1
    ):
        problems.append(Problem(f"expected a share in 0..1, got {push_rate!r}", "$.push_rate"))
    if fit_effect is not None and (
        isinstance(fit_effect, bool)
        or not isinstance(fit_effect, (int, float))
        or not 0 <= fit_effect <= 1
    ):
        problems.append(
            Problem(f"expected an effect in 0..1 or none, got {fit_effect!r}", "$.fit_effect")
        )
    if (
        not isinstance(currencies, Mapping)
        or not currencies
        or not all(isinstance(c, str) and len(c) == 3 and c.isupper() for c in currencies)
        or not all(
            isinstance(w, (int, float)) and not isinstance(w, bool) and w > 0
            for w in currencies.values()
        )
    ):
        problems.append(
            Problem(
                "expected {ISO currency code: positive weight}, e.g. {'USD': 3, 'EUR': 1}",
                "$.currencies",
            )
        )
    if isinstance(process, SalesProcess):
        for i, stage in enumerate(process.stages):
            gate = stage.gate
            if gate.qualified or gate.checks or gate.min_amount is not None:
                problems.append(
                    Problem(
                        "synthetic data meets confirmed facts, fields and contact roles only; "
                        "this gate needs qualification, custom checks or a minimum amount",
                        f"$.process.stages[{i}].gate",
                    )
                )
    return problems


def synthetic(
    process: SalesProcess,
    n: int,
    *,
    seed: int = 0,
    start: datetime = _START,
    days: int = 365,
    truth: SyntheticTruth | None = None,
    owners: int = 8,
    accounts: int = 60,
    currencies: Mapping[str, float] | None = None,
    push_rate: float = 0.3,
    fit_effect: float | None = None,
) -> SyntheticData:
    """Generate ``n`` opportunities from a known stage chain, reproducibly.

    Every deal is opened in the chain's start stage at a random time in
    ``[start, start + days)``, waits a gamma-distributed time in each stage
    and moves on through :meth:`SalesProcess.move` (rules, gates and history
    as for real deals). Moves that would fall after ``as_of = start + days``
    do not happen, so the late deals are still open: censored, not lost.
    Along the way close dates slip (pushed past when they are overdue, and
    at random with ``push_rate``), amounts change now and then, contacts
    take roles (about a quarter of deals never get a primary contact), reps
    log activities about every five days and put some late-stage deals in
    Best Case or Commit; lost deals get a lost reason (one of the process's
    ``lost_reasons`` when it lists them) and sometimes a competitor.

    The next stage is drawn from the chain alone, so
    ``truth.win_probability`` stays exact; but, as in real pipelines, a deal
    on its way to a lost stage goes quiet (an activity about every 60 days
    after the first 30 % of its last stage) and slips twice as often, so
    activity recency and pushes carry information beyond the stage.

    With ``fit_effect`` (0..1) every deal also gets a fit, uniform in 0..1
    (:attr:`SyntheticData.fit`), with a known effect on winning: at every
    move the chance of a lost stage is multiplied by
    ``1 − fit_effect × (2 × fit − 1)`` and the other moves share the rest
    (:meth:`SyntheticData.win_probability` solves the chain for any fit).
    Fits come from a stream of their own: with ``fit_effect=0`` the deals
    are exactly those drawn without it, a control where fit predicts nothing.
    Without it (the default) no fit is drawn and nothing changes.

    Args:
        process: Any process with a lost stage; gates may require confirmed
            facts, fields and contact roles (they are met just in time).
        n: How many opportunities.
        seed: The random seed; the same seed gives the same data.
        start: The earliest creation time, timezone-aware.
        days: The length of the period; ``as_of`` is ``start + days``.
        truth: The chain to draw from (default: :func:`default_truth`).
        owners: How many sales reps (``rep-01`` ...).
        accounts: How many accounts (``acct-001`` ...).
        currencies: Currency codes with relative weights (default all USD).
        push_rate: The chance that a deal pushes its close date at random in a stage.
        fit_effect: How strongly a deal's fit moves its odds (0..1), or ``None``
            for no fit.

    Returns:
        The opportunities, their truth, the seed and the period.

    Raises:
        ValidationError: A bad argument, a process without a lost stage, or a
            gate synthetic data cannot meet.

    >>> import salesflow as sf
    >>> data = sf.datasets.synthetic(sf.presets.hubspot_default(), 200, seed=7)
    >>> data
    SyntheticData(process='HubSpot default', opportunities=200, open=..., won=..., lost=..., activities=..., seed=7)
    >>> [o.history for o in data.opportunities] == [
    ...     o.history for o in sf.datasets.synthetic(sf.presets.hubspot_default(), 200, seed=7).opportunities]
    True
    """
    currencies = {"USD": 1.0} if currencies is None else currencies
    problems = _check_arguments(
        process, n, seed, start, days, owners, accounts, currencies, push_rate, fit_effect
    )
    if problems:
        raise ValidationError(problems, subject="synthetic data")
    if truth is None:
        truth = default_truth(process)
    elif not isinstance(truth, SyntheticTruth) or truth.process_name != process.name:
        raise ValidationError(
            [Problem(f"expected the SyntheticTruth of process {process.name!r}", "$.truth")],
            subject="synthetic data",
        )
    generator = Generator(process, truth, random.Random(seed), start, start + timedelta(days=days))
    generator.push_rate = float(push_rate)
    if fit_effect is not None:
        generator.fit_effect = float(fit_effect)
        generator.fit_rng = random.Random(f"fit-{seed}")
    reps = [f"rep-{i:02d}" for i in range(1, owners + 1)]
    accts = [f"acct-{i:03d}" for i in range(1, accounts + 1)]
    codes, weights = list(currencies), [float(w) for w in currencies.values()]
    opportunities = tuple(
        generator.deal(f"syn-{i:06d}", reps, accts, codes, weights) for i in range(1, n + 1)
    )
    return SyntheticData(
        process=process,
        opportunities=opportunities,
        activities=tuple(generator.activities),
        truth=truth,
        seed=seed,
        start=start,
        as_of=generator.as_of,
        reps=tuple(reps),
        fit=dict(generator.fits),
        fit_effect=None if fit_effect is None else float(fit_effect),
    )
