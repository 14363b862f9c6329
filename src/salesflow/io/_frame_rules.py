"""The object path's rules for opportunities and history rows, as column expressions.

Each rule of :mod:`salesflow.io._build` and :mod:`salesflow.io._assemble`
becomes a column of messages (null where the rule holds), kept in the order
the object path checks them, at the same path; a record is refused when any
of its columns holds a message, and its problems are those messages in that
order. Messages that quote a cell (``got '12,5'``) are worded by the one-cell
readers themselves, once per distinct value.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import attrs

from salesflow.errors import Problem, ValidationError, shorten
from salesflow.forecast import ForecastCategory
from salesflow.io._assemble import Table
from salesflow.io._cells import Options, category, count
from salesflow.io._column_readers import (
    dates,
    decimals,
    duplicated,
    mapped,
    stripped,
    timestamps,
)
from salesflow.io._csv_frame import CsvFrame
from salesflow.io._repeated_ids import Place, twice
from salesflow.io._source import stem
from salesflow.io._values import Reject, read_amount, read_bool, read_decimal
from salesflow.io.result import Refusal
from salesflow.opportunity import MAX_NAME_LENGTH
from salesflow.probability import to_probability

__all__ = ["Checks", "Ruled", "refusals", "rule", "stage_facts"]

_CURRENCY = r"^[A-Z]{3}$"


class Checks:
    """One file's records, the salesflow fields found in its header, and the messages so far."""

    def __init__(self, file: CsvFrame, kind: str, table: Table) -> None:
        from salesflow.analytics._require import require

        self.pl = require("polars")
        self.file = file
        self.kind = kind
        self.frame = file.frame
        self.columns: dict[str, str] = {}
        self.where: dict[str, str] = {}
        self.header: list[Problem] = []
        spelled: dict[str, str] = {}
        last: dict[str, int] = {}
        for index, name in enumerate(file.header):
            folded = name.casefold()
            if folded in spelled:
                self.header.append(
                    Problem(
                        f"both {spelled[folded]!r} and {name!r}: which one is meant?", f"$.{name}"
                    )
                )
            spelled[folded] = name
            last[folded] = index
        for field, names in table.items():
            for name in names:
                if name.casefold() in last:
                    self.columns[field] = f"c{last[name.casefold()]}"
                    self.where[field] = spelled[name.casefold()]
                    break
        self.messages: list[tuple[Any, str]] = []
        self.readable = ~self.frame["record"].is_in(list(file.bad))
        self.default_prefix = stem(file.name)
        """A record without an id column is ``<prefix>-<record number>``."""
        self.typed: frozenset[str] = frozenset()
        """Header names whose cells were typed values (a Parquet file's), written as text."""

    def has(self, field: str) -> bool:
        """Whether the header has ``field`` at all."""
        return field in self.columns

    def raw(self, field: str) -> Any:
        """The cells of ``field`` (null: empty, or no such column)."""
        if field in self.columns:
            return self.frame[self.columns[field]]
        return self.pl.repeat(None, self.frame.height, dtype=self.pl.String, eager=True)

    def path(self, field: str) -> str:
        """The source's name for ``field``, as a problem path."""
        return f"$.{self.where.get(field, field)}"

    def add(self, messages: Any, field: str) -> None:
        """The next rule's messages, at ``field``'s path."""
        self.add_at(messages, self.path(field))

    def add_at(self, messages: Any, path: str) -> None:
        """The next rule's messages, at ``path``."""
        if messages.null_count() < len(messages):
            self.messages.append((messages, path))

    def when(self, condition: Any, message: Any) -> Any:
        """``message`` (text, a String Series or expression) where ``condition`` holds, else null.

        The message is not computed when the condition holds nowhere.
        """
        pl = self.pl
        if not condition.any():
            return pl.repeat(None, len(condition), dtype=pl.String, eager=True)
        value = pl.lit(message) if isinstance(message, str) else message
        return pl.select(pl.when(condition).then(value).otherwise(None)).to_series()

    def any_message(self) -> Any:
        """Whether each record has a message yet."""
        pl = self.pl
        if not self.messages:
            return pl.repeat(False, self.frame.height, dtype=pl.Boolean, eager=True)
        return pl.select(
            pl.any_horizontal([m.is_not_null() for m, _ in self.messages])
        ).to_series()


