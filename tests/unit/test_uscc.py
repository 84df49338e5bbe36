import pytest
from pydantic import BaseModel, ValidationError

from agencyflow.domain.uscc import InvalidUscc, Uscc, complete_uscc, is_valid_uscc, normalise_uscc

# Codes of real companies, published on their business licences.
REAL_CODES = ["91330100799655058B", "9144030071526726XG", "91110000100006485K"]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code: str) -> None:
    assert normalise_uscc(code) == code
    assert is_valid_uscc(code)


def test_lower_case_and_surrounding_spaces_are_normalised() -> None:
    assert normalise_uscc(" 9144030071526726xg ") == "9144030071526726XG"


def test_complete_uscc_appends_the_check_character() -> None:
    assert complete_uscc("91330100799655058") == "91330100799655058B"


@pytest.mark.parametrize("wrong", ["91330100799655058C", "91330100799655058A"])
def test_wrong_check_character_is_rejected_with_the_expected_one(wrong: str) -> None:
    with pytest.raises(InvalidUscc, match="expected B"):
        normalise_uscc(wrong)


def test_a_transposition_is_caught_by_the_check_character() -> None:
    assert not is_valid_uscc("91330100799655085B")


@pytest.mark.parametrize(
    ("code", "length"), [("", 0), ("91330100799655058", 17), ("91330100799655058B0", 19)]
)
def test_wrong_length_is_rejected(code: str, length: int) -> None:
    with pytest.raises(InvalidUscc, match=f"18 characters, got {length}"):
        normalise_uscc(code)


@pytest.mark.parametrize(
    ("code", "shown"),
    [
        ("9133010079965505IB", "I"),  # I, O, S, V and Z are not in GB 32100's alphabet
        ("9133010079965505OB", "O"),
        ("9133010079965505SB", "S"),
        ("9133010079965505VB", "V"),
        ("9133010079965505ZB", "Z"),
        ("91330100-99655058B", "-"),
        ("91330100７99655058B", "７"),
    ],
)
def test_illegal_characters_are_rejected_and_named(code: str, shown: str) -> None:
    with pytest.raises(InvalidUscc, match=f"does not allow: {shown}"):
        normalise_uscc(code)


def test_division_code_must_be_digits() -> None:
    with pytest.raises(InvalidUscc, match="administrative division"):
        normalise_uscc(complete_uscc("91A30100799655058"))


def test_pydantic_field_validates_and_normalises() -> None:
    class Agency(BaseModel):
        uscc: Uscc

    assert Agency(uscc="9144030071526726xg").uscc == "9144030071526726XG"
    with pytest.raises(ValidationError) as error:
        Agency(uscc="9144030071526726XA")
    assert error.value.errors()[0]["loc"] == ("uscc",)
