"""Prospects by fit: which accounts to pursue, before any deal exists.

"You cannot win every opportunity: focus on your strengths." Where
:func:`~salesflow.buyer.prioritise` ranks open deals by amount × win chance ×
fit, :func:`prioritise_accounts` ranks accounts — prospects, with or without an
opportunity yet — by fit alone (:func:`~salesflow.buyer.assess_fit` against a
:class:`~salesflow.buyer.FitProfile`), each with its reasons.

Policies (salesflow's): the industry is the account's own; evidence and the
solution come per account id; evidence not given is the lowest level (as in
:func:`~salesflow.buyer.assess_fit`), and the reasons say which criteria had
none. The best fit ranks first; ties keep the input order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import attrs

from salesflow._html import table_html
from salesflow.account import Account
from salesflow.buyer._ranked import Ranked
from salesflow.buyer.fit import FitAssessment, FitProfile, assess_fit
from salesflow.errors import Problem, ValidationError

__all__ = ["AccountPriorities", "AccountPriority", "prioritise_accounts"]

Evidence = Mapping[str, str | int | None]
_SUBJECT = "prospects by fit"


@attrs.frozen(kw_only=True)
class AccountPriority:
    """One account's place among the prospects, by fit.

    Attributes:
        rank: 1 for the account to pursue first.
        account_id: The account.
        name: Its name.
        industry: Its industry, or ``None``.
        solution: The solution it was assessed for, or ``None``.
        fit: Its fit assessment.
        reasons: Why it ranks where it does.
    """

    rank: int
    account_id: str
    name: str
    industry: str | None
    solution: str | None
    fit: FitAssessment
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return (
            f"{self.rank}. {self.name}: {self.fit.grade} fit ({self.fit.score:.0%}) — "
            + "; ".join(self.reasons)
        )


@attrs.frozen
class AccountPriorities(Ranked[AccountPriority]):
    """Prospects ranked by fit: :class:`AccountPriority` rows, best first."""

    rows: tuple[AccountPriority, ...]

    def to_rows(self) -> list[dict[str, object]]:
        """One plain dictionary per row, for a dataframe (``polars.DataFrame(p.to_rows())``).

        >>> AccountPriorities(()).to_rows()
        []
        """
        return [
            {
                "rank": p.rank,
                "account_id": p.account_id,
                "name": p.name,
                "industry": p.industry,
                "solution": p.solution,
                "fit": p.fit.score,
                "grade": p.fit.grade,
                "missing": ", ".join(p.fit.missing),
                "reasons": "; ".join(p.reasons),
            }
            for p in self.rows
        ]

    def _repr_html_(self) -> str:
        body = [
            [
                p.rank,
                p.name,
                p.industry,
                p.solution,
                f"{p.fit.score:.0%} ({p.fit.grade})",
                "; ".join(p.reasons),
            ]
            for p in self.rows
        ]
        names = ["rank", "account", "industry", "solution", "fit", "why"]
        return table_html("Prospects by fit", names, body)


def _check(
    accounts: Sequence[object],
    evidence: Mapping[str, Evidence] | None,
    solutions: Mapping[str, str] | None,
    top: object,
) -> None:
    problems: list[Problem] = []
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        problems.append(Problem(f"expected a whole number >= 1, got {top!r}", "$.top"))
    seen: set[str] = set()
    for index, account in enumerate(accounts):
        if not isinstance(account, Account):
            problems.append(
                Problem(
                    f"expected an Account, got {type(account).__name__}", f"$.accounts[{index}]"
                )
            )
        elif account.id in seen:
            problems.append(Problem(f"duplicate account {account.id!r}", f"$.accounts[{index}]"))
        else:
            seen.add(account.id)
    for name, given in (("evidence", evidence), ("solutions", solutions)):
        if given is None:
            continue
        if not isinstance(given, Mapping):
            problems.append(
                Problem(
                    f"expected a mapping by account id, got {type(given).__name__}", f"$.{name}"
                )
            )
            continue
        problems += [
            Problem(f"no account {key!r} among the accounts", f"$.{name}[{key!r}]")
            for key in given
            if key not in seen
        ]
    if problems:
        raise ValidationError(problems, subject=_SUBJECT)


def _assess(
    profile: FitProfile, account: Account, evidence: Evidence, solution: str | None
) -> FitAssessment:
    try:
        return assess_fit(profile, evidence, solution=solution, industry=account.industry)
    except ValidationError as exc:
        where = f"$.evidence[{account.id!r}]"
        raise ValidationError(
            [Problem(p.message, _under(where, p.path)) for p in exc.problems], subject=_SUBJECT
        ) from None


def _under(where: str, path: str) -> str:
    if path.startswith("$.profile"):
        return path
    return where + path.removeprefix("$.evidence").removeprefix("$")


def _reasons(
    profile: FitProfile, fit: FitAssessment, solution: str | None, industry: str | None
) -> tuple[str, ...]:
    reasons = [str(reason) for reason in fit.reasons]
    if profile.matrix and (solution is None or industry is None):
        lacking = " and ".join(
            name
            for name, value in (("solution", solution), ("industry", industry))
            if value is None
        )
        reasons.append(f"no {lacking}: the solution × industry matrix was not assessed")
    return tuple(reasons)


def prioritise_accounts(
    accounts: Iterable[Account],
    *,
    profile: FitProfile,
    evidence: Mapping[str, Evidence] | None = None,
    solutions: Mapping[str, str] | None = None,
    top: int | None = None,
) -> AccountPriorities:
    """Rank accounts (prospects, with or without a deal) by fit, best first, with reasons.

    Args:
        accounts: The accounts; their ids unique.
        profile: The seller's fit profile (e.g. :func:`salesflow.presets.liferay_fit`).
        evidence: Account id → criterion → evidence level (a level's name or index).
        solutions: Account id → the solution it needs (for the matrix, with
            the account's industry).
        top: Keep only the first ``top`` rows.

    Returns:
        The prospects by fit.

    Raises:
        ValidationError: Not accounts, a duplicate account id, a bad ``top``,
            evidence or a solution for an account not given, or evidence
            naming an unknown criterion or level (the path names the account).

    >>> import salesflow as sf
    >>> bank = sf.Account(id="a1", name="Bank", industry="Financial services")
    >>> shop = sf.Account(id="a2", name="Shop", industry="Retail")
    >>> ranked = prioritise_accounts([shop, bank], profile=sf.presets.liferay_fit(),
    ...     evidence={"a1": {"security": "confirmed", "complexity": "claimed"},
    ...               "a2": {"complexity": "claimed"}},
    ...     solutions={"a1": "Customer portal"})
    >>> [(p.rank, p.name, p.fit.grade) for p in ranked]
    [(1, 'Bank', 'good'), (2, 'Shop', 'weak')]
    """
    found = list(accounts)
    _check(found, evidence, solutions, top)
    given, needs = evidence or {}, solutions or {}
    assessed = []
    for account in found:
        solution = needs.get(account.id)
        fit = _assess(profile, account, given.get(account.id, {}), solution)
        assessed.append((account, solution, fit))
    assessed.sort(key=lambda item: -item[2].score)
    return AccountPriorities(
        tuple(
            AccountPriority(
                rank=number,
                account_id=account.id,
                name=account.name,
                industry=account.industry,
                solution=solution,
                fit=fit,
                reasons=_reasons(profile, fit, solution, account.industry),
            )
            for number, (account, solution, fit) in enumerate(assessed[:top], start=1)
        )
    )
