"""salesflow.testing: the engine's properties, offered for users' own processes."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import salesflow as sf
from salesflow.testing import check_process, move_streams
from tests.strategies import engine_processes


@pytest.mark.parametrize("name", sorted(sf.presets.SELLER_PRESETS))
def test_every_preset_passes_the_shipped_check(name: str) -> None:
    check_process(sf.presets.SELLER_PRESETS[name](), max_examples=30)


@settings(max_examples=8, suppress_health_check=[HealthCheck.nested_given])
@given(engine_processes())
def test_random_processes_pass_the_shipped_check(process: sf.SalesProcess) -> None:
    check_process(process, max_examples=15)


@given(st.data())
def test_move_streams_open_each_opportunity_first_and_keep_its_time_order(
    data: st.DataObject,
) -> None:
    process = sf.presets.hubspot_default()
    stream = data.draw(move_streams(process, opportunity_ids=("a", "b", "c")))
    for oid in ("a", "b", "c"):
        own = [m for m in stream if m.opportunity_id == oid]
        assert own[0].close_date is not None
        assert [m.at for m in own] == sorted(m.at for m in own)
        assert all(m.to_stage in process for m in own)


def test_a_check_that_raises_fails_the_property() -> None:
    base = sf.presets.salesforce_standard()
    gate = sf.StageGate(checks=["flaky"])
    gated = attrs.evolve(
        base, stages=[attrs.evolve(s, gate=gate) if s.is_won else s for s in base.stages]
    )

    def flaky(opp: sf.Opportunity) -> str | None:
        raise RuntimeError("the check itself is broken")

    gated.register_check("flaky", flaky)
    with pytest.raises(
        AssertionError, match=r"check is broken: flaky: the check failed \(RuntimeError"
    ):
        check_process(gated, max_examples=50)
