import pytest

from marketplace.core.errors import ValidationError
from producers import validation


@pytest.mark.parametrize("value", ["4601234567", "4601234567-001", " 0101234567 "])
def test_tax_code_accepts(value):
    assert validation.tax_code(value) == value.strip()


@pytest.mark.parametrize(
    "value", ["460123456", "46012345678", "4601234567-01", "4601234567001", "ABCDEFGHIJ", ""]
)
def test_tax_code_rejects_with_vietnamese_message(value):
    with pytest.raises(ValidationError) as err:
        validation.tax_code(value)
    assert err.value.param == "tax_code"
    assert "Mã số thuế" in err.value.message


@pytest.mark.parametrize(
    ("value", "normal"),
    [
        ("0912 345 678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("0386.123.456", "0386123456"),
        ("0208 3855 123", "02083855123"),
    ],
)
def test_phone_normalises(value, normal):
    assert validation.phone(value) == normal


@pytest.mark.parametrize(
    "value", ["091234567", "0112345678", "12345", "+1 415 555 0100", "09123456789"]
)
def test_phone_rejects(value):
    with pytest.raises(ValidationError) as err:
        validation.phone(value)
    assert err.value.param == "phone"


def test_format_phone():
    assert validation.format_phone("0912345678") == "0912 345 678"


def test_bank_account():
    assert validation.bank_account("0011 0019 32418") == "0011001932418"
    with pytest.raises(ValidationError):
        validation.bank_account("00110019324180011001")  # 20 characters
    with pytest.raises(ValidationError):
        validation.bank_account("0011-001")