def _percentage(text: str) -> Decimal | None:
    value = read_decimal(text)
    if value is None:
        return None
    try:
        return to_probability(value)
    except ValidationError:
        raise Reject(f"expected a percentage in 0..100, got {value}") from None


def _codes(code: Any) -> Any:
    """Whether each currency code is three capital letters (null where none): read once a file."""
    return code.str.contains(_CURRENCY)


def _money(checks: Checks, field: str, code: Any, codes: Any) -> Any:
    """An amount and its currency's rules (``_cells.money``): the amounts' exact text.

    ``codes``: :func:`_codes` of ``code``.
    """
    pl = checks.pl
    amount = decimals(pl, checks.raw(field), read_amount)
    present = amount["text"].is_not_null()
    missing = checks.when(
        present & code.is_null(),
        "an amount without a currency; the source has none: pass currency=",
    )
    checks.add(pl.select(pl.coalesce(amount["error"], missing)).to_series(), field)

    def bad_code(text: str) -> None:
        raise Reject(f"expected an ISO 4217 code of three capital letters, got {text!r}")

    wrong = present & code.is_not_null() & ~codes
    _, message = mapped(pl, code, bad_code, pl.Null, only=wrong)
    checks.add(message, "currency")
    return pl.select(pl.when(~wrong).then(amount["text"])).to_series(), amount["places"]


def _percentages(checks: Checks) -> tuple[Any, Any]:
    pl = checks.pl
    chance = decimals(pl, checks.raw("probability"))
    value = chance["text"].cast(pl.Decimal(38, 30), strict=False)
    fine = (chance["places"] <= 30) & (value >= 0) & (value <= 100)
    odd = chance["text"].is_not_null() & ~fine.fill_null(False)
    _, message = mapped(pl, checks.raw("probability"), _percentage, pl.Null, only=odd)
    checks.add(pl.select(pl.coalesce(chance["error"], message)).to_series(), "probability")
    return pl.select(pl.when(~odd).then(chance["text"])).to_series(), chance["places"]


def _stage(checks: Checks, options: Options) -> Any:
    pl = checks.pl
    raw = checks.raw("stage")
    stage, error = mapped(pl, raw, options.stages.resolve, pl.String)
    checks.add(
        pl.select(pl.coalesce(error, pl.when(raw.is_null()).then(pl.lit("no stage")))).to_series(),
        "stage",
    )
    return stage


def _label(text: str) -> str:
    found = category(text)
    assert found is not None
    return found.value


@attrs.define
class Ruled:
    """Both files after every rule: typed columns, and the messages of each record."""

    opps: Checks
    hist: Checks | None
    o: Any
    h: Any
    extra: dict[int, list[Problem]]
    """Problems worded in Python for a few records (repeated ids, model checks), by row."""
    first: dict[int, Problem]
    """The repeated-id problem that comes before all others, by row."""


def stage_facts(pl: Any, options: Options, stage: Any) -> dict[str, Any]:
    process = options.stages.process
    names = list(process.stage_names)
    stages = [process.stage(n) for n in names]
    index = stage.replace_strict(names, range(len(names)), default=None, return_dtype=pl.UInt32)

    def fact(values: list[Any], dtype: Any) -> Any:
        return pl.Series(values, dtype=dtype).gather(index)

    return {
        "closed": fact([s.is_closed for s in stages], pl.Boolean),
        "won": fact([s.is_won for s in stages], pl.Boolean),
        "repr": fact([repr(n) for n in names], pl.String),
        "probability": fact([str(s.probability) for s in stages], pl.String),
        "places": fact([_places(s.probability) for s in stages], pl.Int32),
        "forecast": fact([s.forecast_category.value for s in stages], pl.String),
    }


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def _flag(pl: Any, flag: Any, yes: str, no: str) -> Any:
    return pl.when(flag).then(pl.lit(yes)).otherwise(pl.lit(no))


