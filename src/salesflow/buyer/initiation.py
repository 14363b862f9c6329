"""Who started the buying, and the warning signs a seller should watch for."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import TypeVar

from salesflow._validate import sequence
from salesflow.errors import Problem, ValidationError

__all__ = ["Initiation", "WarningSign", "to_initiation", "to_warning_signs"]

E = TypeVar("E", bound=enum.Enum)


def _member(cls: type[E], value: object, path: str) -> E:
    if isinstance(value, cls):
        return value
    try:
        return cls(value)
    except ValueError:
        known = ", ".join(repr(m.value) for m in cls)
        raise ValidationError(
            [Problem(f"unknown {cls.__name__} {value!r}; expected one of {known}", path)],
            subject=cls.__name__,
        ) from None


class WarningSign(enum.Enum):
    """Something observed in a deal that the sales-enablement material flags.

    Record one on an opportunity with
    :meth:`~salesflow.Opportunity.flag_warning`;
    :func:`~salesflow.buyer.risk_signals` turns them into advice.

    >>> WarningSign.QUIET_IN_COMMITMENT.meaning
    'a prospect who goes quiet in Commitment is usually negotiating with another vendor'
    """

    UNEXPECTED_RFP = "unexpected_rfp"
    REQUIREMENTS_FROM_ANOTHER_VENDOR = "requirements_from_another_vendor"
    CONTACT_NOT_DECISION_MAKER = "contact_not_decision_maker"
    STRICT_SCHEDULE = "strict_schedule"
    EARLY_PRICE_DEMANDS = "early_price_demands"
    QUIET_IN_COMMITMENT = "quiet_in_commitment"
    TWO_VENDORS_IN_NEGOTIATION = "two_vendors_in_negotiation"

    @property
    def meaning(self) -> str:
        """What the sign usually means, in one sentence."""
        return _MEANINGS[self]


_MEANINGS = {
    WarningSign.UNEXPECTED_RFP: (
        "an unexpected RFP/RFQ usually means the requirements were written with another vendor"
    ),
    WarningSign.REQUIREMENTS_FROM_ANOTHER_VENDOR: (
        "requirements written with another vendor favour that vendor; odds are low unless "
        "they can be reshaped"
    ),
    WarningSign.CONTACT_NOT_DECISION_MAKER: (
        "the contact is not the decision maker; gain access to the decision maker"
    ),
    WarningSign.STRICT_SCHEDULE: ("a strict schedule leaves no time to reshape the requirements"),
    WarningSign.EARLY_PRICE_DEMANDS: (
        "price is demanded before value and risk are settled; detailed pricing belongs in "
        "Commitment"
    ),
    WarningSign.QUIET_IN_COMMITMENT: (
        "a prospect who goes quiet in Commitment is usually negotiating with another vendor"
    ),
    WarningSign.TWO_VENDORS_IN_NEGOTIATION: (
        'two vendors "in negotiation" usually means Commitment has not started: the buyer '
        "is still evaluating"
    ),
}


class Initiation(enum.Enum):
    """Who started the buying: three situations with different odds.

    >>> Initiation.BUYER_OTHER_VENDOR_PREFERRED.label
    'buyer-initiated, another vendor preferred'
    >>> [s.value for s in Initiation.BUYER_OTHER_VENDOR_PREFERRED.watch_for][:2]
    ['unexpected_rfp', 'requirements_from_another_vendor']
    """

    SELLER_INITIATED = "seller_initiated"
    BUYER_OTHER_VENDOR_PREFERRED = "buyer_other_vendor_preferred"
    BUYER_NO_PREFERRED_VENDOR = "buyer_no_preferred_vendor"

    @property
    def label(self) -> str:
        """A short human name."""
        return _TEXT[self][0]

    @property
    def looks_like(self) -> str:
        """How to recognise the situation."""
        return _TEXT[self][1]

    @property
    def guidance(self) -> str:
        """The odds, and what to do about them."""
        return _TEXT[self][2]

    @property
    def watch_for(self) -> tuple[WarningSign, ...]:
        """The warning signs that typically come with this situation."""
        return _WATCH_FOR[self]


_TEXT = {
    Initiation.SELLER_INITIATED: (
        "seller-initiated",
        "outbound: a latent need, no budget and no requirements yet",
        "a good chance to become the preferred vendor and shape the requirements; expect a "
        "longer cycle, with a long Solution Development phase",
    ),
    Initiation.BUYER_OTHER_VENDOR_PREFERRED: (
        "buyer-initiated, another vendor preferred",
        "an unexpected RFP/RFQ; requirements written with another vendor; the contact is not "
        "the decision maker",
        "low odds unless the requirements can be reshaped; a strict schedule plus early price "
        "demands means: consider walking away",
    ),
    Initiation.BUYER_NO_PREFERRED_VENDOR: (
        "buyer-initiated, no preferred vendor",
        "requirements come from the buyer's own research",
        "the best-aligned vendor that proves value to all key players usually wins",
    ),
}

_WATCH_FOR: dict[Initiation, tuple[WarningSign, ...]] = {
    Initiation.SELLER_INITIATED: (),
    Initiation.BUYER_OTHER_VENDOR_PREFERRED: (
        WarningSign.UNEXPECTED_RFP,
        WarningSign.REQUIREMENTS_FROM_ANOTHER_VENDOR,
        WarningSign.CONTACT_NOT_DECISION_MAKER,
        WarningSign.STRICT_SCHEDULE,
        WarningSign.EARLY_PRICE_DEMANDS,
    ),
    Initiation.BUYER_NO_PREFERRED_VENDOR: (),
}


def to_initiation(value: Initiation | str | None) -> Initiation | None:
    """The :class:`Initiation` a value names (its member or its value), or ``None``.

    Raises:
        ValidationError: ``value`` names no initiation.
    """
    return None if value is None else _member(Initiation, value, "$.initiation")


def to_warning_signs(values: Iterable[WarningSign | str]) -> tuple[WarningSign, ...]:
    """The warning signs the values name, in order, each once.

    Raises:
        ValidationError: A value names no warning sign.
    """
    if type(values) is tuple and not values:  # most deals: no warning sign
        return ()
    if isinstance(values, (str, WarningSign)):
        values = (values,)
    items = sequence(values, of=object, what="warning signs")
    signs = (_member(WarningSign, v, f"$.warning_signs[{i}]") for i, v in enumerate(items))
    return tuple(dict.fromkeys(signs))
