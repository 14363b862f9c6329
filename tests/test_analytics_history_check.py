"""The vectorized history check gives replay's verdicts, on every backend."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, note
from hypothesis import strategies as st

import salesflow as sf

pl = pytest.importorskip("polars", reason="needs salesflow[analytics]")
analytics = pytest.importorskip("salesflow.analytics", reason="needs salesflow[analytics]")

from tests.strategies import engine_processes, move_streams  # noqa: E402

check_history = analytics.check_history
T0 = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)


def ungated(process: sf.SalesProcess) -> sf.SalesProcess:
    """The same rules without gates (a table cannot show whether a gate is met)."""
    stages = [attrs.evolve(s, gate=sf.StageGate()) for s in process.stages]
    return sf.SalesProcess(name=process.name, stages=stages, settings=process.settings)


def table(stream: list[sf.Move]) -> pl.DataFrame:
    """The history a stream records, one row per move, amounts and close dates carried forward."""
    rows: list[dict[str, Any]] = []
    last: dict[str, tuple[sf.Money | None, date | None]] = {}
    for seq, mv in enumerate(stream):
        amount, close = last.get(mv.opportunity_id, (None, None))
        amount = mv.amount if mv.amount is not None else amount
        close = mv.close_date if mv.close_date is not None else close
        last[mv.opportunity_id] = (amount, close)
        rows.append(
            {
                "opportunity_id": mv.opportunity_id,
                "at": mv.at,
                "stage": mv.to_stage,
                "amount": None if amount is None else amount.amount,
                "currency": None if amount is None else amount.currency,
                "close_date": close,
                "seq": seq,
            }
        )
    schema = {
        "opportunity_id": pl.String,
        "at": pl.Datetime("us", "UTC"),
        "stage": pl.String,
        "amount": pl.Decimal(38, 2),
        "currency": pl.String,
        "close_date": pl.Date,
        "seq": pl.Int64,
    }
    return pl.DataFrame(rows, schema=schema)


def verdicts(frame: Any) -> list[tuple[bool, str | None]]:
    out = pl.from_pandas(frame) if not isinstance(frame, pl.DataFrame) else frame
    return [(row[0], row[1]) for row in out.sort("seq").select("legal", "reason").rows()]


def replay_verdict(
    process: sf.SalesProcess, previous: dict[str, Any] | None, row: dict[str, Any]
) -> tuple[bool, str | None]:
    """Replay's verdict on one row, from the state the previous good row records."""
    amount = None if row["amount"] is None else sf.Money(row["amount"], row["currency"])
    move = sf.Move(
        row["opportunity_id"], row["at"], row["stage"], amount=amount, close_date=row["close_date"]
    )
    stream = [move]
    if previous is not None:
        before = previous["amount"]
        stream.insert(
            0,
            sf.Move(
                previous["opportunity_id"],
                previous["at"],
                previous["stage"],
                amount=None if before is None else sf.Money(before, previous["currency"]),
                close_date=previous["close_date"],
            ),
        )
    result = process.replay(stream)
    refused = [r for r in result.refused if r.position == len(stream) - 1]
    return (not refused, "; ".join(refused[0].reasons) if refused else None)


@st.composite
def process_and_stream(draw: st.DrawFn) -> tuple[sf.SalesProcess, list[sf.Move]]:
    process = ungated(draw(engine_processes()))
    return process, draw(move_streams(process, ("o1", "o2")))


@given(process_and_stream())
def test_every_row_gets_the_verdict_replay_gives_it_from_the_row_before(
    case: tuple[sf.SalesProcess, list[sf.Move]],
) -> None:
    process, stream = case
    history = table(stream)
    got = verdicts(check_history(history, process, sequence="seq"))
    previous: dict[str, dict[str, Any]] = {}
    expected = []
    for row in history.iter_rows(named=True):
        if row["stage"] not in process:
            expected.append((False, f"the process {process.name!r} has no stage {row['stage']!r}"))
            continue
        expected.append(replay_verdict(process, previous.get(row["opportunity_id"]), row))
        previous[row["opportunity_id"]] = row
    note(f"rows={history.rows()}")
    assert got == expected


