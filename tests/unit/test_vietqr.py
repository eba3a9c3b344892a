import contextlib
import json
import string
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.core.errors import ValidationError
from marketplace.payments.qr_cli import qr
from marketplace.payments.vietqr import (
    GUID,
    VietQR,
    VietQRError,
    banks,
    build,
    crc16_ccitt_false,
    fold_purpose,
    parse,
    purpose_text,
)

VECTORS = json.loads(
    (Path(__file__).parent.parent / "data" / "vietqr_vectors.json").read_text(encoding="utf-8")
)
CONFORMING = [
    v for v in VECTORS if not v["conformance_issues"] and not v.get("structurally_malformed")
]
NON_CONFORMING = [v for v in VECTORS if v not in CONFORMING]
BANK_OF = {
    "970403": "Sacombank",
    "970415": "VietinBank",
    "970416": "ACB",
    "970422": "MB Bank",
    "970423": "TPBank",
    "970436": "Vietcombank",
}
# build() reproduces these byte for byte.
REPRODUCED = {"4F52", "9E6F", "CBB4", "AC13", "A2DC"}
# These carry a lower-case purpose; build() upper-cases purposes (house folding), so it
# reproduces them byte for byte once the purpose is upper-cased and the CRC recomputed.
UPPER_CASED = {"2E2E", "A203", "C15C", "722F", "E5DB", "70FA", "B872"}
# Valid, but with layout build() never emits; parse(build(same fields)) is checked instead.
NOT_BUILDABLE = {
    "37D6": "bill number in 62.07 (terminal label), which build() does not write",
    "BBFB": "bill number in 62.07 (terminal label), which build() does not write",
    "FCE9": "root tags out of ascending order (53, 58 before 38)",
    "2656": "Odoo adds 52 (MCC), 59 (merchant name) and 60 (merchant city)",
    "E1C2": "Odoo adds 52 (MCC), 59 (merchant name) and 60 (merchant city)",
}
# Every non-conforming vector is rejected; the fragment pins the reason.
REJECTED = {
    "F4E5": "tag 38.01: truncated TLV header at position 26",  # spec typo: 38.01.01 length 12
    "A289": "purpose (62.08) must be 1-25 printable ASCII characters, found 94",
    "4A57": "point of initiation 11 (static) but the payload carries an amount",
}
# From /work/shared/data/payment_vectors.json, entries whose scheme starts with "VietQR".
ODOO = {
    "vietqr-odoo-1": "00020101021238590010A0000007270129000697042201156607040600001290208QRIBFTTA"
    "52040000530370454031005802VN5914company_1_data6007Vietnam62150811INVTEST000163042656",
    "vietqr-odoo-2": "00020101021238590010A0000007270129000697042201156607040600001290208QRIBFTTA"
    "52040000530370454031005802VN5914aAeEoOiIuUyYdD6007Vietnam62150811INVTEST00026304E1C2",
}
PAYOS_SAMPLE = (
    "00020101021238570010A000000727012700069704220113113366668888020899998888"
    "530370454061000005802VN62230819THANH TOAN DON HANG6304BE36"
)


def tlv(tag, value):
    return f"{tag}{len(value):02d}{value}"


def seal(body):
    body += "6304"
    return body + crc16_ccitt_false(body)


def expected(vector):
    f = vector["fields"]
    return VietQR(
        bin=f["bin"],
        bank=BANK_OF[f["bin"]],
        account=f["account"],
        service=f["service"],
        amount=int(f["amount"]) if "amount" in f else None,
        purpose=f.get("purpose"),
        bill_number=f.get("bill_number"),
        point_of_initiation={"11": "static", "12": "dynamic"}[f["init"]],
        crc=vector["crc"],
    )


def build_args(vector):
    f = vector["fields"]
    amount = int(f["amount"]) if "amount" in f else None
    keywords = {"service": f["service"], "bill_number": f.get("bill_number")}
    return (f["bin"], f["account"], amount, f.get("purpose")), keywords


def test_crc16_ccitt_false_check_value():
    assert crc16_ccitt_false("123456789") == "29B1"
    assert crc16_ccitt_false("") == "FFFF"


