"""The lead tables: leads and their status changes, as objects or as any dataframe.

The lead metrics (:mod:`salesflow.analytics.leads`) read two tables of their
own, beside the opportunity tables of :class:`~salesflow.analytics.Frames`:
**leads** (one row per lead, :data:`~salesflow.lead_rows.LEAD_COLUMNS`,
Salesforce's Lead shape) and, optionally, **lead history** (one row per
status change). :func:`lead_frames` builds them from :class:`~salesflow.Lead`
objects; a frame of any library (pandas, Polars, PyArrow, DuckDB, PySpark)
works as the leads table directly, its names mapped with ``columns=``.
Text timestamps are read by the frame door's rules (ISO 8601, UTC).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs
import narwhals as nw

from salesflow.analytics._coerce import coerce
from salesflow.analytics._require import require
from salesflow.analytics._source import Kind, door, resolve
from salesflow.errors import Problem, ValidationError
from salesflow.lead import Lead
from salesflow.lead_process import LeadProcess
from salesflow.lead_rows import LEAD_COLUMNS, LEAD_HISTORY_COLUMNS, lead_rows

__all__ = ["SALESFORCE_LEAD_COLUMNS", "LeadFrames", "LeadTables", "lead_frames", "read_leads"]

SALESFORCE_LEAD_COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "id": "Id",
        "name": "Name",
        "company": "Company",
        "source": "LeadSource",
        "owner": "OwnerId",
        "status": "Status",
        "is_converted": "IsConverted",
        "created_at": "CreatedDate",
        "converted_at": "ConvertedDate",
        "converted_account_id": "ConvertedAccountId",
        "converted_contact_id": "ConvertedContactId",
        "converted_opportunity_id": "ConvertedOpportunityId",
    }
)
"""What a Salesforce Lead export calls the leads table's columns (``columns=`` of the metrics)."""


def _mapping(value: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(value))


@attrs.frozen(repr=False)
class LeadFrames:
    """The lead tables, and how to read them.

    Args:
        leads: One row per lead (any dataframe library).
        history: One row per status change: ``lead_id``, ``status`` (and
            ``at``); lets :func:`~salesflow.analytics.lead_funnel` see how far
            a lead closed without conversion had got.
        opportunities: The opportunities the leads converted into: a list of
            :class:`~salesflow.Opportunity`, a snapshot frame or
            :class:`~salesflow.analytics.Frames` (for won counts).
        columns: What the source calls the leads table's columns (salesflow
            name → source name, e.g. :data:`SALESFORCE_LEAD_COLUMNS`).
        process: The lead process (the funnel's status order).
    """

    leads: Any
    history: Any = None
    opportunities: Any = None
    columns: Mapping[str, str] = attrs.field(factory=dict, converter=_mapping, kw_only=True)
    process: LeadProcess | None = attrs.field(default=None, kw_only=True)

    def __repr__(self) -> str:
        sizes = ", ".join(
            f"{name}={_size(getattr(self, name))}"
            for name in ("leads", "history", "opportunities")
        )
        return f"LeadFrames({sizes})"


def _size(native: Any) -> str:
    if native is None:
        return "None"
    try:
        return f"{len(native)} rows"
    except TypeError:
        return type(native).__name__


def lead_frames(
    leads: Iterable[Lead], *, opportunities: Any = None, process: LeadProcess | None = None
) -> LeadFrames:
    """Turn leads (with their status history) into the two lead tables, as Polars frames.

    Args:
        leads: The leads.
        opportunities: The opportunities they converted into (kept as given).
        process: Their lead process, stored in the result.

    Raises:
        ValidationError: Something that is not a lead.
        MissingExtraError: Polars is not installed.

    >>> import salesflow as sf
    >>> from datetime import datetime, timezone
    >>> lead = sf.presets.salesforce_leads().open(
    ...     name="Lars", company="Get Cloudy", id="l-1", at=datetime(2026, 3, 2, tzinfo=timezone.utc))
    >>> lead_frames([lead]).leads.select("id", "status", "is_converted").rows()
    [('l-1', 'Open - Not Contacted', False)]
    """
    pl = require("polars")
    listed = list(leads)
    utc = pl.Datetime("us", "UTC")
    types = {"is_converted": pl.Boolean, "created_at": utc, "converted_at": utc}
    history_types = {"at": utc, "sequence": pl.Int64}
    return LeadFrames(
        pl.DataFrame(lead_rows(listed), schema={c: types.get(c, pl.String) for c in LEAD_COLUMNS}),
        pl.DataFrame(
            lead_rows(listed, table="history"),
            schema={c: history_types.get(c, pl.String) for c in LEAD_HISTORY_COLUMNS},
        ),
        opportunities,
        process=process,
    )


