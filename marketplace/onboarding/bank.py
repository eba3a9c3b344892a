"""Step 3, the bank account: a bank picked by name or BIN, the number, the holder in capitals
without accents, and a person's check through the account's own VietQR (no amount): any bank
app that scans it shows the holder's name."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.accounts.models import User
from marketplace.core.errors import ValidationError
from marketplace.core.text import tokens
from marketplace.payments import vietqr
from producers import validation
from producers.models import Bank, Producer

from .forms import BankForm, FormErrors
from .services import record, refresh_status


def holder_name(value: str) -> str:
    """An account holder name as banks print it: capitals without accents."""
    return " ".join(tokens(value)).upper()[:120]


def banks(session: Session) -> list[Bank]:
    """Banks that receive VietQR transfers, by name."""
    rows = session.scalars(select(Bank).order_by(Bank.short_name)).all()
    return [b for b in rows if b.receives_transfers and b.bin in vietqr.banks()]


def update_bank(
    session: Session, actor: User, producer: Producer, data: BankForm, today: date
) -> None:
    """Bank, account number and holder; any change needs a new verification."""
    errors: dict[str, str] = {}
    known = {b.bin for b in banks(session)}
    if data.bank_bin.strip() not in known:
        errors["bank_bin"] = "Chọn ngân hàng trong danh sách (tìm theo tên hoặc mã BIN)."
    account = ""
    try:
        account = validation.bank_account(data.bank_account)
    except ValidationError as exc:
        errors["bank_account"] = exc.message
    holder = holder_name(data.bank_account_name)
    if not holder:
        errors["bank_account_name"] = "Vui lòng nhập tên chủ tài khoản."
    if errors:
        raise FormErrors(errors)
    new = (data.bank_bin.strip(), account, holder)
    if new != (producer.bank_bin, producer.bank_account, producer.bank_account_name):
        producer.bank_bin, producer.bank_account, producer.bank_account_name = new
        producer.bank_verified_at = None
        producer.bank_verified_by_user_id = None
    session.flush()
    record(session, actor, "bank", producer, {"bin": new[0], "account": account, "holder": holder})
    refresh_status(session, producer, today)


def bank_qr_payload(producer: Producer) -> str | None:
    """The account's static VietQR (no amount): any bank app shows the holder's name."""
    if not (producer.bank_bin and producer.bank_account):
        return None
    return vietqr.build(producer.bank_bin, producer.bank_account)


def verify_bank(
    session: Session, actor: User, producer: Producer, confirmed: bool, now: datetime, today: date
) -> None:
    """The helper scanned the QR and saw the holder name match: record who and when."""
    if not producer.bank_account:
        raise FormErrors({"bank_account": "Nhập tài khoản ngân hàng trước khi xác minh."})
    if not confirmed:
        raise FormErrors(
            {"verified": "Đánh dấu ô xác nhận sau khi quét mã và thấy đúng tên chủ tài khoản."}
        )
    producer.bank_verified_at = now
    producer.bank_verified_by_user_id = actor.id
    session.flush()
    record(session, actor, "bank_verified", producer, {"account": producer.bank_account})
    refresh_status(session, producer, today)
