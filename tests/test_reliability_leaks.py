"""Every failure is a SalesflowError that says what is wrong: the leaks the fuzzing pass found."""

from __future__ import annotations

import contextlib
import sys
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import salesflow as sf
from salesflow.cli import main

SFDC = sf.presets.salesforce_standard()

pytest.importorskip("polars")
from salesflow import forecasting as fc  # noqa: E402
from salesflow.analytics import examples  # noqa: E402

EXAMPLES = examples.process()
DEALS = examples.opportunities()


@pytest.mark.parametrize(
    "call",
    [
        lambda: fc.fit_deal_score([], process=SFDC),
        lambda: fc.backtest([], cutoff=date(2026, 2, 1), process=SFDC),
        lambda: fc.forecast_revenue(
            [], start=date(2026, 1, 1), end=date(2026, 3, 31), process=SFDC
        ),
        lambda: fc.learn_close_times([], process=SFDC),
        lambda: fc.predict_close_dates([], process=SFDC),
    ],
    ids=["fit_deal_score", "backtest", "forecast_revenue", "learn_close_times", "predict"],
)
def test_forecasting_without_history_says_there_is_no_history(call: Any) -> None:
    with pytest.raises(sf.ValidationError, match="no history: the history table has no rows"):
        call()


def test_draws_past_the_documented_maximum_are_refused_before_any_work() -> None:
    from salesflow.forecasting._checks import MAX_DRAWS

    with pytest.raises(sf.ValidationError, match=f"at most {MAX_DRAWS:,} draws"):
        fc.forecast_revenue(
            DEALS, start=date(2026, 1, 1), end=date(2026, 3, 31), process=EXAMPLES, draws=10**9
        )
    with pytest.raises(sf.ValidationError, match="draws"):
        fc.learn_probabilities(DEALS, process=EXAMPLES, draws=MAX_DRAWS + 1)


def test_money_total_names_what_is_not_money() -> None:
    with pytest.raises(sf.ValidationError, match=r"expected Money, got int @ \$\[1\]"):
        sf.Money.total([sf.Money("1", "USD"), 1], currency="USD")  # type: ignore[list-item]
    with pytest.raises(sf.ValidationError, match="expected amounts of Money"):
        sf.Money.total(None, currency="USD")  # type: ignore[arg-type]


def test_process_verbs_given_garbage_raise_salesflow_errors() -> None:
    assert ([] in SFDC) is False  # type: ignore[comparison-overlap]
    with pytest.raises(sf.ValidationError, match="expected an Opportunity, got NoneType"):
        SFDC.reset_probability(None)  # type: ignore[arg-type]
    machine = SFDC.machine(SFDC.open(name="Deal", close_date=date(2026, 6, 30)))
    with pytest.raises(sf.ValidationError, match="expected a stage name, got list"):
        machine.move_to([])  # type: ignore[arg-type]


def test_a_rot_days_too_large_to_print_is_refused_and_printable() -> None:
    with pytest.raises(sf.ValidationError, match="from 1 to 36,525, got a number above"):
        sf.Stage("Talk", 10, rot_days=10**5000)


def test_a_gate_that_is_a_list_is_refused_as_such(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "name: P\nstages:\n  - name: A\n    probability: 10\n    gate: []\n"
        "  - name: B\n    probability: 100\n    is_closed: true\n    is_won: true\n",
        encoding="utf-8",
    )
    with pytest.raises(sf.ValidationError, match=r"expected an object \(StageGate\), got list"):
        sf.SalesProcess.from_file(path)


@pytest.mark.parametrize("suffix", [".json", ".toml", ".yaml"])
def test_a_byte_order_mark_is_accepted_in_every_process_format(
    tmp_path: Path, suffix: str
) -> None:
    source = tmp_path / f"p{suffix}"
    SFDC.to_file(source)
    marked = tmp_path / f"marked{suffix}"
    marked.write_bytes(b"\xef\xbb\xbf" + source.read_bytes())
    assert sf.SalesProcess.from_file(marked) == SFDC


@pytest.mark.parametrize("moment", ["9999-12-31", "0001-01-01", "9999-12-31T23:00:00-05:00"])
def test_the_report_refuses_an_as_of_it_cannot_reach_with_a_usage_error(
    moment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    gallery = Path(__file__).parent / "gallery"
    args = ["report", str(gallery / "Opportunity.csv"), "--columns", "salesforce"]
    args += ["--currency", "USD", "--as-of", moment]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "give a date from 1900-01-01 to 9998-12-31" in err
    assert "internal error" not in err


# ------------------------------------------------------------------ fuzzer

ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
    st.sampled_from(
        [
            date.min,
            date.max,
            date(2026, 2, 1),
            datetime.max.replace(tzinfo=timezone.utc),
            datetime(2026, 2, 1, tzinfo=None),  # noqa: DTZ001  (naive, on purpose)
            [],
            {},
            b"x",
            sys.maxsize,
            10**30,
        ]
    ),
)
FORECASTS: dict[str, Any] = {
    "forecast_revenue": lambda kw: fc.forecast_revenue(
        DEALS, process=EXAMPLES, **{"start": date(2026, 1, 1), "end": date(2026, 3, 31), **kw}
    ),
    "learn_probabilities": lambda kw: fc.learn_probabilities(DEALS, process=EXAMPLES, **kw),
    "learn_close_times": lambda kw: fc.learn_close_times(DEALS, process=EXAMPLES, **kw),
    "predict_close_dates": lambda kw: fc.predict_close_dates(DEALS, process=EXAMPLES, **kw),
    "backtest": lambda kw: fc.backtest(
        DEALS, process=EXAMPLES, **{"cutoff": date(2026, 2, 15), **kw}
    ),
}
KEYWORDS = {
    "forecast_revenue": ["start", "end", "as_of", "draws", "seed", "min_sample"],
    "learn_probabilities": ["until", "min_sample", "level", "draws", "seed", "segment"],
    "learn_close_times": ["until"],
    "predict_close_dates": ["as_of", "min_sample"],
    "backtest": ["cutoff", "min_sample", "buckets"],
}


@settings(
    max_examples=max(10, settings.default.max_examples // 5),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.sampled_from(sorted(FORECASTS)), st.data())
def test_fuzz_forecasting_arguments_raise_only_salesflow_errors(
    name: str, data: st.DataObject
) -> None:
    keywords = data.draw(st.lists(st.sampled_from(KEYWORDS[name]), unique=True, max_size=3))
    kwargs = {k: data.draw(ODD, label=k) for k in keywords}
    if isinstance(kwargs.get("draws"), int) and kwargs["draws"] > 50_000:
        kwargs["draws"] = 10**9  # a huge count must be refused, not attempted
    with contextlib.suppress(sf.SalesflowError):  # anything else fails the test
        FORECASTS[name](kwargs)
