import pytest

from marketplace.core.money import format_vnd, parse_vnd


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (150000, "150.000 ₫"),
        (0, "0 ₫"),
        (1200000, "1.200.000 ₫"),
        (999, "999 ₫"),
        (-5000, "-5.000 ₫"),
    ],
)
def test_format_vnd(amount, text):
    assert format_vnd(amount) == text


@pytest.mark.parametrize(
    ("text", "amount"),
    [("150.000", 150000), ("150000", 150000), ("150.000 ₫", 150000), (" ", None), (42, 42)],
)
def test_parse_vnd(text, amount):
    assert parse_vnd(text) == amount


@pytest.mark.parametrize("text", ["1,5", "-1", "abc", "1e6", "12.5.x", True, 10**13])
def test_parse_vnd_rejects(text):
    with pytest.raises(ValueError):
        parse_vnd(text)
