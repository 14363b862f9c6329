"""Mermaid state diagrams of a process, with no extra dependency."""

from __future__ import annotations

from salesflow.engine.rules import TransitionTable

__all__ = ["to_mermaid"]


def _quote(text: str) -> str:
    return text.replace('"', "#quot;")


def to_mermaid(table: TransitionTable) -> str:
    """A ``stateDiagram-v2`` of the stages and every allowed move.

    Won stages are styled ``won``, other closed stages ``lost``; the first
    open stage is the entry point.
    """
    ids = {name: f"s{i}" for i, name in enumerate(table.names)}
    lines = ["stateDiagram-v2", f"    [*] --> {ids[table.first_stage.name]}"]
    for stage in table.stages:
        lines.append(
            f'    state "{_quote(stage.name)} ({stage.probability}%)" as {ids[stage.name]}'
        )
    for i, name in enumerate(table.names):
        lines.extend(f"    {ids[name]} --> {ids[target]}" for target in table.targets(i))
    lines.append("    classDef won fill:#d4f7d4,stroke:#2e7d32")
    lines.append("    classDef lost fill:#f7d4d4,stroke:#c62828")
    for stage in table.stages:
        if stage.is_won:
            lines.append(f"    class {ids[stage.name]} won")
        elif stage.is_closed:
            lines.append(f"    class {ids[stage.name]} lost")
    return "\n".join(lines) + "\n"
