"""Money is Decimal yuan with 2 decimals, rounded half-up (四舍五入)."""

from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")


def yuan(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def yuan_str(value: Decimal | None) -> str | None:
    return None if value is None else str(yuan(value))