def _opportunities(
    checks: Checks, options: Options
) -> tuple[Any, dict[int, Problem], dict[int, list[Problem]]]:
    pl = checks.pl
    frame = checks.frame
    record = frame["record"]
    fallback = pl.format("{}-{}", pl.lit(checks.default_prefix), record)
    readable = checks.readable
    if checks.has("id"):
        raw_id = checks.raw("id")
        if checks.file.bad:
            ident = pl.select(
                pl.when(readable).then(raw_id.fill_null("")).otherwise(fallback)
            ).to_series()
        else:
            ident = raw_id.fill_null("")
        key_text = stripped(pl, ident)
        checks.add(checks.when(raw_id.is_null() | (key_text == ""), "no id"), "id")
    else:
        ident = pl.select(fallback).to_series()
        key_text = stripped(pl, ident)
    if checks.has("name"):
        name = checks.raw("name")
        checks.add(checks.when(name.is_null(), "no name"), "name")
    else:
        name = pl.select(pl.when(ident != "").then(ident)).to_series()
    stage = _stage(checks, options)
    code = pl.select(
        pl.coalesce(checks.raw("currency"), pl.lit(options.currency, pl.String))
    ).to_series()
    amount, amount_places = _money(checks, "amount", code, _codes(code))
    chance, chance_places = _percentages(checks)
    forecast, error = mapped(pl, checks.raw("forecast_category"), _label, pl.String)
    checks.add(error, "forecast_category")
    is_closed, error = mapped(pl, checks.raw("is_closed"), read_bool, pl.Boolean)
    checks.add(error, "is_closed")
    is_won, error = mapped(pl, checks.raw("is_won"), read_bool, pl.Boolean)
    checks.add(error, "is_won")
    close_date, error = dates(pl, checks.raw("close_date"))
    checks.add(error, "close_date")
    closed_on, error = dates(pl, checks.raw("closed_on"))
    checks.add(error, "closed_on")
    created, error = timestamps(pl, checks.raw("created_at"), options.zone)
    checks.add(error, "created_at")
    changed, error = timestamps(pl, checks.raw("last_stage_change_at"), options.zone)
    checks.add(error, "last_stage_change_at")
    pushes, error = mapped(pl, checks.raw("push_count"), count, pl.Int64)
    checks.add(error, "push_count")
    checks.add(_other_process(checks, options), "process_name")
    facts = stage_facts(pl, options, stage)
    known = stage.is_not_null()
    checks.add(
        checks.when(
            known & is_closed.is_not_null() & (is_closed != facts["closed"]),
            pl.format(
                "says {}, but stage {} is {}",
                _flag(pl, is_closed, "True", "False"),
                facts["repr"],
                _flag(pl, facts["closed"], "closed", "open"),
            ),
        ),
        "is_closed",
    )
    checks.add(
        checks.when(
            known & is_won.is_not_null() & (is_won != facts["won"]),
            pl.format(
                "says {}, but stage {} is {}",
                _flag(pl, is_won, "True", "False"),
                facts["repr"],
                _flag(pl, facts["won"], "won", "not won"),
            ),
        ),
        "is_won",
    )
    checks.add(
        checks.when(
            known & (forecast == ForecastCategory.CLOSED.value) & ~facts["closed"],
            pl.format("'Closed' on a deal in the open stage {}", facts["repr"]),
        ),
        "forecast_category",
    )
    checks.add(
        checks.when(
            known & closed_on.is_not_null() & ~facts["closed"],
            pl.format("a closing day on a deal in the open stage {}", facts["repr"]),
        ),
        "closed_on",
    )
    created_day = pl.select(
        pl.coalesce(created.dt.date(), pl.lit(options.imported_at.date()))
    ).to_series()
    close_final, refuse = _fill(pl, options, close_date, created_day)
    undated = known & close_date.is_null()
    no_closing_day = checks.raw("closed_on").is_null()  # else its error is said already
    message = checks.when(
        undated & facts["closed"] & no_closing_day, "a closed deal without a close date"
    )
    if refuse is not None:
        refused = checks.when(undated & ~facts["closed"], refuse)
        message = pl.select(pl.coalesce(message, refused)).to_series()
    close_final = pl.select(
        pl.when(facts["closed"].fill_null(True))
        .then(pl.coalesce(close_date, closed_on))
        .otherwise(close_final)
    ).to_series()
    checks.add(message, "close_date")
    first: dict[int, Problem] = {}
    extra: dict[int, list[Problem]] = defaultdict(list)
    clean = ~checks.any_message() & readable & known & close_final.is_not_null()
    if checks.header:
        clean = clean & False
    account = checks.raw("account_id")
    lost_reason = checks.raw("lost_reason")
    competitor = checks.raw("competitor")

    def blank(text: Any) -> Any:
        return text.is_not_null() & (stripped(pl, text) == "")

    suspect = clean & (
        (stripped(pl, name.fill_null("x")) == "")
        | (name.str.len_chars() > MAX_NAME_LENGTH)
        | blank(account)
        | blank(lost_reason)
        | blank(competitor)
        | (~facts["closed"] & (lost_reason.is_not_null() | competitor.is_not_null()))
        | (facts["won"] & lost_reason.is_not_null())
    )
    for row in suspect.arg_true().to_list():
        extra[row] += _model_problems(
            checks,
            {"name": name[row], "account_id": account[row], "lost_reason": lost_reason[row]}
            | {"competitor": competitor[row]},
            closed=bool(facts["closed"][row]),
            won=bool(facts["won"][row]),
        )
    key = pl.select(pl.when(key_text != "").then(key_text)).to_series()
    repeated = duplicated(pl, key).fill_null(False)
    places: dict[str, list[Place]] = defaultdict(list)
    rows = repeated.arg_true().to_list()
    for row in rows:
        places[key[row]].append(Place(checks.file.name, record[row]))
    for row in rows:
        held = places[key[row]]
        mine = next(p for p in held if p.number == record[row])
        first[row] = twice(key[row], mine, held, checks.path("id"))
    o = pl.DataFrame(
        {
            "record": record,
            "readable": readable,
            "ident": ident,
            "key": key,
            "repeated": repeated,
            "name": name,
            "account_id": account,
            "owner": checks.raw("owner"),
            "closed_on": closed_on,
            "derive_closed_on": pl.repeat(
                not checks.has("closed_on"), frame.height, dtype=pl.Boolean, eager=True
            ),
            "lost_reason": lost_reason,
            "competitor": competitor,
            "stage": stage,
            "amount": amount,
            "amount_places": amount_places,
            "currency": pl.select(pl.when(amount.is_not_null()).then(code)).to_series(),
            "raw_currency": pl.select(pl.when(readable).then(checks.raw("currency"))).to_series(),
            "chance": chance,
            "chance_places": chance_places,
            "forecast": forecast,
            "close_date": close_final,
            "filled": pl.select(
                undated & ~facts["closed"] & close_final.is_not_null()
            ).to_series(),
            "created_at": created,
            "no_created": checks.raw("created_at").is_null(),
            "changed": changed,
            "push_count": pushes,
            "type": checks.raw("type"),
            "lead_source": checks.raw("lead_source"),
            "next_step": checks.raw("next_step"),
            "description": checks.raw("description"),
            **{f"stage_{k}": v for k, v in facts.items()},
        }
    )
    return o, first, extra


