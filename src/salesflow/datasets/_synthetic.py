"""Synthetic opportunities drawn from a known chain, through the real stage engine."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import attrs

from salesflow.datasets._truth import SyntheticTruth, default_truth
from salesflow.errors import Problem, ValidationError
from salesflow.money import Money
from salesflow.opportunity import Opportunity
from salesflow.process import SalesProcess
from salesflow.role import Role

__all__ = ["SyntheticData", "synthetic"]

_START = datetime(2025, 1, 1, tzinfo=timezone.utc)
_TYPES = ("New Business", "New Business", "Existing Business")
_SOURCES = ("Web", "Partner", "Referral", "Outbound", "Event")
_PRODUCTS = ("Starter", "Pro", "Enterprise")
_ROLES = (Role.DECISION_MAKER, Role.ECONOMIC_BUYER, Role.TECHNICAL_BUYER, Role.INFLUENCER)


@attrs.frozen(kw_only=True, repr=False, eq=False)
class SyntheticData:
    """Opportunities generated from a known model, and that model.

    Attributes:
        process: The process the opportunities follow.
        opportunities: The opportunities, with full history; those whose next
            move falls after :attr:`as_of` are still open.
        truth: The chain they were drawn from
            (``truth.win_probability[stage]`` is exact).
        seed: The seed; the same arguments and seed give the same data.
        start: When the first deal could be created.
        as_of: The "now" of the data: nothing happens after it.
    """

    process: SalesProcess
    opportunities: tuple[Opportunity, ...]
    truth: SyntheticTruth
    seed: int
    start: datetime
    as_of: datetime

    def __repr__(self) -> str:
        opps = self.opportunities
        won = sum(o.is_won for o in opps)
        lost = sum(o.is_closed and not o.is_won for o in opps)
        return (
            f"SyntheticData(process={self.process.name!r}, opportunities={len(opps)}, "
            f"open={len(opps) - won - lost}, won={won}, lost={lost}, seed={self.seed})"
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
) -> SyntheticData:
    """Generate ``n`` opportunities from a known stage chain, reproducibly.

    Every deal is opened in the chain's start stage at a random time in
    ``[start, start + days)``, waits a gamma-distributed time in each stage
    and moves on through :meth:`SalesProcess.move` (rules, gates and history
    as for real deals). Moves that would fall after ``as_of = start + days``
    do not happen, so the late deals are still open: censored, not lost.
    Along the way close dates slip (pushed past when they are overdue, and
    at random with ``push_rate``), amounts change now and then, and contacts
    take roles (about a quarter of deals never get a primary contact).

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

    Returns:
        The opportunities, their truth, the seed and the period.

    Raises:
        ValidationError: A bad argument, a process without a lost stage, or a
            gate synthetic data cannot meet.

    >>> import salesflow as sf
    >>> data = sf.datasets.synthetic(sf.presets.hubspot_default(), 200, seed=7)
    >>> data
    SyntheticData(process='HubSpot default', opportunities=200, open=..., won=..., lost=..., seed=7)
    >>> [o.history for o in data.opportunities] == [
    ...     o.history for o in sf.datasets.synthetic(sf.presets.hubspot_default(), 200, seed=7).opportunities]
    True
    """
    currencies = {"USD": 1.0} if currencies is None else currencies
    problems = _check_arguments(
        process, n, seed, start, days, owners, accounts, currencies, push_rate
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
    generator = _Generator(
        process, truth, random.Random(seed), start, start + timedelta(days=days)
    )
    generator.push_rate = float(push_rate)
    reps = [f"rep-{i:02d}" for i in range(1, owners + 1)]
    accts = [f"acct-{i:03d}" for i in range(1, accounts + 1)]
    codes, weights = list(currencies), [float(w) for w in currencies.values()]
    opportunities = tuple(
        generator.deal(f"syn-{i:06d}", reps, accts, codes, weights) for i in range(1, n + 1)
    )
    return SyntheticData(
        process=process,
        opportunities=opportunities,
        truth=truth,
        seed=seed,
        start=start,
        as_of=generator.as_of,
    )


class _Generator:
    """Draws one deal at a time from the chain; all randomness from one ``random.Random``."""

    def __init__(
        self,
        process: SalesProcess,
        truth: SyntheticTruth,
        rng: random.Random,
        start: datetime,
        as_of: datetime,
    ) -> None:
        self.process, self.truth, self.rng = process, truth, rng
        self.start, self.as_of = start, as_of
        self.push_rate = 0.3
        opens = [s.name for s in process.open_stages]
        # Expected days to close from each open stage, a rough guide for close dates.
        self.remaining = {
            name: sum(truth.mean_days[s] for s in opens[i:]) for i, name in enumerate(opens)
        }
        self.rows = {
            name: (list(row), list(row.values())) for name, row in truth.transitions.items()
        }

    def _days(self, days: float) -> timedelta:
        return timedelta(minutes=round(days * 1440))

    def _dwell(self, stage: str) -> timedelta:
        shape = self.truth.duration_shape
        return self._days(self.rng.gammavariate(shape, self.truth.mean_days[stage] / shape))

    def _close_date(self, at: datetime, stage: str) -> date:
        return (at + self._days(self.remaining[stage] * self.rng.uniform(0.6, 1.1))).date()

    def deal(
        self, id: str, reps: list[str], accounts: list[str], codes: list[str], weights: list[float]
    ) -> Opportunity:
        rng, process = self.rng, self.process
        created = self.start + self._days(rng.uniform(0, (self.as_of - self.start).days))
        created = created.replace(second=0, microsecond=0)
        owner, account = rng.choice(reps), rng.choice(accounts)
        currency = rng.choices(codes, weights)[0]
        amount = Money(
            Decimal(max(5, round(rng.lognormvariate(math.log(200), 0.9)))) * 100, currency
        )
        stage = self.truth.start_stage
        opp = process.open(
            name=f"{account} {rng.choice(_PRODUCTS)}",
            id=id,
            stage=stage,
            account_id=account,
            amount=amount,
            close_date=self._close_date(created, stage),
            at=created,
            by=owner,
            owner=owner,
            type=rng.choice(_TYPES),
            lead_source=rng.choice(_SOURCES),
        )
        if rng.random() < 0.75:
            opp.add_contact_role(f"{account}-c1", role=rng.choice(_ROLES), primary=True)
        if rng.random() < 0.4:
            opp.add_contact_role(f"{account}-c2", role=Role.INFLUENCER)
        at = created
        while True:
            leave = at + self._dwell(stage)
            self._pushes(opp, stage, at, min(leave, self.as_of), owner)
            if leave >= self.as_of:
                return opp
            names, probabilities = self.rows[stage]
            target = rng.choices(names, probabilities)[0]
            self._meet_gate(opp, target)
            new_amount = None
            if rng.random() < 0.15 and opp.amount is not None:
                factor = Decimal(rng.randint(80, 125)) / 100
                new_amount = Money((opp.amount.amount * factor).quantize(Decimal(100)), currency)
            process.move(opp, target, at=leave, by=owner, amount=new_amount)
            stage, at = target, leave
            if opp.is_closed:
                return opp

    def _pushes(
        self, opp: Opportunity, stage: str, since: datetime, until: datetime, by: str
    ) -> None:
        """Push the close date when it passes while the deal waits, and now and then at random."""
        rng = self.rng
        if rng.random() < self.push_rate:
            since = since + (until - since) * rng.random()
            later = opp.close_date + timedelta(days=rng.randint(20, 75))
            opp.change_close_date(later, at=since, by=by)
        while True:
            overdue = datetime.combine(opp.close_date, datetime.min.time(), tzinfo=timezone.utc)
            when = max(since, overdue + timedelta(days=rng.uniform(1, 10)))
            if when >= until:
                return
            opp.change_close_date(self._close_date(when, stage), at=when, by=by)

    def _meet_gate(self, opp: Opportunity, target: str) -> None:
        gate = self.process.stage(target).gate
        for fact in gate.confirmed:
            opp.confirm_fact(fact)
        for field in gate.required_fields:
            if getattr(opp, field) is None:
                setattr(opp, field, "synthetic")
        if gate.primary_contact and opp.primary_contact_id is None:
            opp.add_contact_role(f"{opp.account_id}-c1", role=Role.DECISION_MAKER, primary=True)
        for role in gate.roles:
            if not opp.has_role(role):
                opp.add_contact_role(f"{opp.account_id}-c3", role=role)
