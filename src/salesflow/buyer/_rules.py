"""The rules a :class:`~salesflow.buyer.ProcessMapping` is checked against."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from salesflow.buyer.process import BuyerProcess
from salesflow.errors import Problem, did_you_mean
from salesflow.process import SalesProcess

__all__ = ["mapping_problems"]


def _at(stage: object) -> str:
    return f"$.phases[{stage!r}]"


def mapping_problems(
    seller: object, buyer: object, phases: Mapping[str, str]
) -> Iterable[Problem]:
    """Every problem with mapping ``seller``'s stages onto ``buyer``'s phases by ``phases``."""
    if not isinstance(seller, SalesProcess):
        yield Problem(f"expected a SalesProcess, got {type(seller).__name__}", "$.seller_process")
    if not isinstance(buyer, BuyerProcess):
        yield Problem(f"expected a BuyerProcess, got {type(buyer).__name__}", "$.buyer_process")
    if not isinstance(seller, SalesProcess) or not isinstance(buyer, BuyerProcess):
        return
    last_open = seller.open_stages[-1].name
    final = phases.get(last_open)
    for stage, phase in phases.items():
        if not isinstance(stage, str) or stage not in seller:
            yield Problem(
                f"unknown stage {stage!r}{did_you_mean(stage, seller.stage_names)}; the seller "
                f"process {seller.name!r} has " + ", ".join(repr(n) for n in seller.stage_names),
                _at(stage),
            )
        if not isinstance(phase, str) or phase not in buyer:
            yield Problem(
                f"unknown phase {phase!r}{did_you_mean(phase, buyer.phase_names)}; the buyer "
                f"process {buyer.name!r} has " + ", ".join(repr(n) for n in buyer.phase_names),
                _at(stage),
            )
        if not isinstance(stage, str) or stage not in seller:
            continue
        known = seller.stage(stage)
        if known.is_lost:
            yield Problem(
                f"closed stage {stage!r} is not won: it closes whichever phase the "
                "opportunity is in, so it is not mapped",
                _at(stage),
            )
        elif known.is_won and final is not None and phase != final:
            yield Problem(
                f"won stage {stage!r} closes the final phase {final!r} (that of the last "
                f"open stage {last_open!r}), not {phase!r}",
                _at(stage),
            )
    for open_stage in seller.open_stages:
        if open_stage.name not in phases:
            yield Problem(f"open stage {open_stage.name!r} is not mapped to a phase", "$.phases")
    yield from _order_problems(seller, buyer, phases)


def _order_problems(
    seller: SalesProcess, buyer: BuyerProcess, phases: Mapping[str, str]
) -> Iterable[Problem]:
    mapped = [
        (s.name, phases[s.name])
        for s in seller.open_stages
        if isinstance(phases.get(s.name), str) and phases[s.name] in buyer
    ]
    covered = {name for _, name in mapped}
    for sequential in buyer.sequential_phases:
        if sequential.name not in covered:
            yield Problem(f"phase {sequential.name!r} has no open stage mapped to it", "$.phases")
    if not buyer.linear:
        return
    furthest: tuple[str, str] | None = None
    for stage, phase in mapped:
        if furthest is not None and buyer.index(phase) < buyer.index(furthest[1]):
            yield Problem(
                f"stage {stage!r} maps to {phase!r}, before {furthest[1]!r} of the earlier "
                f"stage {furthest[0]!r}; a linear buyer process does not go back",
                _at(stage),
            )
        elif furthest is None or buyer.index(phase) > buyer.index(furthest[1]):
            furthest = (stage, phase)