@given(process_and_stream())
def test_verdicts_equal_replays_up_to_each_opportunitys_first_refused_move(
    case: tuple[sf.SalesProcess, list[sf.Move]],
) -> None:
    process, stream = case
    got = verdicts(check_history(table(stream), process, sequence="seq"))
    refused = {r.position: "; ".join(r.reasons) for r in process.replay(stream).refused}
    diverged: set[str] = set()
    for i, mv in enumerate(stream):
        if mv.opportunity_id in diverged:
            continue
        assert got[i] == (i not in refused, refused.get(i)), f"row {i}"
        if i in refused and not refused[i].startswith("it is already in"):
            diverged.add(mv.opportunity_id)


@given(process_and_stream())
def test_the_history_replay_records_is_all_legal(
    case: tuple[sf.SalesProcess, list[sf.Move]],
) -> None:
    process, stream = case
    result = process.replay(stream)
    history = analytics.frames(result.opportunities.values()).history
    checked = check_history(history, process, only_illegal=True)
    assert checked.height == 0, checked.rows()


# --------------------------------------------------------------- examples

STRICT = sf.SalesProcess(
    name="Strict",
    stages=[
        sf.Stage("A", 10),
        sf.Stage("B", 50, transitions=["C", "Won"]),
        sf.Stage("C", 70),
        sf.Stage("Won", 100, is_closed=True, is_won=True),
        sf.Stage("Lost", 0, is_closed=True),
    ],
    settings=sf.ProcessSettings(
        policy=sf.TransitionPolicy.FORWARD_ONLY, allow_skip=False, close_from_any_stage=False
    ),
)
D1, D2 = date(2026, 3, 31), date(2026, 4, 30)


# opportunity, minutes, stage, amount, close date, expected reason (None: legal)
ROWS = [
    ("o1", 0, "A", "100", D1, None),
    ("o1", 1, "C", "100", D1, "skipping stages is off (this skips 'B')"),
    ("o1", 2, "B", "100", D1, "the process moves only forward"),  # judged against C
    ("o1", 3, "B", "100", D1, "it is already in 'B'"),
    ("o1", 4, "B", "200", D1, None),  # an update: the amount changed
    ("o1", 5, "B", "200", D2, None),  # an update: the close date changed
    ("o1", 6, "A", "200", D2, "'A' is not among the moves 'B' lists ('C', 'Won')"),
    ("o1", 7, "Nowhere", "200", D2, "the process 'Strict' has no stage 'Nowhere'"),
    ("o1", 8, "Won", "200", D2, "skipping stages is off (this skips 'B', 'C')"),  # from A
    ("o1", 9, "Lost", "200", D2, "'Won' is closed and reopening is off"),
    ("o2", 0, "Won", None, None, "its first row has no close date to open the opportunity with"),
    ("o2", 1, "Won", "5", D1, None),
    (None, 2, "A", "5", D1, "its opportunity id is missing"),
    ("o3", None, "A", "5", D1, "its time is missing"),
    ("o3", 3, None, "5", D1, "its stage is missing"),
]


def example() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "opportunity_id": [r[0] for r in ROWS],
            "at": [None if r[1] is None else T0 + timedelta(minutes=r[1]) for r in ROWS],
            "stage": [r[2] for r in ROWS],
            "amount": [None if r[3] is None else Decimal(r[3]) for r in ROWS],
            "close_date": [r[4] for r in ROWS],
            "seq": list(range(len(ROWS))),
        },
        schema_overrides={"amount": pl.Decimal(38, 2), "at": pl.Datetime("us", "UTC")},
    )


EXPECTED = [(r[5] is None, r[5]) for r in ROWS]


def test_each_kind_of_illegal_row_is_reported_with_its_reason() -> None:
    assert verdicts(check_history(example(), STRICT, sequence="seq")) == EXPECTED


def as_pandas(frame: pl.DataFrame) -> Any:
    pytest.importorskip("pandas")
    return frame.to_pandas()


def as_arrow(frame: pl.DataFrame) -> Any:
    pytest.importorskip("pyarrow")
    return frame.to_arrow()


def as_duckdb(frame: pl.DataFrame) -> Any:
    duckdb = pytest.importorskip("duckdb")
    return duckdb.from_arrow(frame.to_arrow())


def to_polars(frame: Any) -> pl.DataFrame:
    if isinstance(frame, pl.LazyFrame):
        return frame.collect()
    if isinstance(frame, pl.DataFrame):
        return frame
    if hasattr(frame, "pl"):  # DuckDB
        return frame.pl()
    return pl.from_pandas(frame) if hasattr(frame, "iloc") else pl.from_arrow(frame)


