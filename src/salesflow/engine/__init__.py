"""The stage engine: transition rules, moves, machines, bulk replay and diagrams.

Most users reach it through :class:`salesflow.SalesProcess` (``move``,
``allowed_moves``, ``check_move``, ``machine``, ``replay``, ``to_mermaid``).
"""

from __future__ import annotations

from salesflow.engine.change import Move, RefusedMove, ReplayResult, StageChange
from salesflow.engine.machine import OpportunityMachine
from salesflow.engine.rules import TransitionTable

__all__ = [
    "Move",
    "OpportunityMachine",
    "RefusedMove",
    "ReplayResult",
    "StageChange",
    "TransitionTable",
]
