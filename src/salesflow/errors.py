"""Every error salesflow raises, under one root: :class:`SalesflowError`.

Each error also subclasses the builtin exception with the same meaning, so
``except ValueError`` keeps working, and carries structured attributes that say
*what* was wrong and *where* (which opportunity, which stage, which path in an
input document).

>>> import salesflow as sf
>>> try:
...     sf.Money("1.00", "USD") + sf.Money("1.00", "EUR")
... except sf.CurrencyMismatchError as exc:
...     print(exc.currencies)
('USD', 'EUR')
"""

from __future__ import annotations

import difflib
import reprlib
from collections.abc import Iterable, Sequence
from datetime import date

import attrs

__all__ = [
    "ContactRoleError",
    "CurrencyMismatchError",
    "FileFormatError",
    "LeadConversionError",
    "LossWarning",
    "MissingExtraError",
    "MissingRateError",
    "MoneyArithmeticError",
    "Problem",
    "ReadOnlyFieldError",
    "SalesflowError",
    "StageGateError",
    "StageTransitionError",
    "UnknownPhaseError",
    "UnknownStageError",
    "UnknownStatusError",
    "ValidationError",
]

MAX_PROBLEMS_SHOWN = 50
"""An error message lists at most this many problems, then counts the rest."""

MAX_LINE = 400
"""A line of an error message is cut after this many characters, counting the rest."""

_REPR = reprlib.Repr()
_REPR.maxstring = 80
_REPR.maxother = 80
_REPR.maxlong = 40
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 6
_REPR.maxlevel = 3


def shorten(value: object) -> str:
    """A bounded repr of ``value`` for an error message, whatever its size or depth.

    >>> len(shorten("x" * 10**6))
    80
    >>> shorten([[1, 2]] * 100)
    '[[1, 2], [1, 2], [1, 2], [1, 2], [1, 2], [1, 2], ...]'
    """
    try:
        return _REPR.repr(value)
    except Exception:  # a repr that fails (e.g. an int too long to print)
        return f"<{type(value).__name__}>"


def _cut(line: str) -> str:
    if len(line) <= MAX_LINE:
        return line
    return f"{line[:MAX_LINE]}… ({len(line) - MAX_LINE} more characters)"


class SalesflowError(Exception):
    """The root of every error salesflow raises on purpose."""


def did_you_mean(name: object, known: Iterable[str]) -> str:
    """``"; did you mean 'X'?"`` for the known name closest to ``name``, or ``""``.

    Case and spacing differences count as close.

    >>> did_you_mean("Discvery", ["Discovery", "Proposal"])
    "; did you mean 'Discovery'?"
    >>> did_you_mean("closed won", ["Closed Won"])
    "; did you mean 'Closed Won'?"
    >>> did_you_mean("Zebra", ["Discovery"])
    ''
    """
    if not isinstance(name, str):
        return ""
    names = [k for k in known if isinstance(k, str)]
    folded = {" ".join(k.casefold().split()): k for k in names}
    key = " ".join(name.casefold().split())
    match = folded.get(key)
    if match is None:
        close = difflib.get_close_matches(key, list(folded), n=1, cutoff=0.6)
        match = folded[close[0]] if close else None
    return "" if match is None or match == name else f"; did you mean {match!r}?"


@attrs.frozen
class Problem:
    """One thing wrong with an input, and where it is.

    Attributes:
        message: What is wrong, e.g. ``expected a decimal string, got float``.
        path: Where, as a JSONPath-like string, e.g. ``$.stages[2].probability``.
    """

    message: str
    path: str = "$"

    def __str__(self) -> str:
        return f"{self.message} @ {self.path}"


class ValidationError(SalesflowError, ValueError):
    """An input (a document, a definition, arguments) is invalid.

    Every problem found is listed at once, each with its path.

    Attributes:
        problems: The problems, in the order they were found.
        subject: What was being validated, e.g. ``SalesProcess`` or a file path.
    """

    def __init__(self, problems: Iterable[Problem], *, subject: str = "input") -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.subject = subject
        shown = [_cut(f"  - {p}") for p in self.problems[:MAX_PROBLEMS_SHOWN]]
        count = len(self.problems)
        if count > MAX_PROBLEMS_SHOWN:
            shown.append(f"  ... and {count - MAX_PROBLEMS_SHOWN} more")
        noun = "problem" if count == 1 else "problems"
        lines = "\n".join(shown)
        super().__init__(_cut(f"invalid {subject}: {count} {noun}") + f"\n{lines}")

    @property
    def messages(self) -> list[str]:
        """The problems rendered as ``message @ path`` lines."""
        return [str(p) for p in self.problems]


