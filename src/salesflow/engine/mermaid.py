"""Mermaid state diagrams of a process, with no extra dependency."""

from __future__ import annotations

from salesflow.engine.rules import TransitionTable

__all__ = ["mermaid_label", "to_mermaid"]


_PLAIN = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-_/()%+*!?'&@$=~^|"
)


def mermaid_label(text: str) -> str:
    r"""``text`` for a quoted Mermaid label: every other character as an entity code.

    Quotes, brackets, ``#``, ``;``, ``:``, ``<``, ``>``, line breaks and every
    control character become ``#<code>;``, so a stage name can neither end the
    label nor start a new line of the diagram.

    >>> mermaid_label('Won "big" [1]\nnext')
    'Won #34;big#34; #91;1#93;#10;next'
    """
    return "".join(
        ch if ch in _PLAIN or (ch.isalnum() and ch.isprintable()) else f"#{ord(ch)};"
        for ch in text
    )


def to_mermaid(table: TransitionTable) -> str:
    """A ``stateDiagram-v2`` of the stages and every allowed move.

    Won stages are styled ``won``, other closed stages ``lost``; the first
    open stage is the entry point.
    """
    ids = {name: f"s{i}" for i, name in enumerate(table.names)}
    lines = ["stateDiagram-v2", f"    [*] --> {ids[table.first_stage.name]}"]
    for stage in table.stages:
        lines.append(
            f'    state "{mermaid_label(stage.name)} ({stage.probability}%)" as {ids[stage.name]}'
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
