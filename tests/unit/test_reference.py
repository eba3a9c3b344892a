"""Reference codes survive what banks do to memos; typos are caught by the check character."""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from marketplace.payments import reference
from marketplace.payments.providers.sandbox import mangle_memo


def test_codes_are_short_and_unambiguous():
    for _ in range(200):
        code = reference.new_code("order")
        assert len(code) == 9 and code.startswith("DH") and reference.is_valid(code)
        assert not set(code) & set("01IO")
    assert reference.new_code("fee").startswith("PF")


@settings(max_examples=300, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    extra=st.sampled_from(["", " Cho OCOP", " thanh toan don hang", "-tra"]),
)
def test_mangled_memos_still_name_the_code(seed, extra):
    code = reference.new_code("order")
    memo = mangle_memo(code + extra, random.Random(seed))
    valid, _broken = reference.codes_in_memo(memo)
    assert valid == [code], memo


@given(st.data())
def test_every_single_character_typo_is_detected(data):
    code = reference.new_code("order")
    position = data.draw(st.integers(2, 8))
    replacement = data.draw(st.sampled_from([c for c in reference.ALPHABET if c != code[position]]))
    typo = code[:position] + replacement + code[position + 1 :]
    assert not reference.is_valid(typo)
    valid, broken = reference.codes_in_memo(f"IBFT {typo} chuyen tien")
    assert valid == [] and typo in broken


def test_hyphens_spaces_and_case_do_not_matter():
    code = reference.new_code("order")
    spaced = f"{code[:2]}-{code[2:5]} {code[5:].lower()}"
    assert reference.codes_in_memo(f"MBVCB.123.{spaced}.CT tu 0123")[0] == [code]


def test_a_code_inside_one_word_beats_one_read_across_words():
    # Found by hypothesis: "…OCOP FT2493661156643" (a bank's transaction number) reads, once
    # the space is dropped, as PFT249366: a well-formed fee code.
    assert reference.is_valid("DHQMWRGXJ") and reference.is_valid("PFT249366")
    valid, _ = reference.codes_in_memo("DHQMWRGXJ Cho OCOP FT2493661156643")
    assert valid == ["DHQMWRGXJ"]
    code = reference.new_code("order")
    split = f"CK {code[:4]} {code[4:]} tu VCB"  # a bank that wraps the memo mid-code
    assert reference.codes_in_memo(split)[0] == [code]
