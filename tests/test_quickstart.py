"""The core issue's acceptance snippet, as written."""

from __future__ import annotations


def test_the_core_snippet_runs_as_written() -> None:
    from datetime import date

    import salesflow as sf

    process = sf.presets.salesforce_standard()
    assert process.stage("Needs Analysis").probability == 20
    assert process.stage("Closed Lost").forecast_category is sf.ForecastCategory.OMITTED

    acct = sf.Account(name="Get Cloudy West")
    lars = sf.Contact(name="Lars Johnson", account_id=acct.id)
    aparna = sf.Contact(name="Aparna", account_id=acct.id)
    opp = process.open(
        name="Get Cloudy West - 35 Custom Sneakers",
        account_id=acct.id,
        amount=sf.Money("4200.00", "USD"),
        close_date=date(2026, 12, 15),
        stage="Needs Analysis",
    )
    assert opp.probability == 20 and opp.expected_revenue == sf.Money("840.00", "USD")
    opp.add_contact_role(lars.id, role=sf.Role.DECISION_MAKER, primary=True)
    opp.add_contact_role(aparna.id, role=sf.Role.INFLUENCER)
    assert opp.primary_contact_id == lars.id
    opp.set_probability(35)
    assert opp.probability_source is sf.ProbabilitySource.MANUAL
    assert sf.loads(sf.dumps(opp), sf.Opportunity) == opp
