"""One calling convention: objects, Frames or a bare frame with columns= / process= / currency=."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import polars as pl
import pytest

import salesflow as sf
from salesflow import analytics as sfa
from salesflow.analytics import examples, frames

PROCESS = examples.process()
AS_OF = date(2026, 3, 31)

SNAPSHOT_METRICS: dict[str, Callable[..., Any]] = {
    "pipeline_summary": sfa.pipeline_summary,
    "win_rate": sfa.win_rate,
    "funnel": sfa.funnel,
    "at_risk": lambda data, **kw: sfa.at_risk(data, as_of=AS_OF, **kw),
    "cycle_length": sfa.cycle_length,
    "deal_age": lambda data, **kw: sfa.deal_age(data, as_of=AS_OF, **kw),
}


def _renamed() -> tuple[pl.DataFrame, sf.Columns]:
    """The examples' snapshot without what the process and currency supply, under a CRM's names."""
    snapshot = frames(examples.opportunities(), process=PROCESS).snapshot
    theirs = {"id": "Deal Id", "stage": "Deal Stage", "owner": "Sales Agent", "amount": "Value"}
    frame = snapshot.drop("is_closed", "is_won", "currency", "next_gate_met").rename(theirs)
    return frame, sf.Columns.salesflow().replace(snapshot=theirs)


@pytest.mark.parametrize("name", sorted(SNAPSHOT_METRICS))
def test_every_metric_takes_a_bare_frame_with_the_door_keywords(name: str) -> None:
    metric = SNAPSHOT_METRICS[name]
    snapshot = frames(examples.opportunities(), process=PROCESS).snapshot
    expected = metric(sfa.Frames(snapshot, process=PROCESS)).rows()
    frame, columns = _renamed()
    got = metric(frame, columns=columns, process=PROCESS, currency="USD").rows()
    shared = set(got[0]) & set(expected[0])  # a bare snapshot has no gates nor history
    assert [{k: r[k] for k in shared} for r in got] == [
        {k: r[k] for k in shared} for r in expected
    ]
    assert shared >= {"id"} if name == "at_risk" else set(got[0]) == set(expected[0])


@pytest.mark.parametrize("name", sorted(SNAPSHOT_METRICS))
def test_every_metric_takes_objects_and_frames_with_the_process_as_a_keyword(name: str) -> None:
    metric = SNAPSHOT_METRICS[name]
    tables = frames(examples.opportunities(), process=PROCESS)
    via_frames = metric(sfa.Frames(tables.snapshot, tables.history), process=PROCESS).rows()
    via_objects = metric(examples.opportunities(), process=PROCESS).rows()
    assert via_frames == metric(tables).rows()
    if name != "at_risk":  # objects carry contact roles and gates, which frames lack
        assert via_objects == via_frames


def test_by_takes_the_sources_own_column_name() -> None:
    frame, columns = _renamed()
    result = sfa.win_rate(frame, columns=columns, process=PROCESS, by="Sales Agent")
    assert "Sales Agent" in result.columns
    expected = sfa.win_rate(examples.opportunities(), process=PROCESS, by="owner")
    assert [r["won"] for r in result.rows()] == [r["won"] for r in expected.rows()]


def test_an_unknown_group_column_is_named_with_the_columns_there_are() -> None:
    frame, columns = _renamed()
    with pytest.raises(sf.ValidationError, match=r"no column 'agent'; it has .*Sales Agent"):
        sfa.win_rate(frame, columns=columns, process=PROCESS, by="agent")


def test_a_result_table_is_a_snapshot_for_the_next_metric() -> None:
    tables = frames(examples.opportunities(), process=PROCESS)
    january = sfa.pipeline_as_of(tables, date(2026, 1, 31))
    assert sfa.pipeline_summary(january).rows() == sfa.pipeline_summary(january.to_frame()).rows()
    assert sfa.win_rate(january, process=PROCESS).rows()[0]["total"] == len(january)


def test_check_history_takes_frames_and_their_process() -> None:
    tables = frames(examples.opportunities(), process=PROCESS)
    assert sfa.check_history(tables).rows() == sfa.check_history(tables.history, PROCESS).rows()
    with pytest.raises(sf.ValidationError, match="no process given"):
        sfa.check_history(tables.history)


def test_a_wrong_keyword_value_is_a_salesflow_error() -> None:
    frame, columns = _renamed()
    with pytest.raises(sf.ValidationError, match="process= must be a SalesProcess"):
        sfa.win_rate(frame, columns=columns, process="salesforce")  # type: ignore[arg-type]
    with pytest.raises(sf.ValidationError, match="expected a Columns mapping"):
        sfa.win_rate(frame, columns={"id": "Deal Id"}, process=PROCESS)  # type: ignore[arg-type]
