"""Invitations: a one-time link (and its QR code) that lets a person create their own login
with a role, scopes and producer chosen by the person who invited them.

Only the SHA-256 of the link's secret is stored. Who may invite whom:
- an admin: anyone, with any scope or producer;
- an onboarder: owners and members of producers they may act for;
- a producer owner: members of their own producer.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from marketplace.core.errors import Conflict, NotFound, ValidationError
from marketplace.core.text import clean_line
from producers.models import Producer

from . import scope
from .models import Invitation, Role, User
from .services import PRODUCER_ROLES, add_scopes, audit, check_scopes, create_user

TOKEN_BYTES = 24


def hash_token(secret: str) -> str:
    """The stored form of a link's secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class InvitationRequest:
    """What the inviter chose."""

    role: str
    producer_id: int | None = None
    producer_role: str | None = None
    scopes: tuple[tuple[str, str], ...] = ()  # ("province_code" | "commune_code", code)
    note: str = ""


def may_invite(session: Session, inviter: User, req: InvitationRequest) -> bool:
    """True when ``inviter`` may hand out this role (see the module docstring)."""
    if inviter.role == Role.ADMIN:
        return True
    if req.role != Role.PRODUCER or req.producer_id is None:
        return False
    if inviter.role == Role.ONBOARDER:
        return scope.may_act_for(session, inviter, req.producer_id)
    return (
        inviter.is_producer_owner
        and inviter.producer_id == req.producer_id
        and req.producer_role == "member"
    )


def create_invitation(
    session: Session, inviter: User, req: InvitationRequest, now: datetime, ttl: timedelta
) -> tuple[Invitation, str]:
    """Validate and store an invitation; returns it and the link's secret (shown once)."""
    if req.role not in {r.value for r in Role}:
        raise ValidationError(
            "Vai trò không hợp lệ. Chọn một vai trò trong danh sách.", param="role"
        )
    scopes = check_scopes(session, [{kind: code} for kind, code in req.scopes])
    if req.role == Role.PRODUCER:
        if req.producer_id is None or not scope.may_see(session, inviter, req.producer_id):
            raise ValidationError("Chọn chủ thể cho tài khoản này.", param="producer_id")
        if req.producer_role not in PRODUCER_ROLES:
            raise ValidationError(
                "Vai trò trong chủ thể không hợp lệ. Chọn “Tài khoản chủ” hoặc “Thành viên”.",
                param="producer_role",
            )
        if scopes:
            raise ValidationError(
                "Tài khoản chủ thể không gắn địa bàn: để trống ô tỉnh/xã.", param="scope"
            )
    elif req.role in (Role.STAFF, Role.ONBOARDER) and not scopes:
        raise ValidationError("Chọn địa bàn (tỉnh hoặc xã) cho tài khoản này.", param="scope")
    if not may_invite(session, inviter, req):
        raise ValidationError(
            "Bạn không được mời tài khoản với vai trò này. Chọn vai trò khác, hoặc nhờ quản trị viên mời.",
            param="role",
        )
    is_producer = req.role == Role.PRODUCER
    secret = secrets.token_urlsafe(TOKEN_BYTES)
    invitation = Invitation(
        token_hash=hash_token(secret),
        role=req.role,
        producer_id=req.producer_id if is_producer else None,
        producer_role=req.producer_role if is_producer else None,
        scopes=scopes,
        note=clean_line(req.note, 200),
        created_by_user_id=inviter.id,
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(invitation)
    session.flush()
    audit(
        session,
        actor=inviter.email,
        actor_user_id=inviter.id,
        action="invitation.create",
        object_type="invitation",
        object_id=invitation.id,
        detail={"role": req.role, "producer_role": invitation.producer_role, "scopes": scopes},
        on_behalf_of_producer_id=invitation.producer_id,
    )
    return invitation, secret


def find_invitation(session: Session, secret: str, now: datetime) -> Invitation:
    """The usable invitation for a link's secret; a clear Vietnamese error otherwise."""
    invitation = session.scalar(
        select(Invitation).where(Invitation.token_hash == hash_token(secret[:100]))
    )
    if invitation is None:
        raise NotFound("Liên kết mời không đúng. Hãy kiểm tra lại hoặc xin một liên kết mới.")
    if invitation.used_at is not None:
        raise Conflict(
            "Liên kết mời này đã được dùng. Nếu đó là bạn, hãy đăng nhập; nếu không, "
            "hãy xin người mời một liên kết mới.",
            code="invitation_used",
        )
    if invitation.expires_at <= now:
        raise Conflict(
            "Liên kết mời đã hết hạn. Hãy xin người mời một liên kết mới.",
            code="invitation_expired",
        )
    return invitation


def accept_invitation(
    session: Session,
    secret: str,
    *,
    name: str,
    email: str,
    phone: str,
    password: str,
    now: datetime,
) -> User:
    """Create the invited login (user + scopes) and spend the invitation, exactly once."""
    invitation = find_invitation(session, secret, now)
    user = create_user(
        session,
        email=email,
        name=name,
        password=password,
        role=invitation.role,
        producer_id=invitation.producer_id,
        phone=phone,
        producer_role=invitation.producer_role,
    )
    add_scopes(session, user, list(invitation.scopes or []))
    # a conditional UPDATE: of two simultaneous acceptances only one spends the link
    spent = session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
        .values(used_at=now, used_by_user_id=user.id)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            "Liên kết mời này đã được dùng. Nếu đó là bạn, hãy đăng nhập; nếu không, hãy xin "
            "người mời một liên kết mới.",
            code="invitation_used",
        )
    audit(
        session,
        actor=user.email,
        actor_user_id=user.id,
        action="invitation.accept",
        object_type="user",
        object_id=user.id,
        detail={"invitation_id": invitation.id, "invited_by": invitation.created_by_user_id},
        on_behalf_of_producer_id=invitation.producer_id,
    )
    return user


def revoke_invitation(session: Session, actor: User, invitation_id: int, now: datetime) -> None:
    """End an unused invitation early (its creator or an admin)."""
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or not (
        actor.role == Role.ADMIN or invitation.created_by_user_id == actor.id
    ):
        raise NotFound("Lời mời không còn (đã dùng hoặc đã huỷ). Tải lại trang Người dùng.")
    if invitation.used_at is None and invitation.expires_at > now:
        invitation.expires_at = now
        audit(
            session,
            actor=actor.email,
            actor_user_id=actor.id,
            action="invitation.revoke",
            object_type="invitation",
            object_id=invitation.id,
            on_behalf_of_producer_id=invitation.producer_id,
        )


def open_invitations(session: Session, actor: User, now: datetime) -> list[Invitation]:
    """Unused, unexpired invitations the actor made (all of them for an admin)."""
    query = select(Invitation).where(Invitation.used_at.is_(None), Invitation.expires_at > now)
    if actor.role != Role.ADMIN:
        query = query.where(Invitation.created_by_user_id == actor.id)
    return list(session.scalars(query.order_by(Invitation.id.desc()).limit(100)))


def producer_of(session: Session, invitation: Invitation) -> Producer | None:
    """The producer an invitation is for, if any."""
    return session.get(Producer, invitation.producer_id) if invitation.producer_id else None