def _fill(pl: Any, options: Options, close_date: Any, created_day: Any) -> tuple[Any, str | None]:
    """Close dates with the policy's fill-ins, or the policy's refusal."""
    policy = options.close_dates
    if policy.rule == "fixed" and policy.day is not None:
        return close_date.fill_null(policy.day), None
    if policy.rule == "after_created" and policy.days is not None:
        later = created_day.dt.offset_by(f"{policy.days}d")
        return pl.select(pl.coalesce(close_date, later)).to_series(), None
    try:
        policy.fill(created=None)
    except Reject as exc:
        return close_date, str(exc)
    return close_date, None  # pragma: no cover - every rule is one of the above


def _model_problems(
    checks: Checks, text: dict[str, str | None], *, closed: bool, won: bool
) -> list[Problem]:
    """What the Opportunity's own checks say: its first failing field, else its post-init checks."""
    name = text["name"]
    if name is not None and not name.strip():
        return [Problem(f"expected a non-blank string, got {shorten(name)}", checks.path("name"))]
    if name is not None and len(name) > MAX_NAME_LENGTH:
        return [
            Problem(
                f"a name has at most {MAX_NAME_LENGTH} characters, got {len(name)}",
                checks.path("name"),
            )
        ]
    for field in ("account_id", "lost_reason", "competitor"):
        value = text[field]
        if value is not None and not value.strip():
            message = f"expected a non-blank string, got {shorten(value)}"
            return [Problem(message, checks.path(field))]
    if not closed:
        return [
            Problem(f"an open opportunity has no {field.replace('_', ' ')}", checks.path(field))
            for field in ("lost_reason", "competitor")
            if text[field] is not None
        ]
    if won and text["lost_reason"] is not None:
        return [Problem("a won opportunity has no lost reason", checks.path("lost_reason"))]
    return []  # pragma: no cover - a suspect record fails one of the checks above


