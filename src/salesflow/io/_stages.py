"""Resolving a source's stage names against a process, exactly.

Stage names are matched exactly, never by similarity: a name the process does
not know is refused, with a "did you mean" when one is close, unless the
caller's alias table maps it.

>>> import salesflow as sf
>>> from salesflow.io._stages import StageMap
>>> stages = StageMap(sf.presets.salesforce_standard(), aliases={"Assigned dynamically": "Prospecting"})
>>> stages.resolve("Assigned dynamically")
'Prospecting'
>>> try:
...     stages.resolve("Closed/Won")
... except ValueError as exc:
...     print(exc)
unknown stage 'Closed/Won' in process 'Salesforce standard'; did you mean 'Closed Won'? (pass an alias to map it)
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from types import MappingProxyType

import attrs

from salesflow.errors import Problem, ValidationError
from salesflow.io._values import Reject
from salesflow.process import SalesProcess

__all__ = ["StageMap"]


def _aliases(value: Mapping[str, str] | None) -> Mapping[str, str]:
    return MappingProxyType(dict(value or {}))


@attrs.frozen(repr=False)
class StageMap:
    """Resolves a source's stage names against a process.

    A name resolves when it is a stage of ``process``, a key of ``aliases``
    (the caller's explicit table, source name → stage name) or a key of
    ``api_names`` (an importer's table of a CRM's internal ids, e.g. HubSpot's
    ``closedwon``). Matching is exact: ``Closed/Won`` is not ``Closed Won``.

    Args:
        process: The process whose stages the names must resolve to.
        aliases: The caller's table, source name → stage name.
        api_names: A CRM's internal stage ids → stage name.

    Raises:
        ValidationError: An alias or API name points to a stage the process lacks.
    """

    process: SalesProcess
    aliases: Mapping[str, str] = attrs.field(factory=dict, converter=_aliases, kw_only=True)
    api_names: Mapping[str, str] = attrs.field(factory=dict, converter=_aliases, kw_only=True)

    def __attrs_post_init__(self) -> None:
        problems = []
        if not isinstance(self.process, SalesProcess):
            problems.append(
                Problem(f"expected a SalesProcess, got {type(self.process).__name__}", "$.process")
            )
        else:
            for table in ("aliases", "api_names"):
                for source, stage in getattr(self, table).items():
                    if not isinstance(source, str) or not isinstance(stage, str):
                        problems.append(
                            Problem(
                                f"expected text to text, got {source!r}: {stage!r}", f"$.{table}"
                            )
                        )
                    elif stage not in self.process:
                        problems.append(
                            Problem(
                                f"{source!r} maps to {stage!r}, which is not a stage of "
                                f"{self.process.name!r}",
                                f"$.{table}[{source!r}]",
                            )
                        )
        if problems:
            raise ValidationError(problems, subject="stage map")

    def resolve(self, name: object) -> str:
        """The process's stage name for a source's ``name``.

        Raises:
            Reject: Not text, or unknown (with a suggestion when one is close).
        """
        if not isinstance(name, str) or not name:
            raise Reject(f"expected a stage name, got {name!r}")
        if name in self.process:
            return name
        for table in (self.aliases, self.api_names):
            if name in table:
                return table[name]
        known = list(self.process.stage_names)
        by_case = {k.casefold(): k for k in known}
        close = (
            [by_case[name.casefold()]]
            if name.casefold() in by_case
            else difflib.get_close_matches(name, known, n=1, cutoff=0.75)
        )
        hint = (
            f"; did you mean {close[0]!r}?"
            if close
            else f"; its stages are {', '.join(map(repr, known))}"
        )
        raise Reject(
            f"unknown stage {name!r} in process {self.process.name!r}{hint} (pass an alias to map it)"
        )

    def __repr__(self) -> str:
        return f"StageMap({self.process.name!r}, {len(self.aliases)} aliases)"
