"""Deal types and their declared effect on recurring revenue (ARR)."""

from __future__ import annotations

import enum
import html
from collections.abc import Iterable

import attrs

from salesflow._validate import names, non_blank
from salesflow.errors import Problem, ValidationError, did_you_mean, shorten

__all__ = ["STANDARD_DEAL_TYPES", "ArrMovement", "DealType", "find_deal_type"]


class ArrMovement(enum.Enum):
    """How a won deal of a type moves annual recurring revenue.

    ``NEW`` and ``EXPANSION`` add the ARR of the deal's recurring lines;
    ``CONTRACTION`` and ``CHURN`` take it away (the lines carry the ARR lost,
    written positive or as credit lines: its absolute value is taken away);
    ``NONE`` leaves ARR as it was (a renewal at the same price; book an uplift
    as an expansion deal).
    """

    NEW = "new"
    EXPANSION = "expansion"
    CONTRACTION = "contraction"
    CHURN = "churn"
    NONE = "none"

    @property
    def sign(self) -> int:
        """+1 for a movement that adds ARR, −1 for one that takes it away, 0 for none."""
        return {"new": 1, "expansion": 1, "contraction": -1, "churn": -1}.get(self.value, 0)


def _movement(value: object) -> ArrMovement:
    if isinstance(value, ArrMovement):
        return value
    for member in ArrMovement:
        if member.value == value:
            return member
    allowed = ", ".join(repr(m.value) for m in ArrMovement)
    raise ValidationError(
        [Problem(f"expected one of {allowed}, got {shorten(value)}", "$.movement")],
        subject="DealType",
    )


@attrs.frozen(kw_only=True)
class DealType:
    """A kind of deal (an opportunity's ``type``) and its effect on ARR.

    Extensible: define your own and pass them to :func:`find_deal_type` or
    :func:`salesflow.analytics.arr_bridge`.

    Attributes:
        name: The name, as in the opportunity's ``type`` (Salesforce's ``Type``).
        movement: Its declared effect on recurring revenue.
        aliases: Other names the type goes by (matched ignoring case).

    >>> DealType(name="Upsell", movement="expansion").movement
    <ArrMovement.EXPANSION: 'expansion'>
    """

    name: str = attrs.field(validator=non_blank)
    movement: ArrMovement = attrs.field(converter=_movement)
    aliases: tuple[str, ...] = attrs.field(default=(), converter=names)

    def matches(self, name: str) -> bool:
        """Whether ``name`` is this type's name or an alias, ignoring case and spacing."""
        key = _fold(name)
        return any(_fold(n) == key for n in (self.name, *self.aliases))

    def _repr_html_(self) -> str:
        return f"<span>{html.escape(self.name)} ({self.movement.value})</span>"


def _fold(name: str) -> str:
    return " ".join(name.casefold().split())


STANDARD_DEAL_TYPES: tuple[DealType, ...] = (
    DealType(name="New Business", movement="new", aliases=("New Logo", "New Customer")),
    DealType(
        name="Expansion",
        movement="expansion",
        aliases=("Existing Business", "Upsell", "Cross-sell", "Add-on", "Growth"),
    ),
    DealType(name="Renewal", movement="none"),
    DealType(name="Contraction", movement="contraction", aliases=("Downsell", "Downgrade")),
    DealType(name="Churn", movement="churn", aliases=("Cancellation", "Lost Customer")),
)
"""New business, expansion, renewal, contraction and churn (Salesforce's "Existing Business" is an expansion)."""


def find_deal_type(
    name: str | None, types: Iterable[DealType] = STANDARD_DEAL_TYPES, *, path: str = "$.type"
) -> DealType:
    """The deal type called ``name`` (or one of its aliases), ignoring case.

    >>> find_deal_type("existing business").name
    'Expansion'

    Raises:
        ValidationError: No type has that name (with the closest one), or no name.
    """
    known = list(types)
    if isinstance(name, str):
        for deal_type in known:
            if deal_type.matches(name):
                return deal_type
    every = [n for t in known for n in (t.name, *t.aliases)]
    hint = did_you_mean(name, every)
    raise ValidationError(
        [Problem(f"unknown deal type {shorten(name)}{hint}", path)], subject="deal type"
    )
