"""The unified social credit code (统一社会信用代码), GB 32100-2015.

Every agency and enterprise is identified by one. The 18 characters are: the
registration authority (1), the organisation category (1), the administrative
division of registration (6 digits), the organisation code (9) and a check character
computed over the first 17 with weights 3^i mod 31.
"""

from typing import Annotated

from pydantic import AfterValidator, Field

from .bounded import AsciiCode

# GB 32100 drops I, O, Z, S and V so that codes cannot be misread.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_VALUE = {char: index for index, char in enumerate(ALPHABET)}


class InvalidUscc(ValueError):
    """The text is not a valid unified social credit code; the message says why."""


def check_character(first17: str) -> str:
    """The 18th character for the given first 17 characters."""
    total = sum(_VALUE[char] * weight for char, weight in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalise_uscc(text: str) -> str:
    """The code in canonical form (trimmed, upper case), or `InvalidUscc` saying why not."""
    code = text.strip().upper()
    if len(code) != 18:
        raise InvalidUscc(f"统一社会信用代码 must have 18 characters, got {len(code)}")
    illegal = sorted({char for char in code if char not in _VALUE})
    if illegal:
        raise InvalidUscc(
            f"统一社会信用代码 contains characters GB 32100 does not allow: {''.join(illegal)}"
        )
    if not code[2:8].isdigit():
        raise InvalidUscc("统一社会信用代码 characters 3–8 must be an administrative division code")
    expected = check_character(code[:17])
    if code[17] != expected:
        raise InvalidUscc(
            f"统一社会信用代码 check character is {code[17]}, expected {expected}: "
            "a character was probably mistyped"
        )
    return code


def is_valid_uscc(text: str) -> bool:
    try:
        normalise_uscc(text)
    except InvalidUscc:
        return False
    return True


Uscc = Annotated[str, AsciiCode, Field(max_length=32), AfterValidator(normalise_uscc)]
"""A pydantic field type: validates and normalises a unified social credit code."""


def complete_uscc(first17: str) -> str:
    """The full code for 17 given characters: appends the check character."""
    return first17 + check_character(first17)
