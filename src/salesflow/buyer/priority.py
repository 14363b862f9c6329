"""A prioritised pipeline: focus where the chance is highest.

"You cannot win every opportunity": rank open deals by what they are worth
to pursue, ``amount × win chance × fit``, each with its reasons. The win
chance is the deal's probability (its stage's, or a deal score written into
it); fit is :func:`~salesflow.buyer.assess_fit` against a
:class:`~salesflow.buyer.FitProfile`, from evidence given per deal, the
deal's confirmed facts, and its account's industry.

Policies (salesflow's): a deal without an amount ranks after those with one,
by win chance × fit; a deal whose fit is unknown (possible only where fits are
given from outside, as in the CLI report) ranks after those with one, by
``amount × win chance``, and its reasons say so: a missing fit is never taken
as 0 nor as 1. Ties keep the input order.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from decimal import Decimal

import attrs

from salesflow._html import table_html
from salesflow.account import Account
from salesflow.buyer._ranked import Ranked
from salesflow.buyer.fit import FitAssessment, FitProfile, assess_fit
from salesflow.errors import CurrencyMismatchError, Problem, ValidationError
from salesflow.money import Money
from salesflow.opportunity import Opportunity

__all__ = ["Candidate", "Priorities", "Priority", "opportunity_fit", "prioritise", "rank"]

Evidence = Mapping[str, str | int | None]
_CENTS = Decimal("0.01")


def opportunity_fit(
    profile: FitProfile,
    opportunity: Opportunity,
    *,
    evidence: Evidence | None = None,
    account: Account | None = None,
    solution: str | None = None,
) -> FitAssessment:
    """Assess one deal's fit, reading evidence from the deal where none is given.

    Policy: a criterion named among the deal's confirmed facts
    (:meth:`Opportunity.confirm_fact`) is at its highest level; ``evidence``
    overrides that per criterion. The industry is the account's, when the
    account is the deal's; the solution is given (salesflow has no field for it).

    Raises:
        ValidationError: ``evidence`` names an unknown criterion or level.

    >>> import salesflow as sf
    >>> from datetime import date
    >>> opp = sf.presets.trailhead_simple().open(name="Portal", close_date=date(2027, 1, 1),
    ...     account_id="acc-1")
    >>> opp.confirm_fact("security")
    >>> bank = sf.Account(id="acc-1", name="Bank", industry="Financial services")
    >>> fit = opportunity_fit(sf.presets.liferay_fit(), opp, account=bank,
    ...     evidence={"complexity": "claimed"}, solution="Customer portal")
    >>> round(fit.score, 3), fit.grade
    (0.625, 'good')
    """
    found: dict[str, str | int | None] = {
        c.name: c.levels[-1] for c in profile.criteria if c.name in opportunity.confirmed_facts
    }
    found.update(evidence or {})
    industry = None
    if account is not None and account.id == opportunity.account_id:
        industry = account.industry
    return assess_fit(profile, found, solution=solution, industry=industry)


@attrs.frozen(kw_only=True)
class Priority:
    """One deal's place in the prioritised pipeline.

    Attributes:
        rank: 1 for the deal to focus on first.
        opportunity_id: The deal.
        name: Its name.
        amount: Its amount, or ``None``.
        probability: Its win chance, 0..100.
        fit: Its fit assessment, or ``None`` when no fit is known.
        value: ``amount × probability / 100 × fit score`` (without a fit,
            ``amount × probability / 100``), or ``None`` without an amount.
        reasons: Why it ranks where it does.
    """

    rank: int
    opportunity_id: str
    name: str
    amount: Money | None
    probability: Decimal
    fit: FitAssessment | None
    value: Money | None
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.rank}. {self.name}: {self.value} — " + "; ".join(self.reasons)


@attrs.frozen
class Priorities(Ranked[Priority]):
    """A prioritised pipeline: :class:`Priority` rows, best first."""

    rows: tuple[Priority, ...]

    def to_rows(self) -> list[dict[str, object]]:
        """One plain dictionary per row, for a dataframe (``polars.DataFrame(p.to_rows())``).

        Amounts and values are :class:`~decimal.Decimal` with a ``currency``
        column; ``fit`` and ``grade`` are ``None`` where no fit is known.

        >>> Priorities(()).to_rows()
        []
        """
        return [
            {
                "rank": p.rank,
                "opportunity_id": p.opportunity_id,
                "name": p.name,
                "amount": None if p.amount is None else p.amount.amount,
                "currency": None if p.amount is None else p.amount.currency,
                "probability": p.probability,
                "fit": None if p.fit is None else p.fit.score,
                "grade": None if p.fit is None else p.fit.grade,
                "value": None if p.value is None else p.value.amount,
                "reasons": "; ".join(p.reasons),
            }
            for p in self.rows
        ]

    def _repr_html_(self) -> str:
        body = [
            [
                p.rank,
                p.name,
                p.amount,
                f"{p.probability}%",
                "-" if p.fit is None else f"{p.fit.score:.0%} ({p.fit.grade})",
                p.value,
                "; ".join(p.reasons),
            ]
            for p in self.rows
        ]
        names = ["rank", "deal", "amount", "win chance", "fit", "value", "why"]
        return table_html("Prioritised pipeline", names, body)


@attrs.frozen(kw_only=True)
class Candidate:
    """One open deal as the ranking reads it (what :func:`rank` takes).

    Attributes:
        id: The deal's id.
        name: Its name.
        stage: Its stage, for the reasons.
        amount: Its amount, or ``None``.
        probability: Its win chance, 0..100.
        fit: Its fit, or ``None`` when unknown.
    """

    id: str
    name: str
    stage: str
    amount: Money | None
    probability: Decimal
    fit: FitAssessment | None


def _fit_reason(fit: FitAssessment | None, others_have_one: bool) -> str:
    if fit is None:
        after = ", after the deals with one" if others_have_one else ""
        return f"no fit given: ranked by amount × win chance{after}"
    if fit.reasons:
        return str(fit)
    return f"{fit.grade} fit ({fit.score:.0%}), from {fit.profile}"


def rank(candidates: Iterable[Candidate], *, top: int | None = None) -> Priorities:
    """Rank open deals by ``amount × win chance × fit`` (see the module's policies).

    :func:`prioritise` reads opportunities into candidates; a report that has
    its deals as rows (the CLI's) builds them itself and ranks them here.

    Raises:
        ValidationError: A bad ``top``.
        CurrencyMismatchError: The amounts are in more than one currency.
    """
    _check_top(top)
    deals = list(candidates)
    currencies = sorted({c.amount.currency for c in deals if c.amount is not None})
    if len(currencies) > 1:
        raise CurrencyMismatchError(currencies[0], currencies[1], "rank")
    any_fit = any(c.fit is not None for c in deals)
    scored: list[tuple[bool, bool, Decimal, int]] = []
    for place, deal in enumerate(deals):
        factor = Decimal(1) if deal.fit is None else Decimal(deal.fit.score)
        chance = deal.probability / 100 * factor
        if deal.amount is not None:
            order = -(deal.amount.amount * chance).quantize(_CENTS)
        else:
            order = -chance
        scored.append((deal.amount is None, deal.fit is None, order, place))  # place: ties stay
    best = sorted(scored) if top is None else heapq.nsmallest(top, scored)
    rows = []
    for number, (_, _, order, place) in enumerate(best, start=1):
        deal = deals[place]
        value = None if deal.amount is None else Money(-order, deal.amount.currency)
        reasons = [
            f"win chance {deal.probability}% in {deal.stage}",
            _fit_reason(deal.fit, any_fit),
        ]
        if deal.amount is None:
            reasons.append("no amount: ranked after the deals with one")
        rows.append(
            Priority(
                rank=number,
                opportunity_id=deal.id,
                name=deal.name,
                amount=deal.amount,
                probability=deal.probability,
                fit=deal.fit,
                value=value,
                reasons=tuple(reasons),
            )
        )
    return Priorities(tuple(rows))


def _check_top(top: object) -> None:
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise ValidationError(
            [Problem(f"expected a whole number >= 1, got {top!r}", "$.top")],
            subject="prioritised pipeline",
        )


def prioritise(
    opportunities: Iterable[Opportunity],
    *,
    profile: FitProfile,
    evidence: Mapping[str, Evidence] | None = None,
    accounts: Iterable[Account] = (),
    solutions: Mapping[str, str] | None = None,
    top: int | None = None,
) -> Priorities:
    """Rank the open deals by ``amount × win chance × fit``, best first, with reasons.

    Closed deals are left out. Deals without an amount rank after those with
    one, by win chance × fit; ties keep the input order.

    Args:
        opportunities: The deals.
        profile: The seller's fit profile (e.g. :func:`salesflow.presets.liferay_fit`).
        evidence: Deal id → criterion → evidence level (see :func:`opportunity_fit`).
        accounts: The deals' accounts (for their industries).
        solutions: Deal id → the solution it needs (for the matrix).
        top: Keep only the first ``top`` rows.

    Returns:
        The prioritised pipeline.

    Raises:
        ValidationError: Not opportunities, a bad ``top``, or bad evidence.
        CurrencyMismatchError: The amounts are in more than one currency.

    >>> import salesflow as sf
    >>> from datetime import date
    >>> process = sf.presets.trailhead_simple()
    >>> big = process.open(name="Big, poor fit", close_date=date(2027, 1, 1),
    ...     amount=sf.Money(500_000, "EUR"), stage="Prospecting", id="o1")
    >>> small = process.open(name="Small, strong fit", close_date=date(2027, 1, 1),
    ...     amount=sf.Money(150_000, "EUR"), stage="Proposal/Price Quote", id="o2")
    >>> ranked = prioritise([big, small], profile=sf.presets.liferay_fit(),
    ...     evidence={"o2": {"complexity": "confirmed", "security": "confirmed"},
    ...               "o1": {"enterprise": "claimed"}})
    >>> [(p.rank, p.name, str(p.value)) for p in ranked]
    [(1, 'Small, strong fit', '75,000.00 EUR'), (2, 'Big, poor fit', '8,333.33 EUR')]
    """
    _check_top(top)
    deals = list(opportunities)
    bad = [
        Problem(f"expected an Opportunity, got {type(o).__name__}", f"$.opportunities[{i}]")
        for i, o in enumerate(deals)
        if not isinstance(o, Opportunity)
    ]
    if bad:
        raise ValidationError(bad, subject="prioritised pipeline")
    by_id = {a.id: a for a in accounts}
    return rank(
        (
            Candidate(
                id=str(opp.id),
                name=opp.name,
                stage=opp.stage,
                amount=opp.amount,
                probability=opp.probability,
                fit=opportunity_fit(
                    profile,
                    opp,
                    evidence=(evidence or {}).get(str(opp.id)),
                    account=by_id.get(opp.account_id) if opp.account_id else None,
                    solution=(solutions or {}).get(str(opp.id)),
                ),
            )
            for opp in deals
            if not opp.is_closed
        ),
        top=top,
    )