class FileFormatError(ValidationError):
    """A file could not be read: unknown suffix, unreadable, or not parseable.

    Attributes:
        path: The file's path.
    """

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__([Problem(message, "$")], subject=f"file {path}")


class MissingExtraError(SalesflowError, ImportError):
    """An optional capability was used without its extra installed.

    Attributes:
        extra: The extra to install, e.g. ``analytics``.
        module: The missing module, e.g. ``narwhals``.
    """

    def __init__(self, extra: str, module: str) -> None:
        self.extra = extra
        self.module = module
        super().__init__(
            f"{module} is not installed; this needs salesflow's {extra!r} extra: "
            f"pip install 'salesflow[{extra}]'"
        )


class MoneyArithmeticError(SalesflowError, ArithmeticError):
    """Money arithmetic whose exact result cannot be kept: it would round, divide by zero, or overflow.

    >>> import salesflow as sf
    >>> sf.Money("1", "USD") / 0
    Traceback (most recent call last):
    ...
    salesflow.errors.MoneyArithmeticError: cannot divide 1 USD by 0: division by zero
    """


class CurrencyMismatchError(SalesflowError, ValueError):
    """Two amounts in different currencies were added or compared.

    Attributes:
        currencies: The two currency codes, left then right.
    """

    def __init__(self, left: str, right: str, operation: str) -> None:
        self.currencies = (left, right)
        super().__init__(f"cannot {operation} {left} and {right}: convert one currency first")


class MissingRateError(CurrencyMismatchError):
    """No exchange rate is in force for a currency on a day (a dated rate table has none yet).

    Never a silent rate of 1: the amount cannot be converted.

    Attributes:
        currency: The currency without a rate.
        target: The currency it was to be converted into.
        day: The day a rate was needed for (``None``: the row had no date).
        row: Which row needed it (its id), when known.
        detail: What the table does hold for ``currency``, e.g. ``its rates start 2026-01-01``.
    """

    def __init__(
        self,
        currency: str,
        target: str,
        day: date | None,
        *,
        row: str | None = None,
        detail: str = "",
    ) -> None:
        self.currency = currency
        self.target = target
        self.day = day
        self.row = row
        self.detail = detail
        super().__init__(currency, target, "convert")

    def __str__(self) -> str:
        where = f"row {self.row!r}: " if self.row is not None else ""
        when = f"on {self.day.isoformat()}" if self.day is not None else "without a date"
        detail = f" ({self.detail})" if self.detail else ""
        return f"{where}no {self.currency} rate into {self.target} in force {when}{detail}"


class UnknownStageError(SalesflowError, KeyError):
    """A stage name is not part of the process.

    The message suggests the closest known name ("did you mean 'Discovery'?").

    Attributes:
        stage: The name that was asked for.
        process: The process's name.
        known: The process's stage names, in order.
    """

    def __init__(self, stage: str, process: str, known: Sequence[str]) -> None:
        self.stage = stage
        self.process = process
        self.known = tuple(known)
        super().__init__(stage)

    def __str__(self) -> str:
        names = ", ".join(repr(k) for k in self.known)
        hint = did_you_mean(self.stage, self.known)
        hint = f"{hint} Its" if hint else "; its"
        return f"process {self.process!r} has no stage {self.stage!r}{hint} stages are {names}"


class UnknownPhaseError(SalesflowError, KeyError):
    """A buying-phase name is not part of the buyer process.

    Attributes:
        phase: The name that was asked for.
        process: The buyer process's name.
        known: The process's phase names, in order.
    """

    def __init__(self, phase: str, process: str, known: Sequence[str]) -> None:
        self.phase = phase
        self.process = process
        self.known = tuple(known)
        super().__init__(phase)

    def __str__(self) -> str:
        names = ", ".join(repr(k) for k in self.known)
        hint = did_you_mean(self.phase, self.known)
        hint = f"{hint} Its" if hint else "; its"
        return (
            f"buyer process {self.process!r} has no phase {self.phase!r}{hint} phases are {names}"
        )


