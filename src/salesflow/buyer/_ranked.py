"""What a ranked list of rows offers: iteration, length, indexing, one row per line."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

__all__ = ["Ranked"]

T = TypeVar("T")


class Ranked(Generic[T]):
    """Rows, best first: a subclass (an attrs class) holds them in ``rows``."""

    rows: tuple[T, ...]

    def __iter__(self) -> Iterator[T]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int) -> T:
        return self.rows[index]

    def __str__(self) -> str:
        return "\n".join(map(str, self.rows))
