"""``salesflow process validate|show|diagram``: a process file or a preset, by name."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table
from rich.text import Text

from salesflow.buyer.mapping import ProcessMapping
from salesflow.cli._output import Output
from salesflow.cli._terminal import safe_lines, safe_text
from salesflow.gate import StageGate
from salesflow.presets import MAPPING_PRESETS, SELLER_PRESETS
from salesflow.process import SalesProcess
from salesflow.role import Role

__all__ = ["gate_summary", "load_mapping", "load_process", "process_group", "stage_table"]

_SUFFIXES = (".json", ".toml", ".yaml", ".yml")


def _preset(name: str, presets: dict[str, object], what: str) -> str:
    """The preset key that ``name`` names: exact, or the one key it starts."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    if key in presets:
        return key
    starting = [k for k in presets if k.startswith(key)]
    if len(starting) == 1:
        return starting[0]
    choices = ", ".join(sorted(presets))
    raise click.BadParameter(
        f"{safe_text(name)!r} is not a file and not a {what} preset; presets: {choices}"
    )


def load_process(name: str) -> SalesProcess:
    """A process from a file (``.json``, ``.toml``, ``.yaml``) or a preset's name.

    ``salesforce`` names ``salesforce_standard``: a name that starts exactly
    one preset's name is enough.

    Raises:
        click.BadParameter: Neither an existing file nor a preset (exit status 2).
        SalesflowError: The file exists but is not a valid process (exit status 1).
    """
    path = Path(name)
    if path.suffix.lower() in _SUFFIXES or path.exists():
        if not path.exists():
            raise click.BadParameter(f"no such file: {safe_text(name)}")
        return SalesProcess.from_file(path)
    return SELLER_PRESETS[_preset(name, dict(SELLER_PRESETS), "process")]()


def load_mapping(name: str) -> ProcessMapping:
    """The :class:`~salesflow.ProcessMapping` preset ``name`` (``salesforce`` will do).

    Raises:
        click.BadParameter: Not a mapping preset (exit status 2).
    """
    return MAPPING_PRESETS[_preset(name, dict(MAPPING_PRESETS), "mapping")]()


def gate_summary(gate: StageGate) -> str:
    """What a stage gate asks for, in a few words."""
    parts = [*gate.required_fields]
    if gate.primary_contact:
        parts.append("a primary contact")
    parts += [f"role {role.value if isinstance(role, Role) else role}" for role in gate.roles]
    if gate.min_amount is not None:
        parts.append(f"at least {gate.min_amount}")
    parts += [f"confirmed {fact!r}" for fact in gate.confirmed]
    parts += [f"validated {element}" for element in gate.qualified]
    parts += [f"check {name!r}" for name in gate.checks]
    return "; ".join(parts)


def rules_line(process: SalesProcess) -> str:
    """The process's transition rules in one line."""
    s = process.settings
    rules = [
        f"policy {s.policy.value}",
        "skipping allowed" if s.allow_skip else "no skipping",
        "backward moves allowed" if s.allow_backward else "no backward moves",
        "reopening allowed" if s.allow_reopen else "closed stages are terminal",
    ]
    return f"{process.name}: {len(process.stages)} stages; {', '.join(rules)}"


def stage_table(process: SalesProcess) -> Table:
    """Every stage: probability, forecast category, kind, where it may move, its gate."""
    table = Table(title=Text(safe_text(rules_line(process))), title_justify="left")
    for name, justify in (
        ("#", "right"),
        ("Stage", "left"),
        ("Probability", "right"),
        ("Forecast category", "left"),
        ("Kind", "left"),
        ("Moves to", "left"),
        ("Gate", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    transitions = process.transition_table
    for position, stage in enumerate(process.stages):
        kind = "won" if stage.is_won else "lost" if stage.is_closed else "open"
        moves = transitions.targets(position)
        others = [other.name for other in process.stages if other is not stage]
        shown = "any other stage" if list(moves) == others else ", ".join(moves) or "(none)"
        table.add_row(
            str(stage.order),
            Text(safe_text(stage.name), style="bold"),
            f"{stage.probability} %",
            stage.forecast_category.value,
            Text(kind, style={"won": "green", "lost": "red"}.get(kind, "")),
            Text(safe_text(shown)),
            Text(safe_text(gate_summary(stage.gate)) if not stage.gate.is_empty else "-"),
        )
    return table


@click.group("process")
def process_group() -> None:
    """Check, list or draw a sales process: a file or a preset's name.

    PROCESS is a .json, .toml, .yaml or .yml file, or a preset
    (salesforce_standard, hubspot_default, odoo_classic, trailhead_simple,
    liferay_enterprise; the start of a name is enough: salesforce).
    """


@process_group.command("validate")
@click.argument("process")
@click.pass_obj
def validate(out: Output, process: str) -> None:
    """Check a process; exit status 1 and every problem if it is invalid."""
    loaded = load_process(process)
    out.line(f"ok: {rules_line(loaded)}")


@process_group.command("show")
@click.argument("process")
@click.pass_obj
def show(out: Output, process: str) -> None:
    """List the stages, their rules, moves and gates."""
    out.print(stage_table(load_process(process)))


@process_group.command("diagram")
@click.argument("process")
@click.pass_obj
def diagram(out: Output, process: str) -> None:
    """Print a Mermaid state diagram of the allowed moves."""
    out.raw(safe_lines(load_process(process).to_mermaid()))
