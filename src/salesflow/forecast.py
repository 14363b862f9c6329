"""Forecast categories and how they roll up."""

from __future__ import annotations

import enum

from salesflow.errors import shorten

__all__ = ["ForecastCategory"]


class ForecastCategory(enum.Enum):
    """Where an opportunity counts in a forecast (Salesforce's six categories).

    Values are the labels users see; :attr:`api_name` gives Salesforce's API
    value (the label "Commit" is ``Forecast`` in the API). Rollups are
    cumulative: Closed ⊂ Commit ⊂ Most Likely ⊂ Best Case ⊂ Pipeline, and
    Omitted is in none.

    >>> ForecastCategory.COMMIT.api_name
    'Forecast'
    >>> ForecastCategory.BEST_CASE.includes(ForecastCategory.CLOSED)
    True
    >>> ForecastCategory.PIPELINE.includes(ForecastCategory.OMITTED)
    False
    >>> ForecastCategory.parse("BestCase") is ForecastCategory.BEST_CASE
    True
    """

    PIPELINE = "Pipeline"
    BEST_CASE = "Best Case"
    MOST_LIKELY = "Most Likely"
    COMMIT = "Commit"
    CLOSED = "Closed"
    OMITTED = "Omitted"

    @property
    def api_name(self) -> str:
        """Salesforce's API value for this category."""
        return _API_NAMES[self]

    @property
    def rank(self) -> int | None:
        """0 for Closed up to 4 for Pipeline; ``None`` for Omitted."""
        return _RANKS.get(self)

    @property
    def rollup(self) -> tuple[ForecastCategory, ...]:
        """The categories a cumulative rollup of ``self`` counts, in declaration order.

        ``PIPELINE`` is *Open Pipeline*: every open category, never ``CLOSED``.
        ``OMITTED`` rolls up nothing.
        """
        return _ROLLUPS[self]

    def includes(self, other: ForecastCategory) -> bool:
        """Whether a cumulative rollup of ``self`` counts ``other`` (see :attr:`rollup`)."""
        return other in _ROLLUPS[self]

    @classmethod
    def parse(cls, text: str) -> ForecastCategory:
        """Read a label, an API value or a member name, ignoring case and spacing.

        Raises:
            ValueError: ``text`` names no category.
        """
        key = _normalise(text)
        try:
            return _LOOKUP[key]
        except KeyError:
            names = ", ".join(c.value for c in cls)
            raise ValueError(
                f"unknown forecast category {shorten(text)}; expected one of {names}"
            ) from None


def _normalise(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


_API_NAMES = {
    ForecastCategory.PIPELINE: "Pipeline",
    ForecastCategory.BEST_CASE: "BestCase",
    ForecastCategory.MOST_LIKELY: "MostLikely",
    ForecastCategory.COMMIT: "Forecast",
    ForecastCategory.CLOSED: "Closed",
    ForecastCategory.OMITTED: "Omitted",
}
_RANKS = {
    ForecastCategory.CLOSED: 0,
    ForecastCategory.COMMIT: 1,
    ForecastCategory.MOST_LIKELY: 2,
    ForecastCategory.BEST_CASE: 3,
    ForecastCategory.PIPELINE: 4,
}
_OPEN = (
    ForecastCategory.PIPELINE,
    ForecastCategory.BEST_CASE,
    ForecastCategory.MOST_LIKELY,
    ForecastCategory.COMMIT,
)
_ROLLUPS: dict[ForecastCategory, tuple[ForecastCategory, ...]] = {
    ForecastCategory.PIPELINE: _OPEN,
    ForecastCategory.OMITTED: (),
    **{
        category: tuple(
            c
            for c in ForecastCategory
            if c.rank is not None and category.rank is not None and c.rank <= category.rank
        )
        for category in (*_OPEN[1:], ForecastCategory.CLOSED)
    },
}
_LOOKUP: dict[str, ForecastCategory] = {}
for _category in ForecastCategory:
    for _key in (_category.value, _category.name, _API_NAMES[_category]):
        _LOOKUP[_normalise(_key)] = _category
