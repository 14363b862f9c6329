"""``salesflow demo``: the pipeline inspection report on a synthetic pipeline."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from salesflow.analytics import frames
from salesflow.cli._emit import FISCAL_YEAR_START, FORMAT, HTML, build, calendar_from, emit
from salesflow.cli._output import Output
from salesflow.cli._priorities import TOP_OPTION, Fits, given_fit
from salesflow.cli._processes import load_process
from salesflow.cli._report import Report, inspect, mapping_for
from salesflow.datasets import synthetic

DEMO_FIT = (
    "the synthetic data's own, drawn uniformly in 0..1 with no effect on these deals' odds "
    "(fit_effect=0, so the deals are those drawn without a fit): it shows how fit reorders the "
    "list, not that fit predicts winning"
)

__all__ = ["demo"]


@click.command("demo")
@click.option(
    "--process",
    "process_name",
    default="salesforce",
    show_default=True,
    help="The preset (or process file) the deals follow; it needs a lost stage.",
)
@click.option("--deals", default=400, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--seed", default=2026, show_default=True, type=int, help="Same seed, same data.")
@TOP_OPTION
@FISCAL_YEAR_START
@FORMAT
@HTML
@click.pass_obj
def demo(
    out: Output,
    process_name: str,
    deals: int,
    seed: int,
    top: int,
    fiscal_year_start: int,
    calendar_file: str | None,
    fmt: str,
    html: Path | None,
    html_static: Path | None,
) -> None:
    """Inspect a synthetic pipeline: a year of deals with history and activities.

    The deals are drawn by salesflow.datasets.synthetic through the real stage
    engine (seeded: the same options give the same report). The report: the
    pipeline by forecast category, the bridge over the last week, the funnel,
    the win rate, at-risk deals with reasons, the open deals to focus on first
    (amount × win chance × the synthetic fit), the open pipeline by the buyer's
    buying phase, a Monte Carlo forecast of the quarter's closed-won revenue, and
    each rep's and team's attainment against a synthetic target with the chance
    of reaching it.
    """
    process = load_process(process_name)
    if not process.lost_stages:
        raise click.UsageError(
            f"the demo draws lost deals too, and {process.name!r} has no lost stage "
            "(Odoo archives lost leads instead of moving them to a stage); "
            "give a process with one, e.g. --process salesforce"
        )
    mapping = mapping_for(process)
    calendar = calendar_from(fiscal_year_start, calendar_file)

    def make(step: Callable[[str], None]) -> Report:
        step("generating deals")
        data = synthetic(process, deals, seed=seed, fit_effect=0)
        fits = {deal: given_fit(score, "the synthetic fit") for deal, score in data.fit.items()}
        tables = frames(data.opportunities, data.activities, process=process)
        return inspect(
            tables,
            as_of=data.as_of,
            title=f"Pipeline inspection: {deals} synthetic deals on {process.name} (seed {seed})",
            mapping=mapping,
            seed=seed,
            calendar=calendar,
            targets=data.targets(calendar.period_of(data.as_of.date())),
            hierarchy=data.teams,
            fits=Fits(by_id=fits, source=DEMO_FIT),
            top=top,
            step=step,
        )

    report = build(out, 12, make)
    emit(out, report, fmt, html, html_static)