@pytest.mark.parametrize(
    "convert", [pl.DataFrame.lazy, as_pandas, as_arrow, as_duckdb], ids=lambda f: f.__name__
)
def test_every_backend_gives_the_same_verdicts_and_keeps_its_kind(convert: Any) -> None:
    native = convert(example())
    checked = check_history(native, STRICT, sequence="seq")
    assert type(checked) is type(native)
    assert verdicts(to_polars(checked)) == EXPECTED


def test_only_illegal_keeps_the_illegal_rows_and_the_callers_columns() -> None:
    checked = check_history(example(), STRICT, sequence="seq", only_illegal=True)
    assert checked.columns == [*example().columns, "previous_stage", "legal", "reason"]
    assert checked["seq"].to_list() == [i for i, r in enumerate(ROWS) if r[5] is not None]


def test_columns_are_found_through_the_mapping() -> None:
    renamed = example().rename({"opportunity_id": "OpportunityId", "stage": "StageName"})
    names = analytics.Columns.salesflow().replace(
        history={"opportunity_id": "OpportunityId", "stage": "StageName"}
    )
    assert verdicts(check_history(renamed, STRICT, columns=names, sequence="seq")) == EXPECTED


def test_without_a_close_date_column_a_first_row_is_not_judged_by_it() -> None:
    checked = check_history(example().drop("close_date"), STRICT, sequence="seq")
    assert verdicts(checked)[10] == (True, None)


def test_a_missing_column_or_a_non_frame_is_a_validation_error() -> None:
    with pytest.raises(sf.ValidationError, match="no column 'stage'"):
        check_history(example().drop("stage"), STRICT)
    with pytest.raises(sf.ValidationError, match="no column 'nope'"):
        check_history(example(), STRICT, sequence="nope")
    with pytest.raises(sf.ValidationError, match="expected a dataframe, got list"):
        check_history([1, 2], STRICT)
    with pytest.raises(sf.ValidationError, match="expected a SalesProcess"):
        check_history(example(), "Strict")  # type: ignore[arg-type]


def test_the_pairs_are_the_transition_tables_verdicts() -> None:
    table = STRICT.transition_table
    for pair in analytics.transition_pairs(STRICT):
        i, j = table.index[pair.from_stage], table.index[pair.to_stage]
        assert pair.legal == (j in table.allowed[i])
        assert pair.reason == (None if pair.legal else "; ".join(table.reasons(i, j)))


@given(process_and_stream())
def test_a_table_already_in_order_gets_the_same_verdicts_without_windows(
    case: tuple[sf.SalesProcess, list[sf.Move]],
) -> None:
    # each opportunity's rows together and in time order take the plain-shift path
    # (no sort, no window); interleaved rows take the windows: same verdicts
    import narwhals as nw

    from salesflow.analytics._ordered import in_order

    process, stream = case
    history = table(stream)
    runs = history.sort("opportunity_id", "at", "seq")
    ids = runs["opportunity_id"].unique().to_list()
    backwards = runs.sort(
        pl.col("opportunity_id").replace_strict({i: -n for n, i in enumerate(ids)}), "at", "seq"
    )  # together but not sorted by id
    expected = verdicts(check_history(history, process, sequence="seq"))
    for ordered in (runs, backwards):
        assert in_order(nw.from_native(ordered.lazy()), "opportunity_id", ["at", "seq"])
        assert verdicts(check_history(ordered, process, sequence="seq")) == expected
        lazy = check_history(ordered.lazy(), process, sequence="seq").collect()
        assert verdicts(lazy) == expected


def test_in_order_refuses_rows_out_of_order_apart_or_missing() -> None:
    import narwhals as nw

    from salesflow.analytics._ordered import in_order

    def ordered(ids: list[str | None], times: list[int | None]) -> bool:
        frame = pl.LazyFrame({"k": ids, "t": times}, schema={"k": pl.String, "t": pl.Int64})
        return in_order(nw.from_native(frame), "k", ["t"]) is not None

    assert ordered(["a", "a", "b"], [1, 2, 1])
    assert ordered(["b", "b", "a"], [1, 1, 0])  # runs need not be sorted; ties are fine
    assert not ordered(["a", "a", "b"], [2, 1, 1])  # back in time within a run
    assert not ordered(["a", "b", "a"], [1, 1, 2])  # a's rows apart
    assert not ordered(["a", None], [1, 2])
    assert not ordered(["a", "a"], [1, None])
