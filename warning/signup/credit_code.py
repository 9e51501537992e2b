"""The unified social credit code (统一社会信用代码) of GB 32100-2015.

Eighteen characters from a 31-character alphabet (digits and capital letters
without I, O, Z, S, V): registration authority (1), entity category (1),
administrative division (6 digits), organisation code (9) and a check
character. The check character is ``31 - (sum of value * weight mod 31)``
(31 written as ``0``) with the weights ``3**i mod 31`` for positions 0..16.
"""

from __future__ import annotations

from typing import Final

ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH: Final = 18
_VALUES: Final = {c: i for i, c in enumerate(ALPHABET)}


def normalise(code: str) -> str:
    """Upper case without spaces or hyphens (as people copy it from a licence)."""
    return "".join(code.split()).replace("-", "").upper()


def check_character(first17: str) -> str:
    """The GB 32100-2015 check character of the first 17 characters.

    Raises:
        ValueError: not 17 characters of the code's alphabet.
    """
    if len(first17) != LENGTH - 1 or any(c not in _VALUES for c in first17):
        raise ValueError(f"expected 17 characters of {ALPHABET}, got {first17!r}")
    total = sum(_VALUES[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """What is wrong with a (normalised) credit code, as a catalogue key; ``None`` if valid.

    Keys: ``code_length`` (not 18 characters), ``code_characters`` (a letter
    the code never uses, such as I, O, S, V or Z), ``code_division`` (the
    administrative division is not six digits), ``code_check`` (the last
    character is not the check character of the first 17).
    """
    if len(code) != LENGTH:
        return "code_length"
    if any(c not in _VALUES for c in code):
        return "code_characters"
    if not code[2:8].isdigit():
        return "code_division"
    if check_character(code[:17]) != code[17]:
        return "code_check"
    return None


def is_valid(code: str) -> bool:
    """Whether ``code`` is a well-formed credit code with the right check character."""
    return problem(normalise(code)) is None