def test_every_vector_is_classified():
    crcs = {v["crc"] for v in CONFORMING}
    assert crcs == REPRODUCED | UPPER_CASED | set(NOT_BUILDABLE)
    assert {v["crc"] for v in NON_CONFORMING} == set(REJECTED)


@pytest.mark.parametrize("vector", CONFORMING, ids=lambda v: v["crc"])
def test_conforming_vector_parses_to_its_fields(vector):
    assert parse(vector["payload"]) == expected(vector)


@pytest.mark.parametrize("vector", CONFORMING, ids=lambda v: v["crc"])
def test_build_reproduces_conforming_vector(vector):
    args, keywords = build_args(vector)
    payload = build(*args, **keywords)
    if vector["crc"] in REPRODUCED:
        assert payload == vector["payload"]
    elif vector["crc"] in UPPER_CASED:
        purpose = vector["fields"]["purpose"]
        assert payload == seal(vector["payload"][:-8].replace(purpose, purpose.upper()))
    else:
        want = expected(vector)
        got = parse(payload)
        assert got.purpose == fold_purpose(want.purpose)
        assert (got.bin, got.account, got.amount, got.service, got.point_of_initiation) == (
            want.bin,
            want.account,
            want.amount,
            want.service,
            want.point_of_initiation,
        )


@pytest.mark.parametrize("vector", NON_CONFORMING, ids=lambda v: v["crc"])
def test_non_conforming_vector_is_rejected(vector):
    assert vector["crc_verified"]  # the CRC is right: rejection is for the stated issue
    with pytest.raises(VietQRError) as err:
        parse(vector["payload"])
    assert REJECTED[vector["crc"]] in str(err.value)


def test_napas_static_typo_corrected_is_vector_9e6f():
    typo = next(v["payload"] for v in VECTORS if v["crc"] == "F4E5")
    fixed = seal(typo[:-8].replace("01120011", "01130011"))
    assert fixed == next(v["payload"] for v in VECTORS if v["crc"] == "9E6F")


def test_napas_dynamic_card_headline_erratum_fails_crc():
    card = next(v["payload"] for v in VECTORS if v["crc"] == "4F52")
    with pytest.raises(VietQRError, match="CRC mismatch: expected 4F52, found A203"):
        parse(card[:-4] + "A203")


@pytest.mark.parametrize("name", sorted(ODOO))
def test_payment_vectors_odoo_parse(name):
    qr_ = parse(ODOO[name])
    assert qr_.to_dict() == {
        "bin": "970422",
        "bank": "MB Bank",
        "account": "660704060000129",
        "service": "QRIBFTTA",
        "amount": 100,
        "purpose": "INVTEST0001" if name.endswith("1") else "INVTEST0002",
        "point_of_initiation": "dynamic",
        "crc": ODOO[name][-4:],
    }


def test_payment_vector_payos_sample_is_rejected():
    # Published as illustrative only: 38 declares 57 characters but holds 56, 38.01.01
    # declares 13 for a 12-digit account, 38.02 is not a NAPAS service, and the CRC is wrong.
    assert crc16_ccitt_false(PAYOS_SAMPLE[:-4]) == "2FD8"
    with pytest.raises(VietQRError, match="malformed TLV"):
        parse(PAYOS_SAMPLE)


# --- hand-made payloads -------------------------------------------------------------------


def merchant(guid=GUID, bin_="970436", account="0011001932418", service="QRIBFTTA"):
    beneficiary = "".join(tlv(t, v) for t, v in (("00", bin_), ("01", account)) if v)
    parts = (("00", guid), ("01", beneficiary), ("02", service))
    return "".join(tlv(t, v) for t, v in parts if v)


def payload(**changes):
    fields = {"00": "01", "01": "12", "38": merchant(), "53": "704", "54": "150000", "58": "VN"}
    fields |= {k.lstrip("t"): v for k, v in changes.items()}
    return seal("".join(tlv(t, v) for t, v in fields.items() if v is not None))


VALID = payload()
DUP_ACCOUNT = tlv("00", GUID) + tlv(
    "01", tlv("00", "970436") + tlv("01", "1234") + tlv("01", "999")
)


