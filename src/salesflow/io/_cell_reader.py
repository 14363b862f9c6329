"""One record's cells read as typed values, each problem kept with its column."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from salesflow.errors import Problem, ValidationError, shorten
from salesflow.money import to_decimal

__all__ = ["CellReader"]


class CellReader:
    """Typed reads of one record's cells; a subclass says where a field's cell is (:meth:`column`).

    Every problem is appended to :attr:`problems` with the column's path, and
    the read gives ``None``: a record is refused once all of its cells are read.
    """

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def column(self, *names: str) -> tuple[str, str | None]:
        """The first non-empty cell among ``names`` (stripped) and its column, or a name and None."""
        raise NotImplementedError

    def _given(self, names: tuple[str, ...], *, required: bool) -> tuple[str, str | None]:
        """The cell of :meth:`column`; an empty one is a problem if ``required``."""
        column, value = self.column(*names)
        if value is None and required:
            self.problems.append(Problem("required field missing", f"$.{column}"))
        return column, value

    def text(self, *names: str) -> str | None:
        """The cell as text, or ``None`` when it is empty."""
        return self.column(*names)[1]

    def decimal(self, *names: str, required: bool = False) -> Decimal | None:
        """The cell as an exact decimal, or ``None`` (a problem if ``required`` or malformed)."""
        column, value = self._given(names, required=required)
        if value is None:
            return None
        try:
            return to_decimal(value, path=f"$.{column}")
        except ValidationError as exc:
            self.problems.extend(exc.problems)
            return None

    def day(self, *names: str, required: bool = False) -> date | None:
        """The cell's date (``YYYY-MM-DD``, or the date a timestamp starts with), or ``None``."""
        column, value = self._given(names, required=required)
        if value is None:
            return None
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            self.problems.append(
                Problem(f"expected a date (YYYY-MM-DD), got {shorten(value)}", f"$.{column}")
            )
            return None
