"""Maven Analytics' "CRM Sales Opportunities" data set: its process and its stage-date columns."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from salesflow.process import SalesProcess
from salesflow.stage import Stage

__all__ = ["maven", "maven_stage_dates"]


def maven() -> SalesProcess:
    """Maven's four stages: Prospecting > Engaging > Won / Lost.

    The data ships no probabilities; salesflow's choice is 10 % and 50 % for
    the open stages (learn better ones with
    :func:`salesflow.forecasting.learn_probabilities`).

    >>> [(s.name, int(s.probability), s.is_closed) for s in maven().stages]
    [('Prospecting', 10, False), ('Engaging', 50, False), ('Won', 100, True), ('Lost', 0, True)]
    """
    return SalesProcess(
        name="Maven CRM",
        stages=[
            Stage("Prospecting", 10, guidance="A prospect: no engage date yet."),
            Stage("Engaging", 50, guidance="Entered on engage_date."),
            Stage("Won", 100, is_closed=True, is_won=True),
            Stage("Lost", 0, is_closed=True),
        ],
    )


def maven_stage_dates() -> Mapping[str, str]:
    """The day each stage was entered, by column of ``sales_pipeline.csv``.

    ``close_date`` is the day a deal was won *or* lost: it dates the one the
    deal is in (see :func:`salesflow.io.read_stage_dates`).

    >>> dict(maven_stage_dates())
    {'Engaging': 'engage_date', 'Won': 'close_date', 'Lost': 'close_date'}
    """
    return MappingProxyType({"Engaging": "engage_date", "Won": "close_date", "Lost": "close_date"})
