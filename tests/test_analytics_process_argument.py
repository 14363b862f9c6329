"""pipeline_as_of and bridge take their process from process=, else from Frames.process."""

from __future__ import annotations

from datetime import date

import pytest

import salesflow as sf

pytest.importorskip("narwhals")
pytest.importorskip("polars")

from salesflow.analytics import Frames, bridge, examples, frames, pipeline_as_of

PROCESS = examples.process()
JAN, MAR = date(2026, 1, 31), date(2026, 3, 31)


@pytest.fixture(scope="module")
def bare() -> Frames:
    """The example's tables without a process."""
    t = frames(examples.opportunities())
    return Frames(t.snapshot, t.history)


@pytest.mark.parametrize(
    "metric",
    [
        lambda data: pipeline_as_of(data, JAN),
        lambda data: bridge(data, JAN, MAR),
    ],
    ids=["pipeline_as_of", "bridge"],
)
def test_without_a_process_the_error_says_what_to_pass(bare: Frames, metric: object) -> None:
    for data in (examples.opportunities(), bare):
        with pytest.raises(sf.ValidationError) as caught:
            metric(data)  # type: ignore[operator]
        (problem,) = caught.value.problems
        assert problem.path == "$.process"
        assert "needs which stages are closed and won, and no process was given" in problem.message
        assert "pass process=SalesProcess" in problem.message
        assert "Frames(..., process=...)" in problem.message


def test_frames_process_is_the_default(bare: Frames) -> None:
    with_process = Frames(bare.snapshot, bare.history, process=PROCESS)
    assert (
        pipeline_as_of(with_process, JAN).rows()
        == pipeline_as_of(bare, JAN, process=PROCESS).rows()
    )
    assert bridge(with_process, JAN, MAR).rows() == bridge(bare, JAN, MAR, process=PROCESS).rows()


def test_process_given_overrides_frames_process(bare: Frames) -> None:
    # a process in which nothing is closed: C and D stay in the pipeline
    open_only = sf.SalesProcess(
        name="Nothing the deals reached closes",
        stages=[
            *(sf.Stage(s.name, 10) for s in PROCESS.stages),
            sf.Stage("Signed", 100, is_closed=True, is_won=True),
        ],
    )
    with_process = Frames(bare.snapshot, bare.history, process=PROCESS)
    moves = {
        r["id"]: r["movement"] for r in bridge(with_process, JAN, MAR, process=open_only).rows()
    }
    assert moves["C"] == "increased" and moves["D"] == "unchanged"


def test_a_process_that_is_not_a_sales_process_is_refused(bare: Frames) -> None:
    with pytest.raises(sf.ValidationError, match="process= must be a SalesProcess, got str"):
        bridge(bare, JAN, MAR, process="Salesforce")  # type: ignore[arg-type]
