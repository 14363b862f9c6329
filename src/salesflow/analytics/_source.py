"""Reading the two doors into narwhals LazyFrames with salesflow's column names.

Eager inputs (pandas, PyArrow, Polars DataFrames) are computed by Polars, the
embedded engine of the ``analytics`` extra, and results come back in the input's
library; lazy inputs (Polars LazyFrames, DuckDB relations, PySpark DataFrames)
are computed by their own engine and results stay lazy in that library.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs
import narwhals as nw

from salesflow._decimals import widest_scale
from salesflow.analytics._coerce import TIMES, coerced
from salesflow.analytics._expr import lookup
from salesflow.analytics._hierarchy import rolled_up
from salesflow.analytics._schema import ZONED, types
from salesflow.analytics.frames import Frames, frames
from salesflow.columns import (
    ACTIVITY_COLUMNS,
    CONTACT_ROLE_COLUMNS,
    HISTORY_COLUMNS,
    SNAPSHOT_COLUMNS,
    Columns,
    Table,
)
from salesflow.errors import Problem, ValidationError
from salesflow.forecast import ForecastCategory
from salesflow.process import SalesProcess

__all__ = ["AMOUNT_LIMIT", "ROW", "Inputs", "Kind", "door", "refuse_ties", "resolve"]

ROW = "_row"
"""The history row's position in an eager input: orders rows with the same ``at``."""

AMOUNT_LIMIT = Decimal(10) ** 26
"""Amounts must be smaller than this in absolute value (they fit ``DECIMAL(28, 2)``).

What every engine multiplies by a probability or an exchange rate exactly:
DuckDB and Spark keep at most 38 digits in a product, and salesflow gives 10 of
them to the rate. A larger amount is refused on every backend alike.
"""

_KNOWN_COLUMNS = {
    "snapshot": SNAPSHOT_COLUMNS,
    "history": HISTORY_COLUMNS,
    "activities": ACTIVITY_COLUMNS,
    "contact_roles": CONTACT_ROLE_COLUMNS,
}
_NUMBERS = ("amount", "previous_amount", "probability")
_API_LABELS = {c.api_name: c.value for c in ForecastCategory if c.api_name != c.value}


@attrs.frozen
class Kind:
    """Which library the caller's frames came from, and whether they were eager."""

    implementation: Any
    eager: bool

    def native(self, frame: nw.LazyFrame[Any]) -> Any:
        """``frame`` as the caller's kind of frame."""
        if self.eager:
            return frame.collect(backend=self.implementation).to_native()
        return frame.to_native()


