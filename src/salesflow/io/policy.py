"""The close-date rule an import follows for open deals without one."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

import attrs

from salesflow.errors import Problem, ValidationError
from salesflow.io._values import Reject

__all__ = ["CloseDatePolicy"]


Rule = Literal["refuse", "fixed", "after_created"]


@attrs.frozen(repr=False)
class CloseDatePolicy:
    """What to do with an open deal whose source gives no close date.

    Salesforce requires a close date; other sources (the Maven data, some CSV
    exports) leave it empty on open deals. The caller chooses, and every date
    filled in is reported as a :class:`~salesflow.io.Note`. Closed deals
    without a forecast close date take the day they closed, when the source
    gives it.

    Use the named constructors:

    >>> CloseDatePolicy.refuse()
    CloseDatePolicy.refuse()
    >>> CloseDatePolicy.after_created(days=90).fill(created=date(2017, 1, 1))
    datetime.date(2017, 4, 1)
    """

    rule: Rule = "refuse"
    day: date | None = attrs.field(default=None, kw_only=True)
    days: int | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        needs = {"refuse": (None, None), "fixed": ("day", None), "after_created": (None, "days")}
        if self.rule not in needs:
            raise ValidationError(
                [Problem(f"expected refuse, fixed or after_created, got {self.rule!r}", "$.rule")],
                subject="close-date policy",
            )
        day, days = needs[self.rule]
        if (self.day is not None) != (day is not None) or (self.days is not None) != (
            days is not None
        ):
            raise ValidationError(
                [Problem(f"use CloseDatePolicy.{self.rule}() to build this rule", "$")],
                subject="close-date policy",
            )

    @classmethod
    def refuse(cls) -> CloseDatePolicy:
        """Refuse an open deal without a close date (the default)."""
        return cls("refuse")

    @classmethod
    def fixed(cls, day: date) -> CloseDatePolicy:
        """Give every such deal the same close date, e.g. the end of the quarter."""
        if not isinstance(day, date):
            raise ValidationError(
                [Problem(f"expected a date, got {type(day).__name__}", "$.day")],
                subject="close-date policy",
            )
        return cls("fixed", day=day)

    @classmethod
    def after_created(cls, *, days: int) -> CloseDatePolicy:
        """Close ``days`` after the deal was created (refused if its creation is unknown)."""
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise ValidationError(
                [Problem(f"expected a whole number of days >= 0, got {days!r}", "$.days")],
                subject="close-date policy",
            )
        return cls("after_created", days=days)

    def fill(self, *, created: date | None) -> date:
        """The close date this rule gives a deal created on ``created``.

        Raises:
            Reject: The rule refuses, or needs a creation date the deal lacks.
        """
        if self.rule == "fixed" and self.day is not None:
            return self.day
        if self.rule == "after_created" and self.days is not None:
            if created is None:
                raise Reject(f"no close date, and no creation date for {self!r}")
            return created + timedelta(days=self.days)
        raise Reject("an open deal needs a close date (choose a CloseDatePolicy to fill it in)")

    def __repr__(self) -> str:
        if self.rule == "fixed":
            return f"CloseDatePolicy.fixed({self.day!r})"
        if self.rule == "after_created":
            return f"CloseDatePolicy.after_created(days={self.days})"
        return "CloseDatePolicy.refuse()"