def test_hand_made_payload_is_valid():
    assert parse(VALID).to_dict() == {
        "bin": "970436",
        "bank": "Vietcombank",
        "account": "0011001932418",
        "service": "QRIBFTTA",
        "amount": 150000,
        "purpose": None,
        "point_of_initiation": "dynamic",
        "crc": VALID[-4:],
    }
    assert build("970436", "0011001932418", 150000) == VALID


def test_lower_case_crc_is_accepted_and_kept_as_found():
    assert parse(VALID[:-4] + VALID[-4:].lower()).crc == VALID[-4:].lower()


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (payload(t38=merchant(guid="A000000728")), "wrong GUID in 38 (tag 00)"),
        (payload(t38=merchant(guid="")), "missing GUID in 38 (tag 00)"),
        (payload(t38=merchant(bin_="123456")), "BIN (38.01.00) 123456 is not a known bank"),
        (payload(t38=merchant(bin_="97043")), "BIN (38.01.00) must be 6 digits"),
        (payload(t38=merchant(bin_="")), "missing BIN in 38.01 (tag 00)"),
        (payload(t38=merchant(account="")), "missing account in 38.01 (tag 01)"),
        (payload(t38=merchant(account="0011-00193")), "account (38.01.01) must be 1-19"),
        (payload(t38=merchant(account="1" * 20)), "account (38.01.01) must be 1-19"),
        (payload(t38=merchant(service="")), "missing service in 38 (tag 02)"),
        (payload(t38=merchant(service="QRIBFTTX")), "service (38.02) must be QRIBFTTA"),
        (payload(t38=merchant() + "0002AB"), "tag 38: duplicate tag 00"),
        (payload(t38=DUP_ACCOUNT), "tag 38.01: duplicate tag 01"),
        (payload(t00="02"), "wrong payload format (tag 00): expected 01"),
        (payload(t01=None), "missing point of initiation (tag 01)"),
        (payload(t01="13"), "point of initiation (tag 01) must be 11 or 12"),
        (payload(t38=None), "missing merchant account (NAPAS) (tag 38)"),
        (payload(t53="840"), "wrong currency (tag 53): expected 704, found '840'"),
        (payload(t53=None), "missing currency (tag 53)"),
        (payload(t58="US"), "wrong country (tag 58): expected VN"),
        (payload(t58=None), "missing country (tag 58)"),
        (payload(t54="0"), "amount (tag 54) must be 1-13 digits"),
        (payload(t54="0150000"), "without a leading zero"),
        (payload(t54="1500.00"), "amount (tag 54) must be 1-13 digits"),
        (payload(t54="-150000"), "amount (tag 54) must be 1-13 digits"),
        (payload(t54="1" * 14), "amount (tag 54) must be 1-13 digits"),
        (payload(t54="١٥٠"), "amount (tag 54) must be 1-13 digits"),  # Arabic-Indic digits
        (payload(t54=None), "point of initiation 12 (dynamic) but the payload has no amount"),
        (payload(t01="11"), "point of initiation 11 (static) but the payload carries"),
        (payload(t62=tlv("08", "A" * 26)), "purpose (62.08) must be 1-25"),
        (payload(t62=tlv("08", "Trà xanh")), "purpose (62.08) must be 1-25 printable ASCII"),
        (payload(t62=tlv("01", "B" * 26)), "bill number (62.01) must be 1-25"),
        (payload(t62=tlv("08", "A") + tlv("08", "B")), "tag 62: duplicate tag 08"),
        (payload(t62="0801"), "tag 62: truncated TLV, tag 08 declares length 01 but only 0"),
        (payload(t62="08"), "tag 62: truncated TLV header at position 0"),
        (payload(t62="0800A"), "tag 62: tag 08 has an empty value (length 00)"),
        (payload(t62="A801X"), "tag 62: malformed TLV, non-digit tag 'A8'"),
        (payload(t62="081XAB"), "tag 62: malformed TLV, non-digit length '1X' for tag 08"),
        (seal("000201" + VALID[6:-8] + "5802VN"), "payload: duplicate tag 58"),
        (seal(VALID[6:-8]), "payload must start with tag 00 (payload format), found 01"),
        (VALID[:-8], "missing CRC (tag 63)"),
        (VALID + "X", "trailing data after the CRC (tag 63) at position"),
        (VALID + VALID, "trailing data after the CRC (tag 63) at position"),
        (VALID[:-8] + "6305ABCDE", "CRC (tag 63) must be 4 hex digits"),
        (VALID[:-4] + "G000", "CRC (tag 63) must be 4 hex digits"),
        (VALID[:-1], "payload: truncated TLV, tag 63 declares length 04 but only 3"),
        (VALID[:-4] + "0000", "CRC mismatch: expected " + VALID[-4:] + ", found 0000"),
        ("", "payload is empty"),
        ("0002\ud80001", "payload is not valid Unicode text at position 4"),
        ("0002010x12ab", "payload: malformed TLV, non-digit tag '0x' at position 6"),
    ],
)
def test_invalid_payload_is_rejected_with_reason(bad, message):
    with pytest.raises(VietQRError) as err:
        parse(bad)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("value", [None, b"000201", 42])
