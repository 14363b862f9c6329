"""The generator behind :func:`salesflow.datasets.synthetic`: one deal at a time."""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from salesflow.activity import Activity, ActivityKind
from salesflow.datasets._truth import SyntheticTruth, fit_row
from salesflow.forecast import ForecastCategory
from salesflow.ids import ActivityId, ContactId
from salesflow.money import Money
from salesflow.opportunity import Opportunity
from salesflow.process import SalesProcess
from salesflow.role import Role

__all__ = ["Generator"]

_TYPES = ("New Business", "New Business", "Existing Business")
_SOURCES = ("Web", "Partner", "Referral", "Outbound", "Event")
_PRODUCTS = ("Starter", "Pro", "Enterprise")
_ROLES = (Role.DECISION_MAKER, Role.ECONOMIC_BUYER, Role.TECHNICAL_BUYER, Role.INFLUENCER)
_LOST_REASONS = ("Price", "No Decision", "Lost to Competitor", "Timing", "No Budget")
_COMPETITORS = ("Acme", "Globex", "Initech")
_KINDS = (ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.MEETING)
_DAYS_BETWEEN_ACTIVITIES = 5.0
_QUIET_DAYS_BETWEEN_ACTIVITIES = 60.0


class Generator:
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
        self.activities: list[Activity] = []
        self.reasons = process.settings.lost_reasons or _LOST_REASONS
        late = {s.name for s in process.open_stages[-2:]}
        self.late = late if len(process.open_stages) > 2 else set()
        opens = [s.name for s in process.open_stages]
        # Expected days to close from each open stage, a rough guide for close dates.
        self.remaining = {
            name: sum(truth.mean_days[s] for s in opens[i:]) for i, name in enumerate(opens)
        }
        self.rows = {
            name: (list(row), list(row.values())) for name, row in truth.transitions.items()
        }
        # Fit: drawn from its own stream, so data without it stays as it was.
        self.fit_effect: float | None = None
        self.fit_rng = random.Random(0)
        self.fits: dict[str, float] = {}
        self.lost = frozenset(s.name for s in process.lost_stages)

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
        rows = self.rows
        if self.fit_effect is not None:
            fit = self.fits[id] = round(self.fit_rng.random(), 4)
            rows = {
                name: (list(r), list(r.values()))
                for name, r in (
                    (name, fit_row(row, self.lost, fit, self.fit_effect))
                    for name, row in self.truth.transitions.items()
                )
            }
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
            names, probabilities = rows[stage]
            target = rng.choices(names, probabilities)[0]
            losing = process.stage(target).is_lost
            end = min(leave, self.as_of)
            self._log(opp, at, end, leave, quiet=losing)
            last = self._pushes(opp, stage, at, end, owner, losing=losing)
            if stage in self.late and rng.random() < 0.5:
                category = (
                    ForecastCategory.COMMIT if rng.random() < 0.5 else ForecastCategory.BEST_CASE
                )
                opp.set_forecast_category(
                    category, at=last + (end - last) * rng.random(), by=owner
                )
            if leave >= self.as_of:
                if rng.random() < 0.5:
                    self._task(opp)
                return opp
            self._meet_gate(opp, target)
            new_amount = None
            if rng.random() < 0.15 and opp.amount is not None:
                factor = Decimal(rng.randint(80, 125)) / 100
                new_amount = Money((opp.amount.amount * factor).quantize(Decimal(100)), currency)
            reason = competitor = None
            if losing:
                reason = rng.choice(self.reasons)
                competitor = rng.choice(_COMPETITORS) if rng.random() < 0.3 else None
            elif process.stage(target).is_won and rng.random() < 0.2:
                competitor = rng.choice(_COMPETITORS)
            process.move(
                opp,
                target,
                at=leave,
                by=owner,
                amount=new_amount,
                lost_reason=reason,
                competitor=competitor,
            )
            stage, at = target, leave
            if opp.is_closed:
                return opp

    def _pushes(
        self,
        opp: Opportunity,
        stage: str,
        since: datetime,
        until: datetime,
        by: str,
        *,
        losing: bool,
    ) -> datetime:
        """Push the close date when it passes while the deal waits, and now and then at random.

        Returns:
            The time of the last push, or ``since``.
        """
        rng = self.rng
        if rng.random() < self.push_rate * (2 if losing else 1):
            since = since + (until - since) * rng.random()
            later = opp.close_date + timedelta(days=rng.randint(20, 75))
            opp.change_close_date(later, at=since, by=by)
        while True:
            overdue = datetime.combine(opp.close_date, datetime.min.time(), tzinfo=timezone.utc)
            when = max(since, overdue + timedelta(days=rng.uniform(1, 10)))
            if when >= until:
                return since
            opp.change_close_date(self._close_date(when, stage), at=when, by=by)
            since = when

    def _log(
        self, opp: Opportunity, since: datetime, until: datetime, leave: datetime, *, quiet: bool
    ) -> None:
        """Log activities from ``since`` to ``until``; a deal about to be lost goes quiet."""
        rng, at = self.rng, since
        quiet_from = since + (leave - since) * 0.3
        contacts: list[ContactId | None] = [r.contact_id for r in opp.contact_roles] or [None]
        while True:
            mean = (
                _QUIET_DAYS_BETWEEN_ACTIVITIES
                if quiet and at >= quiet_from
                else _DAYS_BETWEEN_ACTIVITIES
            )
            at += self._days(rng.expovariate(1 / mean))
            if at >= until:
                return
            kind = rng.choices(_KINDS, (3, 4, 1))[0]
            self.activities.append(
                Activity(
                    id=ActivityId(f"{opp.id}-a{len(self.activities):07d}"),
                    opportunity_id=opp.id,
                    kind=kind,
                    at=at,
                    contact_id=rng.choice(contacts),
                    owner=opp.owner,
                    subject=f"{kind.value} about {opp.name}",
                )
            )

    def _task(self, opp: Opportunity) -> None:
        """An open follow-up task on a deal still open at ``as_of``."""
        self.activities.append(
            Activity(
                id=ActivityId(f"{opp.id}-a{len(self.activities):07d}"),
                opportunity_id=opp.id,
                kind=ActivityKind.TASK,
                at=self.as_of,
                owner=opp.owner,
                subject=f"follow up on {opp.name}",
                done=False,
                due_date=(self.as_of + timedelta(days=self.rng.randint(1, 21))).date(),
            )
        )

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
