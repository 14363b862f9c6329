"""Process-wide settings: how opportunities may move between stages."""

from __future__ import annotations

import enum

import attrs

from salesflow._repr import short_repr
from salesflow._validate import kind, names, text
from salesflow.errors import Problem, ValidationError, shorten

__all__ = ["ProcessSettings", "TransitionPolicy"]


class TransitionPolicy(enum.Enum):
    """Which stage moves a process allows between open stages.

    ``ANY``: any open stage to any other. ``FORWARD_ONLY``: only to later
    stages. ``ADJACENT_ONLY``: only to the next (or, when backward moves are
    allowed, the previous) open stage. ``EXPLICIT``: only the moves each stage
    lists in its ``transitions``.
    """

    ANY = "any"
    FORWARD_ONLY = "forward_only"
    ADJACENT_ONLY = "adjacent_only"
    EXPLICIT = "explicit"


def _policy(value: object) -> TransitionPolicy:
    """A TransitionPolicy, or its value; anything else is refused listing the allowed ones."""
    if isinstance(value, TransitionPolicy):
        return value
    for member in TransitionPolicy:
        if value == member.value:
            return member
    allowed = ", ".join(repr(m.value) for m in TransitionPolicy)
    raise ValidationError(
        [Problem(f"expected one of {allowed}, got {shorten(value)}", "$.policy")],
        subject="ProcessSettings",
    )


def _backward_default(settings: ProcessSettings) -> bool:
    return settings.policy is not TransitionPolicy.FORWARD_ONLY


@attrs.frozen(kw_only=True, repr=False)
class ProcessSettings:
    """Settings of a sales process.

    Attributes:
        policy: Which moves between open stages are allowed.
        allow_skip: Whether a forward move may skip open stages.
        allow_backward: Whether a move may go back to an earlier open stage
            (by default: yes, unless the policy is ``FORWARD_ONLY``; asking for
            backward moves under that policy is a contradiction, refused).
        allow_reopen: Whether a closed opportunity may move again
            (off by default: closed stages are terminal).
        close_from_any_stage: Whether any open stage may move straight into a
            closed stage, whatever the policy and the skip setting say.
        gates_on_open: Whether :meth:`~salesflow.SalesProcess.open` checks the
            starting stage's gate against the new opportunity, as Salesforce
            validation rules fire on insert and HubSpot can restrict the
            stages a deal may be created in. Off by default: opening records
            where a deal stands (e.g. when it comes from another system), and a
            new opportunity has no contacts or confirmed facts yet. Moves are
            always gated. :meth:`~salesflow.SalesProcess.replay` opens
            unknown opportunities without gates either way: it records history.
        keep_manual_probability: Whether a probability set by hand survives a
            move to another open stage (as in Odoo). Off by default: a stage
            change resets it to the stage's default (as in Salesforce). Closing
            always takes the closed stage's probability.
        currency: The currency amounts are usually in, if the process has one.
        lost_reasons: The reasons a deal may be lost for; when not empty, a lost
            reason given on a move to a lost stage must be one of them
            (``"No Decision"`` is a common one). Empty: any free text.
        require_lost_reason: Whether a move to a lost stage must give a lost reason.
        amount_from_lines: Whether opportunities opened in the process compute
            their amount from their line items (as Salesforce does once an
            opportunity has products) instead of having it entered. Off by
            default: the amount is entered.
    """

    policy: TransitionPolicy = attrs.field(default=TransitionPolicy.ANY, converter=_policy)
    allow_skip: bool = attrs.field(default=True, validator=kind(bool))
    allow_backward: bool = attrs.field(
        default=attrs.Factory(_backward_default, takes_self=True), validator=kind(bool)
    )
    allow_reopen: bool = attrs.field(default=False, validator=kind(bool))
    close_from_any_stage: bool = attrs.field(default=True, validator=kind(bool))
    gates_on_open: bool = attrs.field(default=False, validator=kind(bool))
    keep_manual_probability: bool = attrs.field(default=False, validator=kind(bool))
    currency: str | None = attrs.field(default=None, validator=text)
    lost_reasons: tuple[str, ...] = attrs.field(default=(), converter=names)
    require_lost_reason: bool = attrs.field(default=False, validator=kind(bool))
    amount_from_lines: bool = attrs.field(default=False, validator=kind(bool))

    def __attrs_post_init__(self) -> None:
        if self.policy is TransitionPolicy.FORWARD_ONLY and self.allow_backward is True:
            raise ValidationError(
                [
                    Problem(
                        "the policy 'forward_only' forbids backward moves, but allow_backward "
                        "is true; drop allow_backward or choose another policy",
                        "$.allow_backward",
                    )
                ],
                subject="process settings",
            )

    def __repr__(self) -> str:
        return short_repr(self)