def test_parse_rejects_non_text(value):
    with pytest.raises(VietQRError, match="payload must be text"):
        parse(value)


def test_error_is_a_value_error_and_an_app_validation_error():
    with pytest.raises(ValueError) as err:
        parse("junk")
    assert isinstance(err.value, ValidationError)
    assert err.value.to_dict()["error"]["code"] == "vietqr_invalid"


# --- build --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "keywords", "message"),
    [
        (("123456", "0011001932418"), {}, "BIN 123456 is not a known bank"),
        (("97043", "0011001932418"), {}, "BIN must be 6 digits, found '97043'"),
        ((970436, "0011001932418"), {}, "BIN must be 6 digits, found int"),
        (("970436", ""), {}, "account must be 1-19 characters"),
        (("970436", "1" * 20), {}, "account must be 1-19 characters"),
        (("970436", "0011 0019"), {}, "account must be 1-19 characters"),
        (("970436", "１２３"), {}, "account must be 1-19 characters"),  # full-width digits
        (("970436", "0011001932418", 0), {}, "amount must be positive, found 0"),
        (("970436", "0011001932418", -5), {}, "amount must be positive, found -5"),
        (("970436", "0011001932418", True), {}, "amount must be a whole number of dong"),
        (("970436", "0011001932418", 1.5), {}, "amount must be a whole number of dong"),
        (("970436", "0011001932418", "150000"), {}, "amount must be a whole number of dong"),
        (("970436", "0011001932418", 10**13), {}, "amount must be at most 13 digits"),
        (("970436", "0011001932418", 1, "x" * 26), {}, "purpose is 26 characters after"),
        (("970436", "0011001932418", 1, "!!! ---"), {}, "purpose has no letters or digits"),
        (("970436", "0011001932418"), {"service": "QRIBFTTX"}, "service must be QRIBFTTA"),
        (("970436", "0011001932418"), {"bill_number": "B" * 26}, "bill number (62.01)"),
        (("970436", "0011001932418"), {"bill_number": "Số 1"}, "bill number (62.01)"),
    ],
)
def test_build_rejects(args, keywords, message):
    with pytest.raises(VietQRError) as err:
        build(*args, **keywords)
    assert message in str(err.value)


def test_build_folds_purpose_and_keeps_largest_amount():
    qr_ = parse(build("970436", "0011001932418", 10**13 - 1, "Đơn hàng: #12 – Chè"))
    assert (qr_.amount, qr_.purpose) == (9_999_999_999_999, "DON HANG 12 CHE")


def test_build_static_and_card():
    qr_ = parse(build("970403", "9704031101234567", service="QRIBFTTC", bill_number="NPS6869"))
    assert (qr_.point_of_initiation, qr_.service, qr_.bill_number) == (
        "static",
        "QRIBFTTC",
        "NPS6869",
    )


def test_banks_reads_csv_once_and_prefers_the_transferring_row_for_shared_bins():
    assert banks() is banks()
    assert banks()["970406"] == "Vikki Bank"  # DongA Bank (receive-only) shares the BIN
    assert len(banks()) == 66 and all(len(b) == 6 and b.isdigit() for b in banks())