@attrs.frozen
class LeadTables:
    """The lead tables read for a metric: lazy, renamed, normalised, and the caller's kind."""

    leads: nw.LazyFrame[Any]
    history: nw.LazyFrame[Any] | None
    opportunities: nw.LazyFrame[Any] | None
    kind: Kind
    process: LeadProcess | None


def _is_objects(data: Any) -> bool:
    return isinstance(data, (list, tuple)) and all(isinstance(item, Lead) for item in data)


def read_leads(
    data: Any,
    *,
    history: Any = None,
    opportunities: Any = None,
    columns: Mapping[str, str] | None = None,
    process: LeadProcess | None = None,
) -> LeadTables:
    """``data`` (leads, a leads frame, or :class:`LeadFrames`) read into :class:`LeadTables`.

    Keywords given override what a :class:`LeadFrames` holds.

    Raises:
        ValidationError: Not leads nor a frame, tables of different libraries,
            a ``process`` that is not a LeadProcess, or a text time that is not ISO 8601.
    """
    if _is_objects(data):
        data = lead_frames(data)
    if not isinstance(data, LeadFrames):
        try:
            nw.from_native(data)
        except TypeError:
            raise ValidationError(
                [Problem(f"expected leads, LeadFrames or a dataframe, got {type(data).__name__}")],
                subject="lead analytics input",
            ) from None
        data = LeadFrames(data)
    given = {
        k: v
        for k, v in (
            ("history", history),
            ("opportunities", opportunities),
            ("columns", columns),
            ("process", process),
        )
        if v is not None
    }
    data = attrs.evolve(data, **given) if given else data
    if data.process is not None and not isinstance(data.process, LeadProcess):
        raise ValidationError(
            [Problem(f"expected a LeadProcess, got {type(data.process).__name__}", "$.process")],
            subject="lead analytics input",
        )
    leads_frame = nw.from_native(data.leads)
    kind = Kind(leads_frame.implementation, eager=isinstance(leads_frame, nw.DataFrame))
    leads = _normalise(_lazy(data.leads, data.columns))
    lead_history = None
    if data.history is not None:
        lead_history = _lazy(data.history, {})
        if "lead_id" in lead_history.columns:
            lead_history = lead_history.with_columns(nw.col("lead_id").cast(nw.String))
    opps = None
    if data.opportunities is not None:
        opps = resolve(door(data.opportunities)).table("snapshot", needs=("id", "is_won"))
    tables = [t for t in (leads, lead_history, opps) if t is not None]
    if any(t.implementation != leads.implementation for t in tables):
        libraries = ", ".join(sorted({str(t.implementation) for t in tables}))
        raise ValidationError(
            [Problem(f"the tables come from different libraries: {libraries}")],
            subject="lead analytics input",
        )
    return LeadTables(leads, lead_history, opps, kind, data.process)


def _lazy(native: Any, columns: Mapping[str, str]) -> nw.LazyFrame[Any]:
    frame = nw.from_native(native)
    lazy = frame.lazy(backend="polars") if isinstance(frame, nw.DataFrame) else frame
    present = lazy.columns
    renames = {
        theirs: ours
        for ours, theirs in columns.items()
        if theirs in present and theirs != ours and ours not in present
    }
    return lazy.rename(renames) if renames else lazy


def _normalise(leads: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """Times in UTC (text parsed as ISO 8601), ids as text, ``is_converted`` filled in."""
    schema = leads.collect_schema()
    # The door's rules for a time column, applied to the two the leads table has.
    if "converted_at" in schema and "at" not in schema:
        leads = coerce(leads.rename({"converted_at": "at"}), "leads").rename(
            {"at": "converted_at"}
        )
    leads = coerce(leads, "leads")
    schema = leads.collect_schema()
    exprs = [
        nw.col(name).cast(nw.String)
        for name in ("converted_opportunity_id", "converted_account_id", "converted_contact_id")
        if name in schema and schema[name] != nw.String
    ]
    if "converted_at" in schema:
        converted = ~nw.col("converted_at").is_null()
        flag = nw.col("is_converted")
        if schema.get("is_converted") == nw.String:  # a CSV's "true" / "false"
            text = flag.str.strip_chars().str.to_lowercase()
            false = nw.when(text.is_in(["false", "0", "no"])).then(nw.lit(value=False))
            flag = (
                nw.when(text.is_in(["true", "1", "yes"])).then(nw.lit(value=True)).otherwise(false)
            )
        if "is_converted" in schema:
            converted = nw.coalesce(flag, converted)
        exprs.append(converted.alias("is_converted"))
    if "created_at" in schema:
        month = nw.col("created_at").dt.month().cast(nw.Int64)
        cohort = nw.concat_str(
            nw.col("created_at").dt.year().cast(nw.String),
            nw.when(month < 10).then(nw.lit("-0")).otherwise(nw.lit("-")),
            month.cast(nw.String),
        )
        exprs.append(cohort.alias("cohort"))
    return leads.with_columns(*exprs) if exprs else leads
