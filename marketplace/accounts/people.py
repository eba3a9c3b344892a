"""Managing people: who may manage whom, the lists they see, switching a login off or on."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.core.errors import NotFound, ValidationError

from . import scope
from .models import AuditLog, Role, User, UserScope
from .services import add_scopes, audit, create_user


def may_manage(actor: User) -> bool:
    """Admins, onboarders (invite producers' people) and producer owners (their members)."""
    return actor.role in (Role.ADMIN, Role.ONBOARDER) or actor.is_producer_owner


def visible_users(session: Session, actor: User) -> list[User]:
    """Everyone for an admin; a producer's people for its owner; producers' people in an
    onboarder's area."""
    query = select(User).order_by(User.role, User.email)
    if actor.role == Role.ADMIN:
        return list(session.scalars(query.limit(500)))
    if actor.role == Role.PRODUCER:
        return list(session.scalars(query.where(User.producer_id == actor.producer_id)))
    if actor.role == Role.ONBOARDER:
        ids = [p.id for p in scope.visible_producers(session, actor)]
        return list(session.scalars(query.where(User.producer_id.in_(ids)))) if ids else []
    return []


def scopes_by_user(session: Session, user_ids: list[int]) -> dict[int, list[UserScope]]:
    """Each user's scopes, for lists."""
    out: dict[int, list[UserScope]] = {}
    if user_ids:
        for row in session.scalars(select(UserScope).where(UserScope.user_id.in_(user_ids))):
            out.setdefault(row.user_id, []).append(row)
    return out


def set_active(session: Session, actor: User, user_id: int, active: bool) -> User:
    """Switch a login off or back on (admins: anyone but themselves; owners: their members)."""
    user = session.get(User, user_id)
    if user is None or user not in visible_users(session, actor) or actor.role == Role.ONBOARDER:
        raise NotFound("Không tìm thấy tài khoản này. Tải lại trang Người dùng.")
    if user.id == actor.id:
        raise ValidationError(
            "Bạn không thể tự khoá tài khoản của mình. Nhờ một quản trị viên khác khoá nếu cần.",
            param="user",
        )
    if actor.role == Role.PRODUCER and user.producer_role != "member":
        raise NotFound("Không tìm thấy tài khoản này. Tải lại trang Người dùng.")
    user.active = active
    audit(
        session,
        actor=actor.email,
        actor_user_id=actor.id,
        action="user.activate" if active else "user.deactivate",
        object_type="user",
        object_id=user.id,
        on_behalf_of_producer_id=user.producer_id,
    )
    return user


def audit_rows(session: Session, producer_id: int | None, limit: int = 200) -> list[AuditLog]:
    """The newest audit rows, optionally only those done for one producer."""
    query = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
    if producer_id is not None:
        query = query.where(AuditLog.on_behalf_of_producer_id == producer_id)
    return list(session.scalars(query))


def create_login(
    session: Session,
    actor: User,
    *,
    scopes: list[dict[str, str]],
    **fields: object,
) -> User:
    """An admin creates a login directly (role, producer, scopes), audited."""
    if actor.role != Role.ADMIN:
        raise NotFound("Không có trang này.")
    role = fields.get("role")
    if role in (Role.STAFF, Role.ONBOARDER) and not scopes:
        raise ValidationError("Chọn địa bàn (tỉnh hoặc xã) cho tài khoản này.", param="scope")
    user = create_user(session, **fields)  # type: ignore[arg-type]
    add_scopes(session, user, scopes)
    audit(
        session,
        actor=actor.email,
        actor_user_id=actor.id,
        action="user.create",
        object_type="user",
        object_id=user.id,
        detail={"role": user.role, "producer_role": user.producer_role, "scopes": scopes},
        on_behalf_of_producer_id=user.producer_id,
    )
    return user