def _other_process(checks: Checks, options: Options) -> Any:
    """A record exported from another process than the one imported into."""
    pl = checks.pl
    process = options.stages.process.name
    named = checks.raw("process_name")

    def other(text: str) -> None:
        raise Reject(f"exported from process {text!r}, not {process!r}")

    _, message = mapped(pl, named, other, pl.Null, only=named.is_not_null() & (named != process))
    return message


def _history(checks: Checks, options: Options, o: Any) -> Any:
    """History rows: their opportunity's fate, their own rules, and what they become."""
    pl = checks.pl
    frame = checks.frame
    opp_id = pl.select(pl.when(checks.readable).then(checks.raw("opportunity_id"))).to_series()
    owners = o.with_row_index("position").filter(pl.col("ident") != "")
    if o["repeated"].any():  # else every id is on one record
        owners = owners.unique("ident", keep="first", maintain_order=True)
    owners = owners.select(
        "ident",
        "position",
        "key",
        "repeated",
        "raw_currency",
        refused=~pl.col("taken"),
    )
    h = pl.DataFrame({"record": frame["record"], "opportunity_id": opp_id}).join(
        owners, left_on="opportunity_id", right_on="ident", how="left", maintain_order="left"
    )
    raw_at = checks.raw("at")
    at, error = timestamps(pl, raw_at, options.zone)
    checks.add(
        pl.select(
            pl.coalesce(error, pl.when(raw_at.is_null()).then(pl.lit("no time")))
        ).to_series(),
        "at",
    )
    stage = _stage(checks, options)
    code = pl.select(
        pl.coalesce(checks.raw("currency"), h["raw_currency"], pl.lit(options.currency, pl.String))
    ).to_series()
    codes = _codes(code)
    amount, amount_places = _money(checks, "amount", code, codes)
    previous, previous_places = _money(checks, "previous_amount", code, codes)
    chance, chance_places = _percentages(checks)
    forecast, error = mapped(pl, checks.raw("forecast_category"), _label, pl.String)
    checks.add(error, "forecast_category")
    close_date, error = dates(pl, checks.raw("close_date"))
    checks.add(error, "close_date")
    earlier = checks.any_message() | bool(checks.header)
    checks.add(checks.when(close_date.is_null() & ~earlier, "no close date"), "close_date")
    previous_close, error = dates(pl, checks.raw("previous_close_date"))
    checks.add(error, "previous_close_date")
    sequence, error = mapped(pl, checks.raw("sequence"), count, pl.Int64)
    checks.add(error, "sequence")
    facts = stage_facts(pl, options, stage)
    own = checks.any_message() | bool(checks.header)
    matched = h["position"].is_not_null()
    outcome = pl.select(
        pl.when(opp_id.is_null())
        .then(pl.lit("no id"))
        .when(~matched)
        .then(pl.lit("no opportunity"))
        .when(h["repeated"])
        .then(pl.lit("repeated"))
        .when(own)
        .then(pl.lit("own"))
        .when(h["refused"])
        .then(pl.lit("refused"))
        .otherwise(pl.lit("taken"))
    ).to_series()
    return h.with_columns(
        outcome=outcome,
        at=at,
        tie=sequence.fill_null(-1),
        by=checks.raw("by"),
        owner=checks.raw("owner"),
        stage=stage,
        amount=amount,
        amount_places=amount_places,
        previous_amount=previous,
        previous_places=previous_places,
        currency=pl.select(
            pl.when(amount.is_not_null() | previous.is_not_null()).then(code)
        ).to_series(),
        chance=chance,
        chance_places=chance_places,
        forecast=forecast,
        close_date=close_date,
        previous_close_date=previous_close,
        stage_probability=facts["probability"],
        stage_places=facts["places"],
        stage_forecast=facts["forecast"],
    )


