"""Deal size bands on the frame door: a ``size_band`` column from the amount, converted first."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import narwhals as nw

from salesflow.analytics.rates import Rates
from salesflow.errors import CurrencyMismatchError, Problem, ValidationError
from salesflow.money import to_decimal

__all__ = ["band_labels", "with_size_band"]


def _cuts(bands: Sequence[object]) -> list[Decimal]:
    if isinstance(bands, (str, bytes)) or not isinstance(bands, Sequence):
        raise ValidationError(
            [Problem(f"expected amounts, got {bands!r}", "$.size_bands")], subject="size bands"
        )
    cuts = [
        to_decimal(b, what="size band", path=f"$.size_bands[{i}]") for i, b in enumerate(bands)
    ]
    if cuts != sorted(set(cuts)):
        raise ValidationError(
            [Problem("size bands must increase", "$.size_bands")], subject="size bands"
        )
    return cuts


def band_labels(bands: Sequence[object]) -> list[str]:
    """The bands' labels, smallest first: ``< 10,000``, ``10,000–50,000``, ``≥ 50,000``."""
    cuts = _cuts(bands)
    labels = [f"< {cuts[0]:,}"]
    labels += [f"{lo:,}–{hi:,}" for lo, hi in itertools.pairwise(cuts)]
    return [*labels, f"≥ {cuts[-1]:,}"]


def with_size_band(
    snapshot: nw.LazyFrame[Any], bands: Sequence[object], rates: Rates | None
) -> nw.LazyFrame[Any]:
    """``snapshot`` with a ``size_band`` column (``"no amount"`` where there is none).

    Raises:
        CurrencyMismatchError: Several currencies and no rate for one of them.
        ValidationError: Bands that are not increasing amounts, or no amount column.
    """
    cuts, labels = _cuts(bands), band_labels(bands)
    names = set(snapshot.collect_schema().names())
    if "amount" not in names:
        raise ValidationError(
            [Problem("size bands need the snapshot's amount column", "$.snapshot.amount")],
            subject="size bands",
        )
    amount = nw.col("amount").cast(nw.Float64)
    if "currency" in names:
        codes = [
            c
            for c in snapshot.select("currency")
            .unique()
            .collect(backend="polars")["currency"]
            .to_list()
            if c is not None
        ]
        target = rates.currency if rates is not None else (codes[0] if codes else None)
        factor: nw.Expr = nw.lit(1.0)
        for code in codes:
            if code == target:
                continue
            if rates is None:
                raise CurrencyMismatchError(code, str(target), "band")
            rate = float(rates.rate(code))
            factor = nw.when(nw.col("currency") == code).then(nw.lit(rate)).otherwise(factor)
        amount = amount * factor
    band: nw.Expr = nw.lit(labels[-1])
    for cut, label in reversed(list(zip(cuts, labels, strict=False))):
        band = nw.when(amount < float(cut)).then(nw.lit(label)).otherwise(band)
    band = nw.when(nw.col("amount").is_null()).then(nw.lit("no amount")).otherwise(band)
    return snapshot.with_columns(band.alias("size_band"))