class Inputs:
    """The tables a metric reads, renamed and normalised on first use, and the caller's kind.

    Each table is read into a lazy frame (and, for an eager history, given its
    row positions) only when a metric asks for it: a metric that reads the
    snapshot pays nothing for a large history beside it.
    """

    def __init__(self, data: Frames, kind: Kind) -> None:
        self._data = data
        self.kind = kind
        self.currency: str | None = data.currency
        self._tables: dict[str, nw.LazyFrame[Any] | None] = {}
        self._rows: dict[str, tuple[nw.LazyFrame[Any], dict[str, nw.Expr]]] = {}
        self._order: list[str] | None = None
        self._unchecked: set[str] = set()
        """Tables read for a metric that reads no amounts, their amounts unchecked."""

    def _get(self, name: Table, *, amounts: bool = True) -> nw.LazyFrame[Any] | None:
        if name in self._tables and not (amounts and name in self._unchecked):
            return self._tables[name]
        data = self._data
        if name in ("snapshot", "history") and _leads(data.process):
            self._tables.update(
                _opportunities_only(
                    self._full("snapshot", amounts=amounts),
                    self._full("history", amounts=amounts),
                    data.process,
                )
            )
        else:
            self._tables[name] = self._full(name, amounts=amounts)
        return self._tables[name]

    def _full(self, name: Table, *, amounts: bool = True) -> nw.LazyFrame[Any] | None:
        """Table ``name`` read and checked (once) with every column its rows derive."""
        if not self._checked(name, amounts=amounts):
            return None
        frame, derived = self._rows[name]
        frame = frame.with_columns(*derived.values()) if derived else frame
        if name == "snapshot":
            frame = self._with_primary_contact(frame)
        return frame

    def _some(self, name: Table, reads: Sequence[str], amounts: bool) -> nw.LazyFrame[Any] | None:
        """Table ``name`` with only the derived columns in ``reads`` (see :meth:`table`);
        ``None`` where it is read whole (a process with lead stages, a contact flag asked for)."""  # noqa: D205, D209
        if _leads(self._data.process) or "has_primary_contact" in reads:
            return None
        if name in self._tables and not (amounts and name in self._unchecked):
            return self._tables[name]  # read whole already
        if not self._checked(name, amounts=amounts):
            return None
        base, derived = self._rows[name]
        picked = [e for n, e in derived.items() if n in set(reads)]
        return base.with_columns(*picked) if picked else base

    def _checked(self, name: Table, *, amounts: bool) -> bool:
        """Read and check table ``name`` unless done (its amounts too, if asked); False: none."""
        if name not in self._rows or (amounts and name in self._unchecked):
            self._read(name, amounts=amounts)
        return name in self._rows

    def _read(self, name: Table, *, amounts: bool = True) -> None:
        """Read and check table ``name``: its rows before the derived columns, and those (``_rows``)."""
        data = self._data
        native = getattr(data, name)
        if native is None:
            return
        frame, known = coerced(_rename(_lazy(native, name), data.columns, name), name)
        # A lazy table's empty cells are counted with the check (from a Parquet
        # file's statistics, where it has them): a column without one takes
        # nothing from the stages. A table in memory is probed for more.
        counted = [] if self.kind.eager else [c for c in _DERIVED if c in frame.columns]
        # Spark runs a job per query: count there only along with a check that runs anyway.
        alone = not frame.implementation.is_spark_like()
        # One read of the types both need (no timestamp: on DuckDB its zone is a query),
        # none where reading the table's types for its coercion found nothing to change.
        kept = {} if known is None else {c: t for c, t in known.items() if c not in TIMES}
        if known is None or any(t is ZONED for t in kept.values()):
            schema = types(frame, [c for c in frame.columns if c not in TIMES])
        else:
            schema = kept
        nulls = check_rows(
            frame, name, count=counted, count_alone=alone, schema=schema, amounts=amounts
        )
        if amounts:
            self._unchecked.discard(name)
        else:
            self._unchecked.add(name)
        frame, derived = _normalise(
            frame,
            schema=schema,
            process=data.process,
            mapping=data.mapping,
            currency=data.currency,
            table=name,
            probe=self.kind.eager,
            full=frozenset(c for c in counted if nulls.get(c) == 0),
        )
        self._rows[name] = (frame, derived)

    def _with_primary_contact(self, snapshot: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
        """The snapshot with ``has_primary_contact`` from a contact-role table, if it lacks it.

        An empty contact-role table records nothing (as :func:`frames` reads
        opportunities without a single role): the column stays absent, and the
        flag that needs it says it was not checked.
        """
        if self._data.contact_roles is None:
            return snapshot
        names = snapshot.columns
        if "has_primary_contact" in names or "id" not in names:
            return snapshot
        roles = self._full("contact_roles")
        if roles is None:
            return snapshot
        missing = [c for c in ("opportunity_id", "primary") if c not in roles.columns]
        if missing:
            self.table("contact_roles", needs=missing)  # raises, naming the columns
        if roles.select(nw.len()).collect(backend="polars").item() == 0:
            return snapshot  # no role recorded anywhere: nobody records them, unknown
        flag = nw.generate_temporary_column_name(8, names)
        primaries = (
            roles.filter(nw.col("primary").fill_null(value=False))
            .select(nw.col("opportunity_id").alias("id"))
            .unique()
            .with_columns(nw.lit(value=True).alias(flag))
        )
        return (
            snapshot.join(primaries, on="id", how="left")
            .with_columns(nw.col(flag).fill_null(value=False).alias("has_primary_contact"))
            .drop(flag)
        )

    def given(self, name: Table) -> bool:
        """Whether table ``name`` was given: asked without reading or checking it."""
        return getattr(self._data, name) is not None

    @property
    def snapshot(self) -> nw.LazyFrame[Any] | None:
        """The snapshot table, or ``None``."""
        return self._get("snapshot")

    @property
    def history(self) -> nw.LazyFrame[Any] | None:
        """The history table, or ``None``."""
        return self._get("history")

    @property
    def activities(self) -> nw.LazyFrame[Any] | None:
        """The activity table, or ``None``."""
        return self._get("activities")

    @property
    def contact_roles(self) -> nw.LazyFrame[Any] | None:
        """The contact-role table, or ``None``."""
        return self._get("contact_roles")

    def history_rows(self) -> tuple[nw.LazyFrame[Any], dict[str, nw.Expr]] | None:
        """The history before the columns each row derives, and the expressions that add them.

        The expressions are keyed by the column each writes (``probability``,
        ``forecast_category``, ``is_closed`` and ``is_won`` taken from the stage
        where a row lacks them, types parsed); each reads its own row only, so a
        metric that keeps a few rows of many (the state at a moment) may add them
        after, to the rows it keeps. ``None`` where the history is more than
        its rows read (a process with lead stages leaves some rows and deals out).
        """
        history = self.history
        if history is None or _leads(self._data.process):
            return None
        return self._rows["history"]

    def _history_rows(self) -> nw.LazyFrame[Any] | None:
        """The history's rows without the columns each derives (a lazy engine builds
        each, and orders and ties read none), read and checked once; ``None``: none given."""  # noqa: D205, D209
        if not self.given("history"):
            return None
        if _leads(self._data.process):
            return self.history  # its rows are the opportunities' only
        if "history" not in self._rows:
            self._read("history")
        return self._rows["history"][0]

    @property
    def order_columns(self) -> list[str]:
        """The columns of :attr:`history_order`, without its check for ties."""
        history = self._history_rows()
        names = [] if history is None else history.columns
        return ["at", *(c for c in ("sequence", ROW) if c in names)]

    @property
    def history_order(self) -> list[str]:
        """The columns that order one deal's history rows: one order on every backend.

        ``at``, then ``sequence`` when the table has it, then the row's place in
        an in-memory table. Where these leave two rows of one deal at one
        instant (a lazy table without a usable ``sequence``), the rows have no
        order and the table is refused.

        Raises:
            ValidationError: Two rows of one deal at one instant, with no order between them.
        """
        if self._order is None:
            history = self._history_rows()
            order = self.order_columns
            if history is not None and ROW not in order:
                refuse_ties(history, order)
            self._order = order
        return self._order

    def table(
        self,
        name: Table,
        *,
        needs: Sequence[str] = (),
        amounts: bool = True,
        reads: Sequence[str] | None = None,
    ) -> nw.LazyFrame[Any]:
        """The table ``name``, checking that it has the columns ``needs``.

        ``amounts=False``: the metric reads none of the table's amounts, which
        are then not checked against :data:`AMOUNT_LIMIT` (on Spark, a job
        less; a later call that reads them checks them). ``reads``: the only
        columns the metric reads; of the columns each row derives (from its
        stage, say), only those are added, and the table's others are left as
        they are (a lazy engine builds, and DuckDB binds, a relation less).

        Raises:
            ValidationError: The table was not given or lacks a column.
        """
        frame = self._some(name, reads, amounts) if reads is not None else None
        if frame is None:
            frame = self._get(name, amounts=amounts)
        if frame is None:
            raise ValidationError(
                [Problem(f"this metric needs the {name} table", f"$.{name}")],
                subject="analytics input",
            )
        names = frame.columns
        if NODE in needs and NODE not in names and name == "snapshot":
            hierarchy = self._data.hierarchy
            if hierarchy is not None:
                frame = rolled_up(frame, hierarchy)
                names = frame.columns
        present = set(names)
        missing = [c for c in needs if c not in present]
        if missing:
            shown = ", ".join(n for n in names if not n.startswith("_"))
            raise ValidationError(
                [
                    Problem(
                        f"the {name} table has no column {c!r}; it has {shown}", f"$.{name}.{c}"
                    )
                    for c in missing
                ],
                subject="analytics input (map the source's names with Columns)",
            )
        return frame


NODE = "node"
"""The column ``Frames(hierarchy=...)`` adds: each deal once per node at or above its owner."""


_REQUIRED = {"history": ("opportunity_id", "at", "stage"), "activities": ("opportunity_id",)}


def check_rows(
    frame: nw.LazyFrame[Any],
    table: str,
    *,
    count: Sequence[str] = (),
    count_alone: bool = True,
    schema: Mapping[str, Any] | None = None,
    amounts: bool = True,
) -> dict[str, int]:
    """Refuse rows no metric can place: one query over ``frame``.

    History rows without an opportunity, a time or a stage (as
    :func:`~salesflow.analytics.check_history` judges them), a ``sequence``
    with gaps of nulls, and amounts at or beyond :data:`AMOUNT_LIMIT`.
    Returns the empty cells of each column in ``count``, counted in the same query
    (with ``count_alone=False``, only when there is a check to make: else ``{}``).
    ``schema``: the types of ``frame``'s columns, if read already (times may be left out).
    ``amounts=False``: amounts are not checked (the caller reads none).

    Raises:
        ValidationError: Naming the column, how many rows, and the first deal.
    """
    names = frame.columns
    nulls = [c for c in _REQUIRED.get(table, ()) if c in names]
    if table == "history" and "sequence" in names:
        nulls.append("sequence")
    numbers = [c for c in _NUMBERS[:2] if c in names] if amounts else []
    typed = types(frame, numbers) if schema is None else {c: schema[c] for c in numbers}
    large = [c for c, dtype in typed.items() if _may_pass_the_limit(dtype)]
    if not nulls and not large and (not count or not count_alone):
        return {}
    limit = nw.lit(AMOUNT_LIMIT, dtype=nw.Decimal(38, 2))
    bad = {f"null:{c}": nw.col(c).is_null() for c in nulls}
    bad |= {f"large:{c}": nw.col(c).abs() >= limit for c in large}
    # Rows less the column's count of values: an engine reading Parquet answers
    # it from the files' statistics (DuckDB: 3 ms for 5 M rows, not a 0.1 s scan).
    missing = {f"null:{c}": nw.len() - nw.col(c).count() for c in nulls}
    over = {k: e.cast(nw.Int64()).sum() for k, e in bad.items() if k.startswith("large:")}
    empty = {f"count:{c}": nw.len() - nw.col(c).count() for c in count}
    counts = (
        frame.select(*(e.alias(k) for k, e in (missing | over | empty).items()))
        .collect(backend="polars")
        .rows(named=True)[0]
    )
    counted = {k.removeprefix("count:"): int(v or 0) for k, v in counts.items() if k in empty}
    found = {k: int(v or 0) for k, v in counts.items() if v and k not in empty}
    if not found:
        return counted
    key = "opportunity_id" if table != "snapshot" else "id"
    problems = []
    for name, rows_found in found.items():
        what, column = name.split(":")
        first = None
        if key in names:
            first = (
                frame.filter(bad[name]).select(key).head(1).collect(backend="polars").item(0, 0)
            )
        deal = "" if first is None else f" (the first: deal {first})"
        rows = f"{rows_found} {table} row" + (" has" if rows_found == 1 else "s have")
        text = (
            f"{rows} no {column}{deal}; a metric cannot place "
            + ("it" if rows_found == 1 else "them")
            + ("; check_history() lists them" if table == "history" else "")
            if what == "null"
            else f"{rows} an amount of 10**26 or more{deal}; "
            "amounts must fit DECIMAL(28, 2), the same limit on every engine"
        )
        problems.append(Problem(text, f"$.{table}.{column}"))
    raise ValidationError(problems, subject="analytics input")


def _may_pass_the_limit(dtype: Any) -> bool:
    """Whether a column of ``dtype`` can hold an amount of :data:`AMOUNT_LIMIT` or more.

    A decimal column's type bounds it (``DECIMAL(18, 2)`` holds less than
    10**16), so only wider decimals and floats are read to find out.
    """
    if dtype == nw.Decimal:
        precision, scale = getattr(dtype, "precision", None), getattr(dtype, "scale", None)
        if isinstance(precision, int) and isinstance(scale, int):
            return precision - scale > 26
        return True
    return bool(dtype.is_float())


def refuse_ties(history: nw.LazyFrame[Any], order: list[str]) -> None:
    """Refuse two rows of one deal at one place in ``order`` (a lazy table: no row order).

    Raises:
        ValidationError: Naming the first such deal, the instant and how many rows.
    """
    keys = ["opportunity_id", *order]
    tie = (
        history.group_by(keys)
        .agg(nw.len().alias("_rows"))
        .filter(nw.col("_rows") > 1)
        .head(1)
        .collect(backend="polars")
    )
    if tie.is_empty():
        return
    deal, at, rows = tie.item(0, "opportunity_id"), tie.item(0, "at"), tie.item(0, "_rows")
    fix = (
        "give each of its rows its own sequence"
        if "sequence" in order
        else "add a sequence column (1, 2, ... within each deal) or pass an in-memory table, "
        "whose row order breaks ties"
    )
    raise ValidationError(
        [
            Problem(
                f"deal {deal} has {rows} history rows at {at} and nothing orders them; {fix}",
                "$.history.at",
            )
        ],
        subject="analytics input (a lazy table keeps no row order)",
    )


def _frame(native: Any, table: str) -> nw.DataFrame[Any] | nw.LazyFrame[Any]:
    """``native`` as a narwhals frame (not read yet).

    Raises:
        ValidationError: ``native`` is not a dataframe.
    """
    try:
        frame = nw.from_native(native)
    except TypeError:
        frame = None
    if isinstance(frame, (nw.DataFrame, nw.LazyFrame)):
        return frame
    raise ValidationError(
        [Problem(f"expected a dataframe, got {type(native).__name__}", f"$.{table}")],
        subject="analytics input",
    )


def _kind(native: Any, table: str) -> Kind:
    """Which library ``native`` is from and whether it is eager (without reading it)."""
    frame = _frame(native, table)
    return Kind(frame.implementation, eager=isinstance(frame, nw.DataFrame))


def _lazy(native: Any, table: str) -> nw.LazyFrame[Any]:
    """``native`` as a lazy frame: eager tables are handed to Polars (history with row positions)."""
    frame = _frame(native, table)
    if isinstance(frame, nw.DataFrame):
        if table == "history":  # table order breaks ties between rows at the same instant
            frame = frame.with_row_index(ROW)
        return frame.lazy(backend="polars")
    return frame


def _rename(frame: nw.LazyFrame[Any], columns: Columns, table: Table) -> nw.LazyFrame[Any]:
    present = frame.columns
    mapping: dict[str, str] = dict(getattr(columns, table))
    taken: dict[str, str] = {}
    extra = []
    for ours, theirs in mapping.items():
        if theirs not in present or ours == theirs:
            continue
        if theirs in taken:
            extra.append(nw.col(taken[theirs]).alias(ours))
        else:
            taken[theirs] = ours
    clashing = [ours for ours in taken.values() if ours in present and ours not in taken]
    frame = frame.drop(clashing) if clashing else frame
    frame = frame.rename(taken) if taken else frame
    # The source's own names stay readable too (``by="sales_agent"`` groups by the owner).
    # Spark reads names ignoring case: there ``Amount`` is ``amount`` already, and a
    # column ``Amount`` added would replace it.
    known = set(_KNOWN_COLUMNS[table])
    blind = frame.implementation.is_spark_like()
    extra += [
        nw.col(ours).alias(theirs)
        for theirs, ours in taken.items()
        if theirs not in known
        and theirs not in mapping
        and not (blind and theirs.casefold() == ours.casefold())
    ]
    return frame.with_columns(*extra) if extra else frame


def _numbers(frame: nw.LazyFrame[Any], table: str, schema: Any) -> dict[str, nw.Expr]:
    """Casts for number columns that came as text or objects: only all-null ones are accepted."""
    exprs: dict[str, nw.Expr] = {}
    for name in _NUMBERS:
        dtype = schema.get(name)
        if dtype is None or dtype.is_numeric() or dtype == nw.Boolean:
            continue
        has_values = frame.select((~nw.col(name).is_null()).any()).collect(backend="polars")
        if has_values.item():
            raise ValidationError(
                [
                    Problem(
                        f"expected numbers, got a column of {dtype}; parse it to decimals first",
                        f"$.{table}.{name}",
                    )
                ],
                subject="analytics input",
            )
        exprs[name] = nw.col(name).cast(nw.Decimal(38, 2))
    return exprs


def _normalise(
    frame: nw.LazyFrame[Any],
    *,
    process: Any,
    mapping: Any,
    currency: str | None,
    table: str,
    probe: bool = False,
    full: frozenset[str] = frozenset(),
    schema: Mapping[str, Any],
) -> tuple[nw.LazyFrame[Any], dict[str, nw.Expr]]:
    """``frame`` (types parsed) and the columns each row derives (not added yet).

    ``schema``: the types of its columns but the times. ``full``: the columns known to have no empty cell; ``probe`` (a table in
    memory): find them, and whether forecast categories are API names, here.
    """
    exprs = _numbers(frame, table, schema)
    given: dict[str, nw.Expr] = {}
    labelled = True
    if probe:
        full, labelled = _probe(frame, schema)
    if schema.get("forecast_category") == nw.String and labelled:  # a few comparisons per row
        column = nw.col("forecast_category")
        expr = column
        if frame.implementation.is_spark_like():  # one map: each WHEN is a call to the JVM
            expr = column.replace_strict(_API_LABELS, default=column, return_dtype=nw.String)
        else:
            for api, label in _API_LABELS.items():
                expr = nw.when(column == api).then(nw.lit(label)).otherwise(expr)
        given["forecast_category"] = expr
    if process is not None and "stage" in schema:
        exprs |= _from_process(process, schema, given, full, frame.implementation)
    exprs |= {name: expr.alias(name) for name, expr in given.items()}
    if mapping is not None and "stage" in schema and "buying_phase" not in schema:
        phases = {s: mapping.phases.get(s) for s in mapping.phases}
        exprs["buying_phase"] = _by_stage(phases, "buying_phase", frame.implementation)
    if currency is not None and "currency" not in schema and "amount" in schema:
        exprs["currency"] = nw.lit(currency).alias("currency")
    return frame, exprs


def _by_stage(values: dict[str, Any], name: str, engine: Any, dtype: Any = None) -> nw.Expr:
    known = {stage: value for stage, value in values.items() if value is not None}
    kind = dtype or nw.String
    if not known:
        return nw.lit(None, dtype=kind).alias(name)
    return lookup("stage", known, kind, engine).alias(name)


_DERIVED = ("probability", "forecast_category", "is_closed", "is_won")


def _probe(frame: nw.LazyFrame[Any], schema: Any) -> tuple[frozenset[str], bool]:
    """For a table in memory: the stage-derived columns without a null, and whether any
    forecast category is written as Salesforce's API value. One cheap pass, which spares
    every metric a per-row fallback where the data needs none."""  # noqa: D205, D209
    present = [c for c in _DERIVED if c in schema]
    checks = [nw.col(c).is_null().any().alias(c) for c in present]
    if schema.get("forecast_category") == nw.String:
        checks.append(nw.col("forecast_category").is_in(list(_API_LABELS)).any().alias("_api"))
    if not checks:
        return frozenset(), True
    values = frame.select(*checks).collect(backend="polars").row(0)
    found = dict(zip([*present, "_api"], values, strict=False))
    full = frozenset(c for c in present if found[c] is False)
    return full, bool(found.get("_api", False))


def _from_process(
    process: Any,
    schema: Any,
    given: dict[str, nw.Expr],
    full: frozenset[str],
    engine: Any,
) -> dict[str, nw.Expr]:
    stages = list(process.stages)
    derived = {
        "probability": (
            {s.name: s.probability for s in stages},
            nw.Decimal(38, widest_scale(s.probability for s in stages)),
        ),
        "forecast_category": ({s.name: s.forecast_category.value for s in stages}, nw.String),
        "is_closed": ({s.name: s.is_closed for s in stages}, nw.Boolean),
        "is_won": ({s.name: s.is_won for s in stages}, nw.Boolean),
    }
    exprs: dict[str, nw.Expr] = {}
    for name, (values, dtype) in derived.items():
        kind = schema.get(name)
        if kind is None:
            exprs[name] = _by_stage(values, name, engine, dtype)
        elif name in full:  # no cell left empty: nothing to take from the stage
            if name in given:
                exprs[name] = given.pop(name).alias(name)
            continue
        elif (
            (name == "probability" and kind.is_numeric())
            or (name in ("is_closed", "is_won") and kind == nw.Boolean)
            or (name == "forecast_category" and kind == nw.String)
        ):  # a cell left empty takes its stage's value; a cell given is kept
            base = given.pop(name, nw.col(name))
            exprs[name] = nw.coalesce(base, _by_stage(values, name, engine, dtype)).alias(name)
    return exprs


def _is_objects(data: Any) -> bool:
    return isinstance(data, (list, tuple)) or (
        isinstance(data, Iterable) and not hasattr(data, "columns") and not hasattr(data, "schema")
    )


def _is_result(data: Any) -> bool:
    """A metric's result (:class:`~salesflow.analytics.Result`): its table is a snapshot."""
    return callable(getattr(data, "to_frame", None)) and isinstance(
        getattr(data, "policies", None), dict
    )


def door(
    data: Any,
    *,
    columns: Columns | None = None,
    process: Any = None,
    currency: str | None = None,
) -> Any:
    """``data`` with the keywords every metric takes applied: one calling convention.

    A bare frame becomes the snapshot of a :class:`Frames` read through
    ``columns``, with ``process`` and ``currency``; a :class:`Frames` takes
    whichever of them is given (over its own); opportunities are turned into
    tables with ``process``; a metric's result (such as a
    :class:`~salesflow.analytics.PipelineAsOf`) is read as a snapshot.

    Raises:
        ValidationError: ``columns`` is not a :class:`~salesflow.Columns`.
    """
    if columns is not None and not isinstance(columns, Columns):
        raise ValidationError(
            [Problem(f"expected a Columns mapping, got {type(columns).__name__}", "$.columns")],
            subject="analytics input",
        )
    if process is not None and not isinstance(process, SalesProcess):
        raise ValidationError(
            [
                Problem(
                    f"process= must be a SalesProcess, got {type(process).__name__}", "$.process"
                )
            ],
            subject="analytics input",
        )
    if currency is not None and not isinstance(currency, str):
        raise ValidationError(
            [
                Problem(
                    f"currency= must be a currency code, got {type(currency).__name__}",
                    "$.currency",
                )
            ],
            subject="analytics input",
        )
    if _is_result(data):
        data = data.to_frame()
    given: dict[str, Any] = {
        k: v
        for k, v in (("columns", columns), ("process", process), ("currency", currency))
        if v is not None
    }
    if isinstance(data, Frames):
        return attrs.evolve(data, **given) if given else data
    if not given:
        return data
    if nw.dependencies.is_into_dataframe(data) or _has_narwhals_support(data):
        return Frames(snapshot=data, **given)
    if _is_objects(data):
        made = frames(list(data), process=process)
        return attrs.evolve(made, currency=currency) if currency is not None else made
    return data


def resolve(data: Any) -> Inputs:
    """Read ``data`` — :class:`Frames`, a snapshot frame, or opportunities — into :class:`Inputs`.

    Raises:
        ValidationError: Not a frame, opportunities, nor Frames; frames of different libraries.
    """
    if _is_result(data):
        data = data.to_frame()
    if not isinstance(data, Frames):
        if nw.dependencies.is_into_dataframe(data) or _has_narwhals_support(data):
            data = Frames(snapshot=data)
        elif _is_objects(data):
            data = frames(list(data))
        else:
            raise ValidationError(
                [
                    Problem(
                        f"expected opportunities, Frames or a dataframe, got {type(data).__name__}"
                    )
                ],
                subject="analytics input",
            )
    kinds: list[Kind] = []
    for name in ("snapshot", "history", "activities", "contact_roles"):
        native = getattr(data, name)
        if native is not None:
            kinds.append(_kind(native, name))
    if not kinds:
        raise ValidationError([Problem("no table given")], subject="analytics input")
    if any(k.implementation != kinds[0].implementation for k in kinds):
        libraries = ", ".join(sorted({str(k.implementation) for k in kinds}))
        raise ValidationError(
            [Problem(f"the tables come from different libraries: {libraries}")],
            subject="analytics input",
        )
    return Inputs(data, kinds[0])


def _leads(process: Any) -> list[str]:
    return [] if process is None else [s.name for s in process.stages if not s.is_opportunity]


def _opportunities_only(
    snapshot: nw.LazyFrame[Any] | None, history: nw.LazyFrame[Any] | None, process: Any
) -> dict[str, nw.LazyFrame[Any] | None]:
    """Leave out what a process says is not yet an opportunity (``Stage.is_opportunity``).

    Liferay's "Qualified Lead" is a lead, not an opportunity: a deal in such a
    stage counts in no total, forecast, funnel or win rate. History rows in lead
    stages go too (a deal enters the pipeline when it becomes an opportunity),
    and with a history table, a deal that never reached an open opportunity
    stage nor a won one (a lead closed as lost) is left out altogether.
    """
    leads = _leads(process)
    result = {"snapshot": snapshot, "history": history}
    if history is not None:
        qualifying = [s.name for s in process.stages if s.is_opportunity and not s.is_lost]
        ever = history.filter(nw.col("stage").is_in(qualifying)).select("opportunity_id").unique()
        result["history"] = history.filter(~nw.col("stage").is_in(leads)).join(
            ever, on="opportunity_id", how="semi"
        )
        if snapshot is not None:
            snapshot = snapshot.join(ever.rename({"opportunity_id": "id"}), on="id", how="semi")
    if snapshot is not None and "stage" in snapshot.columns:
        result["snapshot"] = snapshot.filter(~nw.col("stage").is_in(leads))
    return result


def _has_narwhals_support(data: Any) -> bool:
    try:
        nw.from_native(data)
    except TypeError:
        return False
    return True