def rule(opps: Checks, hist: Checks | None, options: Options) -> Ruled:
    """Apply every rule to both files."""
    pl = opps.pl
    o, first, extra = _opportunities(opps, options)
    taken = ~opps.any_message() & opps.readable & ~o["repeated"] & (not opps.header)
    if extra:
        taken = taken & ~pl.Series(range(o.height)).is_in(list(extra))
    o = o.with_columns(taken=taken)
    h = None if hist is None else _history(hist, options, o)
    return Ruled(opps, hist, o, h, extra, first)


def _messages(checks: Checks, rows: list[int]) -> dict[int, list[Problem]]:
    """The rules' messages of some records, in rule order."""
    pl = checks.pl
    if not rows or not checks.messages:
        return {row: [] for row in rows}
    index = pl.Series(rows)
    columns = [m.gather(index).to_list() for m, _ in checks.messages]
    paths = [p for _, p in checks.messages]
    return {
        row: [Problem(c[i], p) for c, p in zip(columns, paths, strict=True) if c[i] is not None]
        for i, row in enumerate(rows)
    }


def refusals(ruled: Ruled) -> tuple[Refusal, ...]:
    """Every refused record with its reasons: opportunities first, then history rows."""
    opps = ruled.opps
    o = ruled.o
    name = opps.file.name
    rows = (~o["taken"]).arg_true().to_list()
    found = _messages(opps, rows)
    refused = []
    for row in rows:
        number = o["record"][row]
        if number in opps.file.bad:
            own = [*opps.file.bad[number], Problem("no stage", "$.stage")]
        else:
            own = [*opps.header, *found[row], *ruled.extra.get(row, [])]
        lead = [ruled.first[row]] if row in ruled.first else []
        ident = o["ident"][row]
        if opps.where.get("id") in opps.typed:  # the loop names a refusal by a text id only
            ident = None
        refused.append(
            Refusal(
                source=name,
                kind=opps.kind,
                record=number,
                id=ident or None,
                problems=[*lead, *own],
            )
        )
    hist = ruled.hist
    h = ruled.h
    if hist is None or h is None:
        return tuple(refused)
    rows = (h["outcome"] != "taken").arg_true().to_list()
    found = _messages(hist, rows)
    picked = h[rows].select("record", "outcome", "opportunity_id", "key").iter_rows()
    for row, (number, outcome, opp_id, key) in zip(rows, picked, strict=True):
        if outcome == "no id":
            before = hist.file.bad.get(number, hist.header)
            problems = [
                *before,
                Problem(
                    "no opportunity id",
                    hist.path("opportunity_id")
                    if number not in hist.file.bad
                    else "$.opportunity_id",
                ),
            ]
        elif outcome == "no opportunity":
            problems = [Problem(f"no opportunity {opp_id} was imported", "$")]
        elif outcome == "repeated":
            problems = [Problem(f"its opportunity {key} is on more than one record", "$")]
        elif outcome == "own":
            problems = [*hist.header, *found[row]]
        else:
            problems = [Problem(f"its opportunity {opp_id} was refused", "$")]
        refused.append(
            Refusal(source=hist.file.name, kind=hist.kind, record=number, problems=problems)
        )
    return tuple(refused)
