"""Money is Decimal yuan with 2 decimals, rounded half-up (四舍五入).

A typed amount is never rounded or reinterpreted: `parse_yuan` takes plain digits only
(ASCII, an optional "-", thousands commas in groups of three, at most two decimals) and
refuses everything else — "2万", "1e5", "１２３", "+5", "1_000", "NaN", "12.345" — saying why.
"""

import re
from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")

# [0-9], never \d: \d also matches full-width and other scripts' digits.
PLAIN = re.compile(r"-?(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]+)?")
WAN = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*[万萬]元?")
POINT_AT_AN_END = re.compile(r"-?(?:[0-9,]+\.|\.[0-9]+)")
FULL_WIDTH = re.compile(r"[０-９．，。－＋]")


def yuan(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def yuan_str(value: Decimal | None) -> str | None:
    return None if value is None else str(yuan(value))


class AmountTextError(ValueError):
    """Typed text that is not a plain amount: `code` says why, `params` fill its message.

    Codes: `wan` (params `number`, `yuan`: "2万" is refused, 20000.00 suggested), `full_width`,
    `incomplete` ("12." or ".5"), `max_decimal_places`, `invalid` (anything else).
    """

    def __init__(self, code: str, **params: str) -> None:
        super().__init__(code)
        self.code, self.params = code, params


def parse_yuan(text: str) -> Decimal:
    """The amount typed, exactly: blanks around it are dropped, nothing else is changed."""
    text = text.strip()
    if PLAIN.fullmatch(text):
        value = Decimal(text.replace(",", ""))
        if value.as_tuple().exponent < -2:
            raise AmountTextError("max_decimal_places")
        return value
    wan = WAN.fullmatch(text)
    if wan and (meant := Decimal(wan[1]) * 10000) == yuan(meant):
        raise AmountTextError("wan", number=wan[1], yuan=str(yuan(meant)))
    if FULL_WIDTH.search(text):
        raise AmountTextError("full_width")
    if POINT_AT_AN_END.fullmatch(text):
        raise AmountTextError("incomplete")
    raise AmountTextError("invalid")


def exact_yuan(value: Decimal | int | str) -> Decimal:
    """An amount given to a service, taken exactly to the fen: text through `parse_yuan`,
    a Decimal or int as it is. More than two decimals, NaN or Infinity raise
    `AmountTextError` (a ValueError); nothing is rounded."""
    amount = parse_yuan(value) if isinstance(value, str) else Decimal(value)
    if not amount.is_finite():
        raise AmountTextError("invalid")
    if amount != amount.quantize(FEN):
        raise AmountTextError("max_decimal_places")
    return amount.quantize(FEN)
