"""Line items: the products an opportunity sells, with exact prices and optional schedules."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import attrs

from salesflow._document import shipped_schema
from salesflow._html import table_html
from salesflow._validate import a_date, non_blank, optional, sequence, text
from salesflow.errors import CurrencyMismatchError, Problem, ValidationError, shorten
from salesflow.ids import new_id
from salesflow.money import Money, to_decimal
from salesflow.schedule import (
    Installment,
    ScheduleMethod,
    SchedulePeriod,
    billing_dates,
    schedule_quantity,
    schedule_revenue,
)

__all__ = ["BillingFrequency", "LineItem", "lines_total"]


class BillingFrequency(enum.Enum):
    """How often a recurring line is billed (HubSpot's ``recurringbillingfrequency``).

    A recurring line's total price is what one billing period costs.
    """

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    PER_SIX_MONTHS = "per_six_months"
    ANNUALLY = "annually"

    @property
    def months(self) -> int:
        """The months in one billing period."""
        return _MONTHS[self]


_MONTHS = {
    BillingFrequency.MONTHLY: 1,
    BillingFrequency.QUARTERLY: 3,
    BillingFrequency.PER_SIX_MONTHS: 6,
    BillingFrequency.ANNUALLY: 12,
}


def _frequency(value: object) -> BillingFrequency | None:
    if value is None or isinstance(value, BillingFrequency):
        return value
    for member in BillingFrequency:
        if member.value == value:
            return member
    allowed = ", ".join(repr(m.value) for m in BillingFrequency)
    raise ValidationError(
        [
            Problem(
                f"expected one of {allowed} or None, got {shorten(value)}", "$.billing_frequency"
            )
        ],
        subject="LineItem",
    )


def _quantity(value: object) -> Decimal:
    return to_decimal(value, what="LineItem", path="$.quantity")


def _discount(value: object) -> Decimal | None:
    if value is None:
        return None
    result = to_decimal(value, what="LineItem", path="$.discount")
    if not 0 <= result <= 100:
        raise ValidationError(
            [Problem(f"expected a percentage in 0..100, got {result}", "$.discount")],
            subject="LineItem",
        )
    return result


def _money(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Money):
        raise ValidationError(
            [Problem(f"expected Money, got {type(value).__name__}", f"$.{attribute.name}")],
            subject="LineItem",
        )


def _installments(value: Iterable[Installment]) -> tuple[Installment, ...]:
    return sequence(value, of=Installment, what="installments")


@attrs.frozen(kw_only=True, repr=False)
class LineItem:
    """One product on an opportunity (Salesforce's ``OpportunityLineItem``).

    ``total_price`` = quantity × unit price × (100 − discount) / 100, exactly.
    A *recurring* line has a ``billing_frequency`` and a ``term_months``; its
    total price is what one billing period costs.

    Attributes:
        product: The product's name.
        quantity: How many (not zero; negative for a credit line).
        unit_price: The price of one, as sold.
        discount: A percentage in 0..100 taken off the total, if any.
        list_price: The price book's price of one, if known (same currency).
        product_family: The product's family, for analytics by family.
        product_code: The product's code (SKU), if any.
        service_date: When the product is delivered or the service starts.
        billing_frequency: How often a recurring line is billed; ``None``: one-time.
        term_months: How long a recurring line runs, a whole number of billing periods.
        schedule: Revenue or quantity installments (:mod:`salesflow.schedule`).
        id: The line's id (default: a new one).

    >>> line = LineItem(product="Custom Sneakers", quantity=35,
    ...                 unit_price=Money("120.00", "USD"), discount="10", id="l1")
    >>> line.total_price
    Money('3780.00', 'USD')
    """

    product: str = attrs.field(validator=non_blank)
    quantity: Decimal = attrs.field(converter=_quantity)
    unit_price: Money = attrs.field(validator=_money)
    discount: Decimal | None = attrs.field(default=None, converter=_discount)
    list_price: Money | None = attrs.field(default=None, validator=optional(_money))
    product_family: str | None = attrs.field(default=None, validator=text)
    product_code: str | None = attrs.field(default=None, validator=text)
    service_date: date | None = attrs.field(default=None, validator=optional(a_date))
    billing_frequency: BillingFrequency | None = attrs.field(default=None, converter=_frequency)
    term_months: int | None = attrs.field(default=None)
    schedule: tuple[Installment, ...] = attrs.field(default=(), converter=_installments)
    id: str = attrs.field(factory=new_id, validator=non_blank)

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
        if not self.quantity:
            problems.append(Problem("a line's quantity is not zero", "$.quantity"))
        if self.list_price is not None and self.list_price.currency != self.unit_price.currency:
            problems.append(
                Problem(
                    f"the list price is in {self.list_price.currency}, "
                    f"the unit price in {self.unit_price.currency}",
                    "$.list_price",
                )
            )
        problems.extend(self._term_problems())
        for index, step in enumerate(self.schedule):
            if step.revenue is not None and step.revenue.currency != self.unit_price.currency:
                problems.append(
                    Problem(
                        f"an installment in {step.revenue.currency}; the line is in "
                        f"{self.unit_price.currency}",
                        f"$.schedule[{index}].revenue",
                    )
                )
        if problems:
            raise ValidationError(problems, subject=f"LineItem {self.id}")

    def _term_problems(self) -> list[Problem]:
        term, frequency = self.term_months, self.billing_frequency
        if term is None:
            if frequency is not None:
                return [Problem("a recurring line needs term_months", "$.term_months")]
            return []
        if isinstance(term, bool) or not isinstance(term, int) or term < 1:
            return [Problem(f"expected months >= 1, got {shorten(term)}", "$.term_months")]
        if frequency is None:
            return [Problem("a term needs a billing_frequency", "$.billing_frequency")]
        if term % frequency.months:
            return [
                Problem(
                    f"a term of {term} months is not a whole number of "
                    f"{frequency.value} periods ({frequency.months} months)",
                    "$.term_months",
                )
            ]
        return []

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """The JSON Schema (draft 2020-12) of a line item document, as shipped with salesflow.

        >>> LineItem.json_schema()["title"]
        'salesflow line item'
        """
        return shipped_schema("line-item.schema.json")

    # ----------------------------------------------------------- derived

    @property
    def currency(self) -> str:
        """The line's currency (its unit price's)."""
        return self.unit_price.currency

    @property
    def total_price(self) -> Money:
        """Quantity × unit price, less the discount; exact (never rounded)."""
        gross = self.unit_price * self.quantity
        if self.discount is None or not self.discount:
            return gross
        return gross * (100 - self.discount) / 100

    @property
    def is_recurring(self) -> bool:
        """Whether the line recurs (has a billing frequency and a term)."""
        return self.billing_frequency is not None

    @property
    def arr(self) -> Money:
        """Annual recurring revenue: the period's price × periods in a year; zero if one-time."""
        if self.billing_frequency is None:
            return Money.zero(self.currency)
        return self.total_price * (12 // self.billing_frequency.months)

    def mrr(self, *, places: int = 2) -> Money:
        """Monthly recurring revenue: ARR / 12, rounded half-even to ``places`` digits (stated)."""
        amount = (self.arr.amount / 12).quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN)
        return Money(amount, self.currency)

    @property
    def tcv(self) -> Money:
        """Total contract value: the period's price × periods in the term; one-time: total price."""
        if self.billing_frequency is None or self.term_months is None:
            return self.total_price
        return self.total_price * (self.term_months // self.billing_frequency.months)

    # ----------------------------------------------------------- schedules

    def with_revenue_schedule(
        self,
        *,
        start: date | None = None,
        installments: int,
        period: SchedulePeriod | str = SchedulePeriod.MONTHLY,
        method: ScheduleMethod | str = ScheduleMethod.DIVIDE,
        places: int = 2,
    ) -> LineItem:
        """This line with its total price scheduled as revenue installments.

        See :func:`salesflow.schedule.schedule_revenue`: dividing puts the
        remainder cents on the last installment, so the schedule adds up to
        :attr:`total_price`; repeating puts the total price in each one.

        Args:
            start: The first installment's day (default: the service date).
            installments: How many.
            period: How far apart.
            method: ``"divide"`` or ``"repeat"``.
            places: Digits after the point of each divided installment.

        Raises:
            ValidationError: No start and no service date, or a bad argument.
        """
        steps = schedule_revenue(
            self.total_price,
            start=self._start(start),
            installments=installments,
            period=period,
            method=method,
            places=places,
        )
        return attrs.evolve(self, schedule=steps)

    def with_quantity_schedule(
        self,
        *,
        start: date | None = None,
        installments: int,
        period: SchedulePeriod | str = SchedulePeriod.MONTHLY,
        method: ScheduleMethod | str = ScheduleMethod.DIVIDE,
        places: int = 0,
    ) -> LineItem:
        """This line with its quantity scheduled in installments (whole units by default)."""
        steps = schedule_quantity(
            self.quantity,
            start=self._start(start),
            installments=installments,
            period=period,
            method=method,
            places=places,
        )
        return attrs.evolve(self, schedule=steps)

    def _start(self, start: date | None) -> date:
        if start is not None:
            return start
        if self.service_date is None:
            raise ValidationError(
                [Problem("give a start: the line has no service date", "$.start")],
                subject=f"schedule of line {self.id}",
            )
        return self.service_date

    def revenue_by_date(self) -> list[tuple[date | None, Money]]:
        """When the line's revenue lands, as :func:`salesflow.analytics.revenue_by_period` places it.

        Its revenue installments on their days; else, for a recurring line,
        its price on the first day of each billing period of its term from its
        service date (they add up to :attr:`tcv`); else its total on the
        service date. Without a service date the day is ``None`` (a recurring
        line's whole :attr:`tcv`).
        """
        scheduled: list[tuple[date | None, Money]] = [
            (s.on, s.revenue) for s in self.schedule if s.revenue is not None
        ]
        if scheduled:
            return scheduled
        if self.billing_frequency is not None and self.term_months:
            if self.service_date is None:
                return [(None, self.tcv)]
            days = billing_dates(
                self.service_date, self.billing_frequency.months, self.term_months
            )
            return [(day, self.total_price) for day in days]
        return [(self.service_date, self.total_price)]

    def _repr_html_(self) -> str:
        rows = [
            ("product", self.product),
            ("family", self.product_family),
            ("quantity", self.quantity),
            ("unit price", self.unit_price),
            ("list price", self.list_price),
            ("discount", None if self.discount is None else f"{self.discount} %"),
            ("total price", self.total_price),
            ("service date", self.service_date),
            ("billing", None if self.billing_frequency is None else self.billing_frequency.value),
            ("term (months)", self.term_months),
            ("installments", len(self.schedule)),
        ]
        return table_html(f"Line item {self.id}", ["field", "value"], rows)

    def __repr__(self) -> str:
        return (
            f"LineItem(id={self.id!r}, product={self.product!r}, quantity={self.quantity}, "
            f"unit_price={self.unit_price!r}, total_price={self.total_price!r})"
        )


def lines_total(lines: Iterable[LineItem]) -> Money | None:
    """Σ total price of ``lines`` (``None`` when there are none).

    Raises:
        CurrencyMismatchError: Lines in more than one currency.
    """
    items = list(lines)
    if not items:
        return None
    total = items[0].total_price
    for line in items[1:]:
        if line.currency != total.currency:
            raise CurrencyMismatchError(total.currency, line.currency, "add line items in")
        total = total + line.total_price
    return total
