"""Opportunities: potential revenue moving through the stages of a process."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

import attrs

from salesflow._contact_roles import ContactRoles
from salesflow._html import table_html
from salesflow._locks import locked
from salesflow._validate import (
    Undeletable,
    a_date,
    aware,
    kind,
    money_or_none,
    names,
    non_blank,
    optional,
    sequence,
    text,
    text_problem,
)
from salesflow.buyer._side import BuyerSide
from salesflow.buyer.effort import Effort, check_efforts
from salesflow.buyer.initiation import Initiation, WarningSign, to_initiation, to_warning_signs
from salesflow.buyer.qualification import Scorecard, check_scorecard
from salesflow.errors import (
    Problem,
    ReadOnlyFieldError,
    ValidationError,
    shorten,
)
from salesflow.forecast import ForecastCategory
from salesflow.history import HistoryEntry
from salesflow.ids import AccountId, OpportunityId, new_id
from salesflow.line_item import LineItem, lines_total
from salesflow.money import Money
from salesflow.probability import ProbabilitySource, to_probability
from salesflow.role import ContactRole

__all__ = ["MAX_NAME_LENGTH", "Opportunity", "opening_name"]

MAX_NAME_LENGTH = 120
"""Salesforce's limit on an opportunity's name."""

_set = object.__setattr__


def _read_only(verb: str) -> Callable[[Any, attrs.Attribute[Any], Any], Any]:
    def hook(_: Any, attribute: attrs.Attribute[Any], __: Any) -> Any:
        raise ReadOnlyFieldError(attribute.name, verb)

    return hook


def opening_name(opportunity_id: str) -> str:
    """The name of an opportunity opened from its id alone (by replay): the id, trimmed and cut.

    >>> opening_name("  " + "x" * 200)[:3], len(opening_name("x" * 200))
    ('xxx', 120)
    """
    return opportunity_id.strip()[:MAX_NAME_LENGTH]


def _check_name(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    non_blank(instance, attribute, value)
    if len(value) > MAX_NAME_LENGTH:
        raise ValidationError(
            [
                Problem(
                    f"a name has at most {MAX_NAME_LENGTH} characters, got {len(value)}",
                    "$.name",
                )
            ],
            subject="Opportunity",
        )


def _roles(value: Iterable[ContactRole]) -> tuple[ContactRole, ...]:
    return sequence(value, of=ContactRole, what="contact roles")


def _entries(value: Iterable[HistoryEntry]) -> tuple[HistoryEntry, ...]:
    return sequence(value, of=HistoryEntry, what="history entries")


def _lines(value: Iterable[LineItem]) -> tuple[LineItem, ...]:
    return sequence(value, of=LineItem, what="line items")


def _efforts(value: Iterable[Effort]) -> tuple[Effort, ...]:
    return sequence(value, of=object, what="pursuit efforts")  # items checked by check_efforts


def _new_opportunity_id() -> OpportunityId:
    return OpportunityId(new_id())


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _months(day: date) -> int:
    return day.year * 12 + day.month


@attrs.define(kw_only=True, repr=False)
class Opportunity(ContactRoles, BuyerSide, Undeletable):
    """A deal with one account, in one stage of a sales process.

    Create one with :meth:`salesflow.SalesProcess.open`, which fills in what the
    stage implies. Stage, probability, forecast category, the closed and won
    flags, amount, close date, contact roles and history change only through
    verbs, which keep every invariant or raise and change nothing; assigning
    them directly raises :class:`~salesflow.ReadOnlyFieldError`. Ordinary
    attributes (``name``, ``next_step``, ``owner`` ...) may be assigned.

    >>> import salesflow as sf
    >>> from datetime import date
    >>> opp = sf.presets.salesforce_standard().open(
    ...     name="Deal", amount=sf.Money("1000", "USD"), close_date=date(2026, 12, 1),
    ...     stage="Qualification", id="opp-1")
    >>> opp
    Opportunity(id='opp-1', name='Deal', stage='Qualification', probability=10, amount=Money('1000', 'USD'), close_date=2026-12-01)
    >>> opp.expected_revenue
    Money('100', 'USD')
    >>> opp.stage = "Closed Won"
    Traceback (most recent call last):
    ...
    salesflow.errors.ReadOnlyFieldError: 'stage' cannot be assigned directly; use SalesProcess.move()
    """

    id: OpportunityId = attrs.field(
        factory=_new_opportunity_id,
        validator=non_blank,
        on_setattr=_read_only("a new Opportunity"),
    )
    name: str = attrs.field(validator=_check_name)
    account_id: AccountId | None = attrs.field(default=None, validator=optional(non_blank))
    amount: Money | None = attrs.field(
        default=None, validator=money_or_none, on_setattr=_read_only("change_amount()")
    )
    close_date: date = attrs.field(validator=a_date, on_setattr=_read_only("change_close_date()"))
    stage: str = attrs.field(validator=non_blank, on_setattr=_read_only("SalesProcess.move()"))
    probability: Decimal = attrs.field(
        converter=to_probability, on_setattr=_read_only("set_probability()")
    )
    probability_source: ProbabilitySource = attrs.field(
        default=ProbabilitySource.STAGE,
        validator=kind(ProbabilitySource),
        on_setattr=_read_only("set_probability()"),
    )
    forecast_category: ForecastCategory = attrs.field(
        validator=kind(ForecastCategory), on_setattr=_read_only("SalesProcess.move()")
    )
    is_closed: bool = attrs.field(
        default=False, validator=kind(bool), on_setattr=_read_only("SalesProcess.move()")
    )
    is_won: bool = attrs.field(
        default=False, validator=kind(bool), on_setattr=_read_only("SalesProcess.move()")
    )
    closed_on: date | None = attrs.field(
        default=None, validator=optional(a_date), on_setattr=_read_only("SalesProcess.move()")
    )
    lost_reason: str | None = attrs.field(
        default=None, validator=optional(non_blank), on_setattr=_read_only("SalesProcess.move()")
    )
    competitor: str | None = attrs.field(
        default=None, validator=optional(non_blank), on_setattr=_read_only("SalesProcess.move()")
    )
    type: str | None = attrs.field(default=None, validator=text)
    lead_source: str | None = attrs.field(default=None, validator=text)
    next_step: str | None = attrs.field(default=None, validator=text)
    owner: str | None = attrs.field(default=None, validator=text)
    description: str | None = attrs.field(default=None, validator=text)
    process_name: str | None = attrs.field(
        default=None, validator=text, on_setattr=_read_only("a new Opportunity")
    )
    confirmed_facts: tuple[str, ...] = attrs.field(
        default=(), converter=names, on_setattr=_read_only("confirm_fact()")
    )
    initiation: Initiation | None = attrs.field(
        default=None, converter=to_initiation, on_setattr=_read_only("record_initiation()")
    )
    warning_signs: tuple[WarningSign, ...] = attrs.field(
        default=(), converter=to_warning_signs, on_setattr=_read_only("flag_warning()")
    )
    qualification: Scorecard | None = attrs.field(
        default=None,
        validator=check_scorecard,
        on_setattr=_read_only("set_qualification() and qualify()"),
    )
    pursuit: tuple[Effort, ...] = attrs.field(
        default=(),
        converter=_efforts,
        validator=check_efforts,
        on_setattr=_read_only("record_effort()"),
    )
    custom_roles: tuple[str, ...] = attrs.field(
        default=(), converter=names, on_setattr=_read_only("a new Opportunity")
    )
    created_at: datetime = attrs.field(
        factory=_utcnow, validator=aware, on_setattr=_read_only("a new Opportunity")
    )
    last_stage_change_at: datetime | None = attrs.field(
        default=None, validator=optional(aware), on_setattr=_read_only("SalesProcess.move()")
    )
    push_count: int = attrs.field(default=0, on_setattr=_read_only("change_close_date()"))
    contact_roles: tuple[ContactRole, ...] = attrs.field(
        default=(), converter=_roles, on_setattr=_read_only("add_contact_role() and its kin")
    )
    history: tuple[HistoryEntry, ...] = attrs.field(
        default=(), converter=_entries, on_setattr=_read_only("the verbs that change it")
    )
    line_items: tuple[LineItem, ...] = attrs.field(
        default=(), converter=_lines, on_setattr=_read_only("add_line_item() and its kin")
    )
    amount_from_lines: bool = attrs.field(
        default=False, validator=kind(bool), on_setattr=_read_only("a new Opportunity")
    )

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
        if self.is_won and not self.is_closed:
            problems.append(Problem("a won opportunity must be closed", "$.is_won"))
        if not self.is_closed:
            problems.extend(
                Problem(f"an open opportunity has no {name.replace('_', ' ')}", f"$.{name}")
                for name in ("closed_on", "lost_reason", "competitor")
                if getattr(self, name) is not None
            )
        elif self.is_won and self.lost_reason is not None:
            problems.append(Problem("a won opportunity has no lost reason", "$.lost_reason"))
        if (
            isinstance(self.push_count, bool)
            or not isinstance(self.push_count, int)
            or self.push_count < 0
        ):
            problems.append(
                Problem(f"expected a count >= 0, got {self.push_count!r}", "$.push_count")
            )
        problems.extend(self._role_problems(self.contact_roles))
        if self.line_items or self.amount_from_lines:
            problems.extend(self._line_problems(self.line_items, self.amount))
        if problems:
            raise ValidationError(problems, subject=f"Opportunity {self.id}")

    def _line_problems(self, lines: tuple[LineItem, ...], amount: Money | None) -> list[Problem]:
        """Lines in one currency, with distinct ids; a computed amount equal to their sum."""
        problems: list[Problem] = []
        ids = [line.id for line in lines]
        problems.extend(
            Problem(f"line item id {line_id!r} is used twice", f"$.line_items[{index}].id")
            for index, line_id in enumerate(ids)
            if line_id in ids[:index]
        )
        currencies = {line.currency for line in lines}
        if len(currencies) > 1:
            problems.append(
                Problem(
                    f"line items in one currency, got {', '.join(sorted(currencies))}",
                    "$.line_items",
                )
            )
        elif self.amount_from_lines and not problems:
            total = lines_total(lines)
            if amount != total:
                problems.append(
                    Problem(
                        f"the amount is computed from the lines ({total}), got {amount}",
                        "$.amount",
                    )
                )
        return problems

    # ----------------------------------------------------------------- derived

    @property
    def expected_revenue(self) -> Money | None:
        """``amount × probability / 100``, or ``None`` when there is no amount."""
        if self.amount is None:
            return None
        return self.amount * self.probability / 100

    @property
    def lines_total(self) -> Money | None:
        """Σ total price of the line items, or ``None`` without lines."""
        return lines_total(self.line_items)

    @property
    def is_open(self) -> bool:
        """Whether the opportunity is in an open stage."""
        return not self.is_closed

    # ------------------------------------------------------------- facts

    @locked
    def confirm_fact(self, fact: str) -> None:
        """Record that ``fact`` is confirmed (e.g. a buying phase's exit criterion).

        Stage gates may require confirmed facts. Confirming one twice is harmless.

        Raises:
            ValidationError: ``fact`` is blank.
        """
        if not isinstance(fact, str) or not fact.strip():
            raise ValidationError(
                [Problem(f"expected a non-blank fact, got {fact!r}", "$.fact")],
                subject=f"opportunity {self.id}",
            )
        if fact not in self.confirmed_facts:
            _set(self, "confirmed_facts", (*self.confirmed_facts, fact))

    @locked
    def retract_fact(self, fact: str) -> None:
        """Withdraw a confirmed fact ("bad news early is good news").

        Raises:
            ValidationError: ``fact`` was not confirmed.
        """
        if fact not in self.confirmed_facts:
            raise ValidationError(
                [Problem(f"{fact!r} is not confirmed", "$.fact")], subject=f"opportunity {self.id}"
            )
        _set(self, "confirmed_facts", tuple(f for f in self.confirmed_facts if f != fact))

    # ------------------------------------------------------ recorded changes

    @locked
    def set_forecast_category(
        self,
        category: ForecastCategory | str,
        *,
        at: datetime | None = None,
        by: str | None = None,
    ) -> HistoryEntry | None:
        """Override the forecast category the stage implies, until the next stage change.

        As in Salesforce, a user may put an open deal in another category (in
        the stock stage list every open stage is in Pipeline, so Best Case and
        Commit hold only what users override); the next stage change sets the
        category from the new stage again. A closed opportunity's category
        follows its stage, and only closed deals are in ``Closed``.

        Args:
            category: A :class:`~salesflow.ForecastCategory`, or its label or API name.
            at: When (default: now); timezone-aware.
            by: Who.

        Returns:
            The history entry written, or ``None`` if the category did not change.

        Raises:
            ValidationError: Not a category, ``Closed`` on an open deal, a closed
                deal, or a bad ``at``.

        >>> import salesflow as sf
        >>> from datetime import date
        >>> opp = sf.presets.salesforce_standard().open(
        ...     name="Deal", close_date=date(2026, 12, 1), stage="Negotiation/Review")
        >>> opp.set_forecast_category("Commit").forecast_category
        <ForecastCategory.COMMIT: 'Commit'>
        """
        subject = f"forecast category of opportunity {self.id}"
        if isinstance(category, str) and not isinstance(category, ForecastCategory):
            try:
                category = ForecastCategory.parse(category)
            except ValueError as exc:
                raise ValidationError([Problem(str(exc), "$.category")], subject=subject) from None
        if not isinstance(category, ForecastCategory):
            raise ValidationError(
                [
                    Problem(
                        f"expected a ForecastCategory, got {type(category).__name__}",
                        "$.category",
                    )
                ],
                subject=subject,
            )
        if self.is_closed:
            raise ValidationError(
                [
                    Problem(
                        f"{self.stage!r} is closed: its category follows the stage", "$.category"
                    )
                ],
                subject=subject,
            )
        if category is ForecastCategory.CLOSED:
            raise ValidationError(
                [Problem("only closed opportunities are in 'Closed'", "$.category")],
                subject=subject,
            )
        when = self._when(at, by)
        if category is self.forecast_category:
            return None
        return self._commit({"forecast_category": category}, when, by)

    @locked
    def set_probability(
        self,
        probability: int | Decimal | str,
        *,
        at: datetime | None = None,
        by: str | None = None,
    ) -> HistoryEntry | None:
        """Override the stage's probability by hand, until the next stage change.

        Args:
            probability: A percentage in 0..100 (``int``, ``Decimal`` or string).
            at: When (default: now); timezone-aware.
            by: Who.

        Returns:
            The history entry written, or ``None`` if the value did not change.

        Raises:
            ValidationError: Not a percentage in 0..100, or a bad ``at``.
        """
        value = to_probability(probability)
        when = self._when(at, by)
        if value == self.probability:
            _set(self, "probability_source", ProbabilitySource.MANUAL)
            return None
        return self._commit(
            {"probability": value, "probability_source": ProbabilitySource.MANUAL}, when, by
        )

    @locked
    def change_amount(
        self, amount: Money | None, *, at: datetime | None = None, by: str | None = None
    ) -> HistoryEntry | None:
        """Change the amount (``None`` clears it).

        Returns:
            The history entry written, or ``None`` if the amount did not change.

        Raises:
            ValidationError: ``amount`` is not :class:`~salesflow.Money`, or a bad ``at``.
        """
        self._check_change(amount=amount)
        when = self._when(at, by)
        if amount == self.amount:
            return None
        return self._commit({"amount": amount}, when, by)

    @locked
    def add_line_item(
        self, line: LineItem, *, at: datetime | None = None, by: str | None = None
    ) -> HistoryEntry | None:
        """Add a line item; with ``amount_from_lines`` the amount follows the lines.

        Returns:
            The history entry written when the amount changed, else ``None``.

        Raises:
            ValidationError: Not a :class:`~salesflow.LineItem`, its id is taken,
                its currency differs from the other lines', or a bad ``at``.
        """
        if not isinstance(line, LineItem):
            raise ValidationError(
                [Problem(f"expected a LineItem, got {type(line).__name__}", "$.line")],
                subject=f"line items of opportunity {self.id}",
            )
        return self._set_lines((*self.line_items, line), at, by)

    @locked
    def remove_line_item(
        self, line_id: str, *, at: datetime | None = None, by: str | None = None
    ) -> HistoryEntry | None:
        """Remove the line item with id ``line_id``.

        Raises:
            ValidationError: No line has that id, or a bad ``at``.
        """
        kept = tuple(line for line in self.line_items if line.id != line_id)
        if len(kept) == len(self.line_items):
            raise ValidationError(
                [Problem(f"no line item has the id {shorten(line_id)}", "$.line_id")],
                subject=f"line items of opportunity {self.id}",
            )
        return self._set_lines(kept, at, by)

    @locked
    def replace_line_items(
        self, lines: Iterable[LineItem], *, at: datetime | None = None, by: str | None = None
    ) -> HistoryEntry | None:
        """Replace every line item at once (an empty list removes them all).

        Raises:
            ValidationError: Not line items, a repeated id, several currencies,
                or a bad ``at``.
        """
        try:
            items = _lines(lines)
        except ValidationError as exc:
            raise ValidationError(
                [Problem(p.message, "$.lines" + p.path[1:]) for p in exc.problems],
                subject=f"line items of opportunity {self.id}",
            ) from None
        return self._set_lines(items, at, by)

    def _set_lines(
        self, lines: tuple[LineItem, ...], at: datetime | None, by: str | None
    ) -> HistoryEntry | None:
        """Check, then set the lines (and a computed amount, recorded in history)."""
        amount = self.amount
        one_currency = len({line.currency for line in lines}) <= 1
        if self.amount_from_lines and one_currency:
            amount = lines_total(lines)
        problems = self._line_problems(lines, amount)
        if problems:
            raise ValidationError(problems, subject=f"line items of opportunity {self.id}")
        when = self._when(at, by)
        if amount == self.amount:
            _set(self, "line_items", lines)
            return None
        return self._commit({"line_items": lines, "amount": amount}, when, by)

    @locked
    def change_close_date(
        self, close_date: date, *, at: datetime | None = None, by: str | None = None
    ) -> HistoryEntry | None:
        """Move the expected close date.

        A move to a later month counts as a push (``push_count`` + 1); moving it
        earlier never decreases ``push_count``.

        Returns:
            The history entry written, or ``None`` if the date did not change.

        Raises:
            ValidationError: ``close_date`` is not a date, or a bad ``at``.
        """
        if close_date is None:
            raise ValidationError(
                [Problem("expected a date, got None", "$.close_date")],
                subject=f"change to opportunity {self.id}",
            )
        self._check_change(close_date=close_date)
        when = self._when(at, by)
        if close_date == self.close_date:
            return None
        return self._commit({"close_date": close_date}, when, by)

    def _check_change(self, *, amount: object = None, close_date: object = None) -> None:
        """Refuse an amount that is not Money (or None), a close date that is not a date."""
        problems = []
        if amount is not None and self.amount_from_lines:
            problems.append(
                Problem(
                    "the amount is computed from the line items; change the lines instead",
                    "$.amount",
                )
            )
        elif amount is not None and not isinstance(amount, Money):
            problems.append(
                Problem(f"expected Money or None, got {type(amount).__name__}", "$.amount")
            )
        if close_date is not None and (
            not isinstance(close_date, date) or isinstance(close_date, datetime)
        ):
            problems.append(
                Problem(f"expected a date, got {type(close_date).__name__}", "$.close_date")
            )
        if problems:
            raise ValidationError(problems, subject=f"change to opportunity {self.id}")

    def _when(self, at: datetime | None, by: object = None) -> datetime:
        """Validate a change's time (timezone-aware; default: now) and author (a string)."""
        when = _utcnow() if at is None else at
        problems = []
        if not isinstance(when, datetime) or when.utcoffset() is None:
            problems.append(Problem(f"expected a timezone-aware datetime, got {at!r}", "$.at"))
        if by is not None and not isinstance(by, str):
            problems.append(
                Problem(f"expected who made the change, got {type(by).__name__}", "$.by")
            )
        elif by is not None and (problem := text_problem(by, "$.by")) is not None:
            problems.append(problem)
        if problems:
            raise ValidationError(problems, subject=f"change to opportunity {self.id}")
        return when

    def _commit(self, changes: dict[str, Any], at: datetime, by: str | None) -> HistoryEntry:
        """Apply validated ``changes`` and append the history entry (cannot fail)."""
        previous_amount, previous_close = self.amount, self.close_date
        new_close = changes.get("close_date", previous_close)
        if _months(new_close) > _months(previous_close):
            changes["push_count"] = self.push_count + 1
        for name, value in changes.items():
            _set(self, name, value)
        entry = HistoryEntry(
            at=at,
            by=by,
            owner=self.owner,
            stage=self.stage,
            amount=self.amount,
            probability=self.probability,
            close_date=self.close_date,
            forecast_category=self.forecast_category,
            previous_amount=previous_amount,
            previous_close_date=previous_close,
        )
        _set(self, "history", (*self.history, entry))
        return entry

    def _repr_html_(self) -> str:
        fields = [
            ("stage", self.stage),
            ("amount", self.amount),
            ("probability", f"{self.probability} %"),
            ("forecast category", self.forecast_category.value),
            ("close date", self.close_date.isoformat()),
            ("closed on", self.closed_on),
            ("owner", self.owner),
            ("account", self.account_id),
            ("pushes", self.push_count),
            ("history entries", len(self.history)),
        ]
        if self.line_items:
            fields.append(("line items", len(self.line_items)))
        return table_html(f"Opportunity {self.id}: {self.name}", ["field", "value"], fields)

    def __repr__(self) -> str:
        return (
            f"Opportunity(id={self.id!r}, name={self.name!r}, stage={self.stage!r}, "
            f"probability={self.probability}, amount={self.amount!r}, "
            f"close_date={self.close_date.isoformat()})"
        )
