from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import salesflow as sf
from tests.strategies import AWARE

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
F = sf.ForecastCategory


def _open(process: sf.SalesProcess | None = None, **kwargs: object) -> sf.Opportunity:
    process = process or sf.presets.salesforce_standard()
    options: dict[str, object] = {
        "name": "Deal",
        "close_date": date(2026, 12, 15),
        "stage": "Negotiation/Review",
        "amount": sf.Money("1000", "USD"),
        "at": T0,
        "owner": "Ana",
    }
    options.update(kwargs)
    return process.open(**options)  # type: ignore[arg-type]


# ----------------------------------------------------------------- rollups


@pytest.mark.parametrize(
    ("rollup", "members"),
    [
        (F.CLOSED, {F.CLOSED}),
        (F.COMMIT, {F.COMMIT, F.CLOSED}),
        (F.MOST_LIKELY, {F.MOST_LIKELY, F.COMMIT, F.CLOSED}),
        (F.BEST_CASE, {F.BEST_CASE, F.MOST_LIKELY, F.COMMIT, F.CLOSED}),
        (F.PIPELINE, {F.PIPELINE, F.BEST_CASE, F.MOST_LIKELY, F.COMMIT}),
        (F.OMITTED, set()),
    ],
)
def test_rollups_follow_salesforce_forecast_columns(
    rollup: sf.ForecastCategory, members: set[sf.ForecastCategory]
) -> None:
    assert set(rollup.rollup) == members
    assert {c for c in F if rollup.includes(c)} == members


def test_open_pipeline_never_counts_closed_deals() -> None:
    assert not F.PIPELINE.includes(F.CLOSED)
    assert all(not r.includes(F.OMITTED) for r in F)


# ---------------------------------------------------------------- override


def test_a_forecast_override_is_recorded_and_reset_by_the_next_stage_change() -> None:
    process = sf.presets.salesforce_standard()
    opp = _open(process)
    entry = opp.set_forecast_category("Commit", at=T0 + timedelta(hours=1), by="Ana")
    assert entry is not None
    assert opp.forecast_category is F.COMMIT
    assert entry.forecast_category is F.COMMIT
    assert entry.stage == "Negotiation/Review"
    assert opp.set_forecast_category(F.COMMIT) is None  # no change, no entry
    process.move(opp, "Proposal/Price Quote", at=T0 + timedelta(hours=2))
    assert opp.forecast_category is F.PIPELINE


def test_an_override_survives_an_amount_change_in_the_same_stage() -> None:
    process = sf.presets.salesforce_standard()
    opp = _open(process)
    opp.set_forecast_category(F.BEST_CASE, at=T0)
    process.move(opp, "Negotiation/Review", amount=sf.Money("2000", "USD"), at=T0)
    assert opp.forecast_category is F.BEST_CASE
    assert opp.history[-1].forecast_category is F.BEST_CASE


@pytest.mark.parametrize("bad", ["Closed", "Sure thing", 3, None])
def test_an_override_refuses_closed_unknown_and_garbage_and_changes_nothing(bad: object) -> None:
    opp = _open()
    before = sf.to_dict(opp)
    with pytest.raises(sf.ValidationError):
        opp.set_forecast_category(bad)  # type: ignore[arg-type]
    assert sf.to_dict(opp) == before


def test_a_closed_deal_keeps_its_stages_category() -> None:
    process = sf.presets.salesforce_standard()
    opp = _open(process)
    process.move(opp, "Closed Won", at=T0)
    with pytest.raises(sf.ValidationError, match="closed"):
        opp.set_forecast_category("Commit")


# ----------------------------------------------------------- closing facts


def test_closing_records_the_day_it_closed_apart_from_the_forecast_close_date() -> None:
    process = sf.presets.salesforce_standard()
    opp = _open(process)
    closed_at = datetime(2027, 1, 20, 16, 0, tzinfo=timezone.utc)
    process.move(opp, "Closed Won", at=closed_at)
    assert opp.closed_on == date(2027, 1, 20)
    assert opp.close_date == date(2026, 12, 15)  # the last forecast stays
    assert opp.lost_reason is None


def test_a_lost_deal_keeps_its_reason_and_competitor() -> None:
    process = sf.presets.salesforce_standard()
    opp = _open(process)
    process.move(opp, "Closed Lost", at=T0, lost_reason="No Decision", competitor="Acme")
    assert (opp.lost_reason, opp.competitor, opp.closed_on) == ("No Decision", "Acme", T0.date())
    assert sf.loads(sf.dumps(opp), sf.Opportunity) == opp


def test_a_process_may_require_a_lost_reason_from_its_list() -> None:
    base = sf.presets.salesforce_standard()
    process = attrs.evolve(
        base,
        settings=sf.ProcessSettings(
            lost_reasons=("Price", "No Decision"), require_lost_reason=True
        ),
    )
    opp = _open(process)
    assert process.check_move(opp, "Closed Lost") == [
        "the process requires a lost reason to move to 'Closed Lost'"
    ]
    with pytest.raises(sf.StageTransitionError, match="not a lost reason"):
        process.move(opp, "Closed Lost", lost_reason="Timing")
    assert opp.stage == "Negotiation/Review" and opp.lost_reason is None
    process.move(opp, "Closed Lost", lost_reason="Price")
    assert opp.lost_reason == "Price"


def test_a_lost_reason_on_a_won_or_open_move_is_refused() -> None:
    process = sf.presets.salesforce_standard()
    opp = _open(process)
    for stage in ("Closed Won", "Proposal/Price Quote"):
        reasons = process.check_move(opp, stage, lost_reason="Price")
        assert reasons == ["a lost reason is given only with a move to a lost stage"]


def test_reopening_clears_the_closing_facts() -> None:
    base = sf.presets.salesforce_standard()
    process = attrs.evolve(base, settings=sf.ProcessSettings(allow_reopen=True))
    opp = _open(process)
    process.move(opp, "Closed Lost", at=T0, lost_reason="Price", competitor="Acme")
    process.move(opp, "Negotiation/Review", at=T0 + timedelta(days=3))
    assert (opp.closed_on, opp.lost_reason, opp.competitor) == (None, None, None)


def test_an_open_opportunity_with_closing_facts_is_refused() -> None:
    data = sf.to_dict(_open())
    data["closed_on"] = "2026-11-01"
    data["lost_reason"] = "Price"
    with pytest.raises(sf.ValidationError) as caught:
        sf.from_dict(data, sf.Opportunity)
    paths = {p.path for p in caught.value.problems}
    assert paths == {"$.closed_on", "$.lost_reason"}


# ----------------------------------------------------------- owner history


def test_history_records_the_owner_at_the_time_of_each_change() -> None:
    process = sf.presets.salesforce_standard()
    opp = _open(process)
    opp.owner = "Ben"
    process.move(opp, "Closed Won", at=T0 + timedelta(days=1))
    assert [e.owner for e in opp.history] == ["Ana", "Ben"]


@given(AWARE, st.sampled_from(["Closed Won", "Closed Lost"]))
def test_replay_records_the_same_closing_facts_as_move(at: datetime, stage: str) -> None:
    process = sf.presets.salesforce_standard()
    opp = _open(process, at=at)
    opp.set_forecast_category("Commit", at=at)
    reason = "Price" if stage == "Closed Lost" else None
    replayed = process.replay(
        [sf.Move(opp.id, at, stage, lost_reason=reason, competitor="Acme")],
        opportunities=[opp],
    ).opportunities[opp.id]
    process.move(opp, stage, at=at, lost_reason=reason, competitor="Acme")
    assert replayed == opp
