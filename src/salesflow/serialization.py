"""Lossless conversion of salesflow objects to and from plain data and JSON.

One private cattrs converter does all of it; salesflow never touches cattrs'
global converter. Decimals are written as strings, dates and datetimes in ISO
8601 (datetimes with their UTC offset), enums as their values. Reading is
strict: unknown keys, floats where an exact decimal belongs, naive datetimes
and wrong types are refused, and every problem is reported at once with its
path, as a :class:`~salesflow.ValidationError`.

>>> import salesflow as sf
>>> sf.to_dict(sf.Money("4200.00", "USD"))
{'schema_version': 1, 'amount': '4200.00', 'currency': 'USD'}
>>> sf.from_dict({"amount": 4200.5, "currency": "USD"}, sf.Money)
Traceback (most recent call last):
...
salesflow.errors.ValidationError: invalid Money: 1 problem
  - expected a decimal string, got float (4200.5 is not exact; write '4200.5') @ $.amount
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar, get_args, get_origin

import attrs
from cattrs import Converter
from cattrs.errors import (
    AttributeValidationNote,
    BaseValidationError,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from salesflow._document import use_codec
from salesflow._json import RepeatedKeyError, load_unique
from salesflow._plain import plain_problems
from salesflow.account import Account
from salesflow.activity import Activity, ActivityKindName, to_activity_kind
from salesflow.buyer.concern import Concern, ConcernProfile
from salesflow.buyer.effort import Effort
from salesflow.buyer.fit import (
    FitAssessment,
    FitCriterion,
    FitProfile,
    FitReason,
    MatrixCell,
    MatrixStrength,
)
from salesflow.buyer.initiation import Initiation, WarningSign
from salesflow.buyer.mapping import ProcessMapping
from salesflow.buyer.phase import BuyingPhase
from salesflow.buyer.priority import Priorities, Priority
from salesflow.buyer.process import BuyerProcess
from salesflow.buyer.prospect import AccountPriorities, AccountPriority
from salesflow.buyer.qualification import QualificationElement, QualificationStatus, Scorecard
from salesflow.contact import Contact
from salesflow.engine.change import Move, StageChange
from salesflow.errors import Problem, SalesflowError, ValidationError, shorten
from salesflow.forecast import ForecastCategory
from salesflow.gate import StageGate
from salesflow.history import HistoryEntry
from salesflow.lead import Lead, LeadStatusChange
from salesflow.lead_process import LeadProcess, LeadStatus
from salesflow.line_item import BillingFrequency, LineItem
from salesflow.money import Money, to_decimal
from salesflow.opportunity import Opportunity
from salesflow.probability import ProbabilitySource, to_probability
from salesflow.process import SalesProcess
from salesflow.role import ContactRole, Role, RoleName
from salesflow.schedule import Installment
from salesflow.settings import ProcessSettings, TransitionPolicy
from salesflow.stage import Stage

__all__ = ["SCHEMA_VERSION", "dumps", "from_dict", "loads", "to_dict"]

SCHEMA_VERSION = 1
"""The version of the document format written by :func:`to_dict` and :func:`dumps`."""

T = TypeVar("T")


class _Refused(ValueError):
    """A value of the wrong shape; the message is shown to the user as is."""


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _strict_str(value: object, _: object) -> str:
    if not isinstance(value, str):
        raise _Refused(f"expected a string, got {_kind(value)}")
    return value


def _strict_int(value: object, _: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Refused(f"expected a whole number, got {_kind(value)}")
    return value


def _strict_bool(value: object, _: object) -> bool:
    if not isinstance(value, bool):
        raise _Refused(f"expected true or false, got {_kind(value)}")
    return value


def _strict_float(value: object, _: object) -> float:
    # Documents read from files keep numbers digit for digit, as decimals: a
    # finite one is a number here too (a fit weight written ``0.3``).
    if isinstance(value, Decimal) and value.is_finite():
        return float(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Refused(f"expected a number, got {_kind(value)}")
    return float(value)


def _decimal(value: object, _: object) -> Decimal:
    return to_decimal(value)


def _percent(value: object, _: object) -> Decimal:
    # Hand-written files say ``probability: 12.5``; the parsed float's shortest
    # repr is exactly what was written, so it is read as that decimal.
    if isinstance(value, float):
        value = repr(value)
    return to_probability(value, path="$")


def _duration(value: object, _: object) -> Decimal | None:
    # A hand-written ``relative_duration: 2.5`` is read as written, like a probability.
    if value is None:
        return None
    return to_decimal(repr(value) if isinstance(value, float) else value)


def _date(value: object, _: object) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value  # TOML and YAML parse dates themselves
    if not isinstance(value, str):
        raise _Refused(f"expected an ISO date string, got {_kind(value)}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _Refused(f"expected an ISO date (YYYY-MM-DD), got {shorten(value)}") from None


def _datetime(value: object, _: object) -> datetime:
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, str):
        try:
            result = datetime.fromisoformat(value)
        except ValueError:
            raise _Refused(f"expected an ISO 8601 datetime, got {shorten(value)}") from None
    else:
        raise _Refused(f"expected an ISO 8601 datetime string, got {_kind(value)}")
    if result.utcoffset() is None:
        raise _Refused(
            f"expected a timezone-aware datetime (with an offset), got {shorten(value)}"
        )
    return result


def _forecast(value: object, _: object) -> ForecastCategory:
    if not isinstance(value, str):
        raise _Refused(f"expected a forecast category name, got {_kind(value)}")
    try:
        return ForecastCategory.parse(value)
    except ValueError as exc:
        raise _Refused(str(exc)) from None


def _role(value: object, _: object) -> RoleName:
    if not isinstance(value, str) or not value.strip():
        raise _Refused(f"expected a role name, got {_kind(value)}")
    return Role(value) if value in _ROLE_VALUES else value


def _activity_kind(value: object, _: object) -> ActivityKindName:
    if not isinstance(value, str) or not value.strip():
        raise _Refused(f"expected an activity kind, got {_kind(value)}")
    return to_activity_kind(value)


def _unstructure_activity_kind(value: ActivityKindName) -> str:
    return value if isinstance(value, str) else value.value


def _unstructure_role(value: RoleName) -> str:
    return value.value if isinstance(value, Role) else value


def _optional_role(value: object, _: object) -> RoleName | None:
    return None if value is None else _role(value, _)


_ROLE_VALUES = frozenset(r.value for r in Role)


def _enum_hook(cls: type[enum.Enum]) -> Any:
    known = ", ".join(repr(m.value) for m in cls)

    def hook(value: object, _: object) -> enum.Enum:
        if isinstance(value, str):
            for member in cls:
                if member.value == value:
                    return member
        raise _Refused(f"expected one of {known}, got {shorten(value)}")

    return hook


def _sequence_hook(converter: Converter, tp: Any) -> Any:
    (item_type, *_) = get_args(tp) or (Any,)

    def hook(value: object, _: object) -> tuple[Any, ...]:
        if not isinstance(value, (list, tuple)):
            raise _Refused(f"expected a list, got {_kind(value)}")
        items, errors = [], []
        for index, item in enumerate(value):
            try:
                items.append(converter.structure(item, item_type))
            except Exception as exc:  # collected, re-raised with paths below
                note = IterableValidationNote(
                    f"Structuring {tp} @ index {index}", index, item_type
                )
                exc.__notes__ = [*getattr(exc, "__notes__", []), note]  # type: ignore[attr-defined]
                errors.append(exc)
        if errors:
            raise IterableValidationError("while structuring a list", errors, tp)
        return tuple(items)

    return hook


def _is_tuple(tp: Any) -> bool:
    return get_origin(tp) is tuple or tp is tuple


def _make_converter() -> Converter:
    c = Converter(forbid_extra_keys=True, detailed_validation=True)
    c.register_structure_hook(str, _strict_str)
    c.register_structure_hook(int, _strict_int)
    c.register_structure_hook(bool, _strict_bool)
    c.register_structure_hook(float, _strict_float)
    c.register_structure_hook(Decimal, _decimal)
    c.register_unstructure_hook(Decimal, str)
    c.register_structure_hook(date, _date)
    c.register_unstructure_hook(date, date.isoformat)
    c.register_structure_hook(datetime, _datetime)
    c.register_unstructure_hook(datetime, datetime.isoformat)
    c.register_structure_hook(ForecastCategory, _forecast)
    c.register_structure_hook(RoleName, _role)
    c.register_unstructure_hook(RoleName, _unstructure_role)
    c.register_structure_hook(RoleName | None, _optional_role)
    c.register_unstructure_hook(
        RoleName | None, lambda v: None if v is None else _unstructure_role(v)
    )
    c.register_structure_hook(ActivityKindName, _activity_kind)
    c.register_unstructure_hook(ActivityKindName, _unstructure_activity_kind)
    c.register_structure_hook_factory(_is_tuple, lambda tp: _sequence_hook(c, tp))
    for enum_type in (
        BillingFrequency,
        Concern,
        Initiation,
        MatrixStrength,
        ProbabilitySource,
        QualificationStatus,
        TransitionPolicy,
        WarningSign,
    ):
        c.register_structure_hook(enum_type, _enum_hook(enum_type))
    text_map = c.get_structure_hook(Mapping[str, str])

    def mapping_of_text(value: object, tp: Any) -> Any:
        if not isinstance(value, Mapping):
            raise _Refused(f"expected an object, got {_kind(value)}")
        return text_map(value, tp)

    c.register_structure_hook_func(lambda tp: tp == Mapping[str, str], mapping_of_text)

    def mapping_only(cls: type[Any]) -> Any:
        # Made on first use, once every class's hook is registered: a class's
        # function then structures the classes inside it with their hooks
        # (a gate given as a list is refused as such, not with an AttributeError).
        made: list[Any] = []

        def inner(value: Any, tp: Any) -> Any:
            if not made:
                made.append(
                    make_dict_structure_fn(
                        cls, c, _cattrs_forbid_extra_keys=True, **_overrides(cls)
                    )
                )
            return made[0](value, tp)

        known = {a.alias for a in attrs.fields(cls) if a.init}

        def hook(value: object, tp: Any) -> Any:
            if not isinstance(value, Mapping):
                raise _Refused(f"expected an object ({cls.__name__}), got {_kind(value)}")
            extra = set(value) - known
            if not extra:
                return inner(value, tp)
            # Report unknown keys *and* whatever else is wrong, not just the first.
            errors: list[Exception] = []
            try:
                inner({k: v for k, v in value.items() if k in known}, tp)
            except Exception as exc:
                errors.append(exc)
            errors.append(ForbiddenExtraKeysError("", cls, extra))
            raise ClassValidationError(f"While structuring {cls.__name__}", errors, cls)

        return hook

    for cls in _TYPES:
        c.register_structure_hook(cls, mapping_only(cls))
        c.register_unstructure_hook(
            cls, make_dict_unstructure_fn(cls, c, **_unstructure_overrides(cls))
        )
    return c


def _overrides(cls: type[Any]) -> dict[str, Any]:
    if cls in (Stage, Opportunity, HistoryEntry):
        return {"probability": override(struct_hook=_percent)}
    if cls is BuyingPhase:
        return {"relative_duration": override(struct_hook=_duration)}
    return {}


def _unstructure_overrides(cls: type[Any]) -> dict[str, Any]:
    # Fields not set by __init__ are derived (lookups, caches): never written.
    found = {a.name: override(omit=True) for a in attrs.fields(cls) if not a.init}
    # Fields added after documents were first written: omitted while at their
    # default, so documents without line items read and write exactly as before.
    found.update({name: override(omit_if_default=True) for name in _LATER.get(cls, ())})
    return found


_LATER: dict[type[Any], tuple[str, ...]] = {
    Opportunity: ("line_items", "amount_from_lines"),
    ProcessSettings: ("amount_from_lines",),
    StageGate: ("line_items",),
}


_TYPES: tuple[type[Any], ...] = (
    Account,
    AccountPriorities,
    AccountPriority,
    Activity,
    BuyerProcess,
    BuyingPhase,
    ConcernProfile,
    Contact,
    ContactRole,
    Effort,
    FitAssessment,
    FitCriterion,
    FitProfile,
    FitReason,
    HistoryEntry,
    Lead,
    LeadProcess,
    LeadStatus,
    LeadStatusChange,
    Installment,
    LineItem,
    MatrixCell,
    Money,
    Move,
    Opportunity,
    Priorities,
    Priority,
    ProcessMapping,
    ProcessSettings,
    QualificationElement,
    SalesProcess,
    Scorecard,
    Stage,
    StageChange,
    StageGate,
)

_CONVERTER = _make_converter()


# ------------------------------------------------------------------ errors


def _problems(exc: BaseException, path: str) -> list[Problem]:
    """Flatten an exception raised while structuring into located problems."""
    if isinstance(exc, ValidationError):
        return [Problem(p.message, path + p.path[1:]) for p in exc.problems]
    if isinstance(exc, BaseValidationError):
        found: list[Problem] = []
        for inner in exc.exceptions:
            found.extend(_problems(inner, path + _step(inner, exc)))
        return found
    return [Problem(_message(exc), path)]


def _step(inner: BaseException, outer: BaseException) -> str:
    for note in getattr(inner, "__notes__", []):
        if isinstance(note, IterableValidationNote):
            return f"[{note.index!r}]"
        if isinstance(note, AttributeValidationNote):
            return f".{note.name}"
    return ""


def _message(exc: BaseException) -> str:
    if isinstance(exc, _Refused | SalesflowError):
        return str(exc)
    if isinstance(exc, ForbiddenExtraKeysError):
        return f"unknown keys: {', '.join(sorted(exc.extra_fields))}"
    if isinstance(exc, KeyError):
        return "required field missing"
    return f"invalid value ({type(exc).__name__}: {exc})"


# ------------------------------------------------------------------ API


def to_dict(obj: Any) -> dict[str, Any]:
    """Convert a salesflow object to plain data (str keys; str, int, bool, list, dict, None).

    The result carries ``schema_version`` at its top.

    Raises:
        ValidationError: ``obj`` is not a salesflow object, or holds text that
            cannot be written as UTF-8 (a lone surrogate), with its path.

    >>> import salesflow as sf
    >>> sf.to_dict(sf.Stage("Qualified", 40))["probability"]
    '40'
    """
    data = _CONVERTER.unstructure(obj)
    if not isinstance(data, dict):
        raise ValidationError(
            [Problem(f"expected a salesflow object, got {type(obj).__name__}", "$")],
            subject="object to serialise",
        )
    problems = plain_problems(data)
    if problems:
        raise ValidationError(problems, subject=f"{type(obj).__name__} to serialise")
    return {"schema_version": SCHEMA_VERSION, **data}


def from_dict(data: object, cls: type[T], *, subject: str | None = None) -> T:
    """Build a ``cls`` from plain data, strictly.

    ``cls`` may also be a list or tuple of a salesflow type
    (``list[sf.Opportunity]``, ``tuple[sf.Account, ...]``): ``data`` is then a
    list, and every problem of every item is reported with its index.

    Args:
        data: A mapping as produced by :func:`to_dict` (``schema_version`` optional),
            or a list of them.
        cls: The salesflow type to build.
        subject: What to call the input in an error (default: the type's name).

    Returns:
        The new object; nothing half-built is ever returned.

    Raises:
        ValidationError: Every problem found, each with its path.
    """
    if get_origin(cls) in (list, tuple):
        return _from_list(data, cls, subject)  # type: ignore[return-value]
    name: str = subject if subject is not None else str(getattr(cls, "__name__", cls))
    if not isinstance(data, Mapping):
        raise ValidationError(
            [Problem(f"expected an object, got {_kind(data)}", "$")], subject=name
        )
    document = dict(data)
    if "schema_version" in document:
        version = document.pop("schema_version")
        if version != SCHEMA_VERSION or isinstance(version, bool):
            raise ValidationError(
                [
                    Problem(
                        f"unsupported schema_version {shorten(version)}; this salesflow reads {SCHEMA_VERSION}",
                        "$.schema_version",
                    )
                ],
                subject=name,
            )
    problems = plain_problems(document)
    if problems:
        raise ValidationError(problems, subject=name)
    try:
        return _CONVERTER.structure(document, cls)
    except Exception as exc:  # translated at the boundary, nothing leaks
        problems = list(_problems(exc, "$"))
        # Cross-field problems (duplicate names...) that building never reached.
        more = getattr(cls, "_document_problems", None)
        if callable(more):
            problems.extend(p for p in more(document) if p not in problems)
        raise ValidationError(problems, subject=name) from exc


def _from_list(data: object, cls: Any, subject: str | None) -> list[Any] | tuple[Any, ...]:
    args = [a for a in get_args(cls) if a is not Ellipsis]
    item_name = getattr(args[0], "__name__", "?") if args else "?"
    name = subject if subject is not None else f"list of {item_name}"
    if len(args) != 1 or (get_origin(cls) is tuple and get_args(cls)[1:] != (Ellipsis,)):
        raise ValidationError(
            [Problem(f"expected list[T] or tuple[T, ...], got {cls!r}", "$")], subject=name
        )
    if not isinstance(data, (list, tuple)):
        raise ValidationError([Problem(f"expected a list, got {_kind(data)}", "$")], subject=name)
    items: list[Any] = []
    problems: list[Problem] = []
    for index, item in enumerate(data):
        try:
            items.append(from_dict(item, args[0]))
        except ValidationError as exc:
            problems.extend(Problem(p.message, f"$[{index}]{p.path[1:]}") for p in exc.problems)
    if problems:
        raise ValidationError(problems, subject=name)
    return tuple(items) if get_origin(cls) is tuple else items


def dumps(obj: Any, *, indent: int | None = 2) -> str:
    """Serialise a salesflow object, or a list or tuple of them, to JSON text.

    Any unicode is kept as is. A list becomes a JSON array of documents, read
    back with ``loads(text, list[...])``.

    >>> import salesflow as sf
    >>> print(sf.dumps(sf.Money("1.10", "EUR"), indent=None))
    {"schema_version": 1, "amount": "1.10", "currency": "EUR"}
    >>> text = sf.dumps([sf.Money("1", "EUR"), sf.Money("2", "USD")])
    >>> sf.loads(text, list[sf.Money])
    [Money('1', 'EUR'), Money('2', 'USD')]
    """
    if isinstance(obj, (list, tuple)):
        return json.dumps([to_dict(item) for item in obj], ensure_ascii=False, indent=indent)
    return json.dumps(to_dict(obj), ensure_ascii=False, indent=indent)


def loads(text: str | bytes, cls: type[T]) -> T:
    """Read a ``cls`` (or ``list[cls]``, ``tuple[cls, ...]``) from JSON text written by :func:`dumps`.

    Raises:
        ValidationError: The text is not JSON, or the document is invalid.
    """
    name = str(getattr(cls, "__name__", cls))
    try:
        data = load_unique(text)
    except RepeatedKeyError as exc:
        problems = [
            Problem(f"found the key {shorten(k)} twice in one object", p) for k, p in exc.found
        ]
        raise ValidationError(problems, subject=name) from exc
    except (ValueError, TypeError, RecursionError) as exc:  # RecursionError: absurd nesting
        raise ValidationError([Problem(f"not valid JSON: {exc}", "$")], subject=name) from exc
    return from_dict(data, cls)


use_codec(to_dict, from_dict)
