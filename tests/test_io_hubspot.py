from __future__ import annotations

import io
from datetime import date, datetime, timezone

import salesflow as sf
from salesflow.io import read_hubspot_csv

HUBSPOT = sf.presets.hubspot_default()
HEADER = (
    "hs_object_id,dealname,dealstage,amount,deal_currency_code,closedate,pipeline,createdate,"
    "hs_deal_stage_probability,hs_date_entered_appointmentscheduled,"
    "hs_date_entered_contractsent,hs_date_entered_closedwon\n"
)


def _export(*rows: str) -> io.StringIO:
    return io.StringIO(HEADER + "".join(row + "\n" for row in rows))


def test_internal_stage_ids_and_labels_both_resolve() -> None:
    result = read_hubspot_csv(
        _export(
            "1,A,appointmentscheduled,10,USD,2026-06-30,default,2026-01-01T00:00:00Z,0.2,,,",
            "2,B,Contract sent,10,USD,2026-06-30,default,2026-01-01T00:00:00Z,,,,",
        ),
        process=HUBSPOT,
    )
    assert [o.stage for o in result.opportunities] == ["Appointment scheduled", "Contract sent"]
    assert result.opportunities[0].probability_source is sf.ProbabilitySource.STAGE
    assert result.ok


def test_date_entered_columns_become_history_and_the_closing_day() -> None:
    row = (
        "7,Won deal,closedwon,500.50,EUR,2026-03-31T00:00:00Z,default,2026-01-01T08:00:00Z,1,"
        "2026-01-01T08:00:00Z,2026-02-01T08:00:00Z,2026-03-15T17:30:00Z"
    )
    (deal,) = read_hubspot_csv(_export(row), process=HUBSPOT).opportunities
    assert [h.stage for h in deal.history] == [
        "Appointment scheduled",
        "Contract sent",
        "Closed won",
    ]
    assert [h.probability for h in deal.history] == [20, 90, 100]
    assert deal.is_won
    assert deal.closed_on == date(2026, 3, 15)
    assert deal.close_date == date(2026, 3, 31)
    assert deal.last_stage_change_at == datetime(2026, 3, 15, 17, 30, tzinfo=timezone.utc)
    assert deal.amount == sf.Money("500.50", "EUR")


def test_an_unknown_stage_id_is_refused_and_an_alias_maps_it() -> None:
    row = "9,X,12345678,1,USD,2026-06-30,default,2026-01-01T00:00:00Z,,,,"
    refused = read_hubspot_csv(_export(row), process=HUBSPOT)
    assert refused.refused[0].id == "9"
    assert "unknown stage '12345678'" in refused.refused[0].reason
    taken = read_hubspot_csv(_export(row), process=HUBSPOT, aliases={"12345678": "Closed lost"})
    assert taken.opportunities[0].stage == "Closed lost"


def test_deals_of_another_pipeline_are_refused_when_one_is_chosen() -> None:
    rows = (
        "1,A,appointmentscheduled,1,USD,2026-06-30,default,2026-01-01T00:00:00Z,,,,",
        "2,B,appointmentscheduled,1,USD,2026-06-30,renewals,2026-01-01T00:00:00Z,,,,",
    )
    result = read_hubspot_csv(_export(*rows), process=HUBSPOT, pipeline="default")
    assert [o.id for o in result.opportunities] == ["1"]
    assert "pipeline 'renewals'" in result.refused[0].reason
    assert result.read["Deal"] == 2


def test_a_local_time_export_needs_its_time_zone() -> None:
    row = "1,A,appointmentscheduled,1,USD,2026-06-30 00:00,default,2026-01-05 10:32,,2026-01-05 10:32,,"
    assert "no UTC offset" in read_hubspot_csv(_export(row), process=HUBSPOT).refused[0].reason
    (deal,) = read_hubspot_csv(_export(row), process=HUBSPOT, timezone=timezone.utc).opportunities
    assert deal.created_at == datetime(2026, 1, 5, 10, 32, tzinfo=timezone.utc)
    assert deal.close_date == date(2026, 6, 30)


def test_v2_date_entered_columns_and_labelled_columns_are_history_too() -> None:
    text = (
        "hs_object_id,dealname,dealstage,closedate,createdate,hs_v2_date_entered_appointmentscheduled,"
        '"Date entered ""Closed lost (Sales Pipeline)"""\n'
        "5,L,closedlost,2026-06-30,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,2026-02-02T00:00:00Z\n"
    )
    (deal,) = read_hubspot_csv(io.StringIO(text), process=HUBSPOT).opportunities
    assert [h.stage for h in deal.history] == ["Appointment scheduled", "Closed lost"]
    assert deal.closed_on == date(2026, 2, 2)
    assert not deal.is_won