# --- purpose_text -------------------------------------------------------------------------


def test_purpose_text_puts_reference_first_and_cuts_only_the_extra():
    text = purpose_text("DH7KX2MQ9", "Hợp tác xã Chè Tân Cương Thái Nguyên")
    assert text == "DH7KX2MQ9 HOP TAC XA CHE"
    assert purpose_text("dh-7kx2mq9") == "DH 7KX2MQ9"
    assert purpose_text("R" * 25, "anything") == "R" * 25
    assert purpose_text("Đơn", "ß ＡＢＣ İstanbul") == "DON SS ABC ISTANBUL"


@pytest.mark.parametrize(("reference", "message"), [("R" * 26, "26 characters"), ("--", "no")])
def test_purpose_text_rejects_a_reference_that_cannot_fit(reference, message):
    with pytest.raises(VietQRError, match=message):
        purpose_text(reference)


@given(st.text(min_size=1), st.text())
def test_purpose_text_always_fits_and_keeps_the_reference(reference, extra):
    ref = fold_purpose(reference)
    if not 1 <= len(ref) <= 25:
        with pytest.raises(VietQRError):
            purpose_text(reference, extra)
        return
    text = purpose_text(reference, extra)
    assert text.startswith(ref) and len(text) <= 25
    assert text == " ".join(text.split()) and set(text) <= set(
        string.ascii_uppercase + "0123456789 "
    )
    assert parse(build("970436", "0011001932418", 1000, text)).purpose == text


# --- properties ---------------------------------------------------------------------------

ALNUM = string.ascii_letters + string.digits
PRINTABLE = "".join(chr(c) for c in range(0x20, 0x7F))
words = st.text(alphabet=string.ascii_uppercase + string.digits, min_size=1, max_size=8)
purposes = st.none() | st.lists(words, min_size=1, max_size=5).map(" ".join).filter(
    lambda p: len(p) <= 25
)
valid_fields = st.fixed_dictionaries(
    {
        "bin": st.sampled_from(sorted(banks())),
        "account": st.text(alphabet=ALNUM, min_size=1, max_size=19),
        "amount": st.none() | st.integers(1, 10**13 - 1),
        "purpose": purposes,
        "service": st.sampled_from(["QRIBFTTA", "QRIBFTTC"]),
        "bill_number": st.none() | st.text(alphabet=PRINTABLE, min_size=1, max_size=25),
    }
)


def build_from(fields):
    return build(
        fields["bin"],
        fields["account"],
        fields["amount"],
        fields["purpose"],
        service=fields["service"],
        bill_number=fields["bill_number"],
    )


@given(valid_fields)
def test_parse_build_round_trip(fields):
    payload = build_from(fields)
    qr_ = parse(payload)
    for name in ("bin", "account", "amount", "purpose", "service", "bill_number"):
        assert getattr(qr_, name) == fields[name]
    assert qr_.bank == banks()[fields["bin"]]
    assert qr_.point_of_initiation == ("static" if fields["amount"] is None else "dynamic")
    assert qr_.crc == payload[-4:]


@given(valid_fields, st.text(max_size=40))
def test_build_folds_any_purpose_or_rejects_it(fields, purpose):
    try:
        payload = build(fields["bin"], fields["account"], fields["amount"], purpose)
    except VietQRError:
        assert not 1 <= len(fold_purpose(purpose)) <= 25
        return
    assert parse(payload).purpose == fold_purpose(purpose)


any_char = st.sampled_from(PRINTABLE) | st.characters(exclude_categories=())


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(valid_fields, st.data())
def test_single_character_mutation_is_rejected_or_parses_differently(fields, data):
    original = build_from(fields)
    at = data.draw(st.integers(0, len(original) - 1))
    kind = data.draw(st.sampled_from(["replace", "delete", "insert"]))
    ch = data.draw(any_char)
    tail = original[at + 1 :] if kind != "insert" else original[at:]
    mutated = original[:at] + ("" if kind == "delete" else ch) + tail
    if mutated == original:
        return
    try:
        result = parse(mutated)
    except VietQRError:
        return
    assert result != parse(original)