class UnknownStatusError(SalesflowError, KeyError):
    """A lead status is not part of the lead process.

    Attributes:
        status: The name that was asked for.
        process: The lead process's name.
        known: The process's status names, in order.
    """

    def __init__(self, status: str, process: str, known: Sequence[str]) -> None:
        self.status = status
        self.process = process
        self.known = tuple(known)
        super().__init__(status)

    def __str__(self) -> str:
        names = ", ".join(repr(k) for k in self.known)
        hint = did_you_mean(self.status, self.known)
        hint = f"{hint} Its" if hint else "; its"
        return (
            f"lead process {self.process!r} has no status {shorten(self.status)}{hint} "
            f"statuses are {names}"
        )


class LeadConversionError(SalesflowError, ValueError):
    """A lead conversion (or status change) was refused; nothing was changed.

    Neither the lead nor the account, contact or opportunity given was touched.

    Attributes:
        lead_id: The lead that was to be converted.
        reasons: Why it was refused, one sentence each.
    """

    def __init__(self, *, lead_id: str, reasons: Sequence[str], verb: str = "convert") -> None:
        self.lead_id = lead_id
        self.reasons = tuple(reasons)
        head = f"cannot {verb} lead {lead_id}"
        if len(self.reasons) == 1:
            message = f"{head}: {self.reasons[0]}"
        else:
            message = head + ":\n" + "\n".join(f"  - {r}" for r in self.reasons)
        super().__init__(message)


class ContactRoleError(SalesflowError, ValueError):
    """A contact-role change would break an invariant, or names an unknown role.

    Attributes:
        opportunity_id: The opportunity the change was asked of.
        contact_id: The contact concerned.
    """

    def __init__(self, message: str, *, opportunity_id: str, contact_id: str) -> None:
        self.opportunity_id = opportunity_id
        self.contact_id = contact_id
        super().__init__(message)


class ReadOnlyFieldError(SalesflowError, AttributeError):
    """A field that only changes through a verb was assigned directly, or a field was deleted.

    Attributes:
        field: The field's name.
        verb: What to call instead.
    """

    def __init__(self, field: str, verb: str, *, deleted: bool = False) -> None:
        self.field = field
        self.verb = verb
        if deleted:
            super().__init__(f"{field!r} cannot be deleted; {verb}")
        else:
            super().__init__(f"{field!r} cannot be assigned directly; use {verb}")


class StageTransitionError(SalesflowError, ValueError):
    """A stage move was refused; the opportunity was left exactly as it was.

    Attributes:
        opportunity_id: The opportunity that was to move.
        from_stage: Its stage (empty when a new opportunity was refused by
            :meth:`~salesflow.SalesProcess.open`).
        to_stage: The stage it was to move to.
        reasons: Why the move was refused, one sentence each.
    """

    def __init__(
        self,
        *,
        opportunity_id: str,
        from_stage: str,
        to_stage: str,
        reasons: Sequence[str],
    ) -> None:
        self.opportunity_id = opportunity_id
        self.from_stage = from_stage
        self.to_stage = to_stage
        self.reasons = tuple(reasons)
        super().__init__(self._render())

    def _render(self) -> str:
        head = f"cannot move opportunity {self.opportunity_id} from {self.from_stage!r} to {self.to_stage!r}"
        if not self.from_stage:  # refused when opening (a process with ``gates_on_open``)
            head = f"cannot open opportunity {self.opportunity_id} in {self.to_stage!r}"
        if len(self.reasons) == 1:
            return f"{head}: {self.reasons[0]}"
        return head + ":\n" + "\n".join(f"  - {r}" for r in self.reasons)


class StageGateError(StageTransitionError):
    """A move was refused because the target stage's entry criteria are unmet.

    ``reasons`` lists every unmet requirement.
    """


class LossWarning(UserWarning):
    """Written data that the format cannot hold was left out (the warning names it).

    The table writers of :mod:`salesflow.io` write the tables' columns; what
    an opportunity holds beyond them (the buyer's side: confirmed facts,
    initiation, warning signs, qualification, pursuit) is only in salesflow
    JSON (:func:`salesflow.io.write_json`). Turn it into an error with
    ``warnings.simplefilter("error", salesflow.LossWarning)``.
    """
