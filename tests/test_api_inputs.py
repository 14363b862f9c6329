"""Every public entry point answers garbage arguments with a salesflow error, nothing else."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest

import salesflow as sf

GARBAGE: list[Any] = [
    None,
    1.5,
    -1,
    True,
    "",
    "x",
    [],
    {},
    b"b",
    object(),
    date(2026, 1, 1),
    datetime(2026, 1, 1),  # noqa: DTZ001 - a naive datetime is part of the garbage
    sf.Money("1", "USD"),
]
PROCESS = sf.presets.salesforce_standard()
BASE: dict[str, Any] = {"name": "Deal", "close_date": date(2026, 12, 1)}


def _open_with(key: str, value: Any) -> Callable[[], object]:
    return lambda: PROCESS.open(**{**BASE, key: value})


def _move_with(key: str, value: Any) -> Callable[[], object]:
    def call() -> object:
        opp = PROCESS.open(**BASE)
        if key == "to_stage":
            return PROCESS.move(opp, value)
        return PROCESS.move(opp, "Qualification", **{key: value})

    return call


CALLS: list[tuple[str, Callable[[Any], Callable[[], object]]]] = [
    *[
        (f"open({k}=…)", lambda v, k=k: _open_with(k, v))
        for k in ("name", "close_date", "stage", "amount", "account_id", "id", "at", "by", "owner")
    ],
    *[
        (f"move({k}=…)", lambda v, k=k: _move_with(k, v))
        for k in ("to_stage", "at", "by", "amount", "close_date")
    ],
    ("replay(moves)", lambda v: lambda: PROCESS.replay(v)),
    ("replay([move])", lambda v: lambda: PROCESS.replay([v])),
    ("replay(opportunities=)", lambda v: lambda: PROCESS.replay([], opportunities=v)),
    ("machine(listeners=)", lambda v: lambda: PROCESS.machine(PROCESS.open(**BASE), listeners=v)),
    ("machine(opportunity)", lambda v: lambda: PROCESS.machine(v)),
    ("allowed_moves", lambda v: lambda: PROCESS.allowed_moves(v)),
    ("stage", lambda v: lambda: PROCESS.stage(v)),
    ("Money(amount)", lambda v: lambda: sf.Money(v, "USD")),
    ("Money(currency)", lambda v: lambda: sf.Money("1", v)),
    ("loads", lambda v: lambda: sf.loads(v, sf.Money)),
    ("dumps", lambda v: lambda: sf.dumps(v)),
    ("from_file", lambda v: lambda: sf.SalesProcess.from_file(v)),
    ("with_probabilities", lambda v: lambda: PROCESS.with_probabilities(v)),
    ("with_probabilities({})", lambda v: lambda: PROCESS.with_probabilities({"Prospecting": v})),
    ("synthetic(n)", lambda v: lambda: sf.datasets.synthetic(PROCESS, v)),
    ("synthetic(process)", lambda v: lambda: sf.datasets.synthetic(v, 3)),
    ("synthetic(truth=)", lambda v: lambda: sf.datasets.synthetic(PROCESS, 3, truth=v)),
    ("synthetic(currencies=)", lambda v: lambda: sf.datasets.synthetic(PROCESS, 3, currencies=v)),
    ("phase_of", lambda v: lambda: sf.presets.liferay_mapping().phase_of(v)),
    ("SalesProcess(stages=)", lambda v: lambda: sf.SalesProcess(name="x", stages=v)),
    ("SalesProcess(name=)", lambda v: lambda: sf.SalesProcess(name=v, stages=PROCESS.stages)),
]


@pytest.mark.parametrize(("label", "make"), CALLS, ids=[label for label, _ in CALLS])
def test_garbage_arguments_raise_only_salesflow_errors(
    label: str, make: Callable[[Any], Callable[[], object]]
) -> None:
    for value in GARBAGE:
        with contextlib.suppress(sf.SalesflowError):
            make(value)()