@given(st.text(st.characters(exclude_categories=())))
def test_random_text_raises_only_vietqr_error(text):
    with contextlib.suppress(VietQRError):
        parse(text)


leaf = st.text(alphabet=PRINTABLE, min_size=1, max_size=30)
wild = (
    st.none()
    | leaf
    | st.lists(
        st.tuples(st.sampled_from(["00", "01", "02", "08", "07", "99"]), leaf), max_size=3
    ).map(lambda kv: "".join(tlv(t, v) for t, v in kv) or "X")
)


FIELDS = ["00", "01", "38", "38.00", "38.01", "38.01.00", "38.01.01", "38.02", "53", "54", "58"]


@st.composite
def sealed_variants(draw):
    """A payload with a good CRC where at most two fields are wild and the order may vary."""
    broken = draw(st.sets(st.sampled_from(FIELDS), max_size=2))

    def pick(name, valid):
        return draw(wild) if name in broken else valid

    def join(fields):
        return "".join(tlv(t, v) for t, v in fields if v and len(v) <= 99)

    amount = draw(st.none() | st.integers(1, 10**13 - 1).map(str))
    beneficiary = join([("00", pick("38.01.00", "970436")), ("01", pick("38.01.01", "0011"))])
    mai = [("00", pick("38.00", GUID)), ("01", pick("38.01", beneficiary))]
    extra = join([("01", draw(st.none() | leaf)), ("08", draw(st.none() | leaf))])
    root = [
        ("01", pick("01", "11" if amount is None else "12")),
        ("38", pick("38", join([*mai, ("02", pick("38.02", "QRIBFTTC"))]))),
        ("53", pick("53", "704")),
        ("54", pick("54", amount)),
        ("58", pick("58", "VN")),
        ("62", extra),
    ]
    root = draw(st.permutations([(t, v) for t, v in root if v and len(v) <= 99]))
    return seal(tlv("00", pick("00", "01") or "01") + join(root))


@settings(max_examples=400)
@given(sealed_variants())
def test_tlv_shaped_payloads_with_a_good_crc_raise_only_vietqr_error(text):
    try:
        qr_ = parse(text)
    except VietQRError:
        return
    assert qr_.bin in banks() and (qr_.amount is None) == (qr_.point_of_initiation == "static")


# --- CLI ----------------------------------------------------------------------------------


def test_cli_build_prints_the_payload():
    args = ["build", "--bin", "970436", "--account", "0011001932418", "--amount", "150000"]
    result = CliRunner().invoke(qr, [*args, "--purpose", "Đơn DH7KX2MQ9"])
    assert result.exit_code == 0, result.output
    assert result.stdout == build("970436", "0011001932418", 150000, "DON DH7KX2MQ9") + "\n"


def test_cli_build_rejects_bad_input_on_stderr():
    result = CliRunner().invoke(qr, ["build", "--bin", "123456", "--account", "1"])
    assert result.exit_code == 1
    assert result.stderr == "invalid VietQR: BIN 123456 is not a known bank (banks.csv)\n"
    assert result.stdout == ""


def test_cli_parse_prints_json():
    vector = next(v for v in VECTORS if v["crc"] == "C15C")
    result = CliRunner().invoke(qr, ["parse", vector["payload"]])
    assert result.exit_code == 0, result.output
    assert list(json.loads(result.stdout)) == [
        "bin",
        "bank",
        "account",
        "service",
        "amount",
        "purpose",
        "point_of_initiation",
        "crc",
    ]
    fields = expected(vector).to_dict()
    assert result.stdout == json.dumps(fields, ensure_ascii=False, indent=2) + "\n"


def test_cli_parse_invalid_exits_non_zero_with_one_line_reason():
    result = CliRunner().invoke(qr, ["parse", VALID[:-4] + "0000"])
    assert result.exit_code == 1
    want = f"invalid VietQR: CRC mismatch: expected {VALID[-4:]}, found 0000\n"
    assert result.stderr == want
    assert result.stdout == ""
