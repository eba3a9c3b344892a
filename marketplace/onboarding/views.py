"""Onboarding pages (/quan-ly/ho-tro): the home list, a producer's checklist, handing over, and
the first two steps (identity, address). Thin: parse, call one service, render or redirect."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from marketplace.accounts import scope
from marketplace.accounts.models import Role
from marketplace.core.clock import today
from marketplace.core.db import db, utcnow
from marketplace.core.errors import AppError
from marketplace.core.text import fold
from producers.models import Commune, Producer

from . import address as address_service
from . import handover, services
from .forms import AddressForm, IdentityForm
from .pages import (
    STEP_LABELS,
    actor,
    next_step,
    page,
    places,
    producer_or_404,
    qr_data_uri,
    refused,
)

HOME_LIMIT = 300


@login_required
def home() -> ResponseReturnValue:
    """Onboarders: their producers with progress, certificates expiring, addresses to check;
    a producer goes straight to its own checklist."""
    if current_user.role == Role.PRODUCER:
        if current_user.producer_id is None:
            abort(403)
        return redirect(url_for("onboarding.overview", producer_id=current_user.producer_id))
    day = today()
    producers = scope.visible_producers(db.session, current_user)
    producers.sort(key=lambda p: (p.status == "active", fold(p.name)))
    producers = producers[:HOME_LIMIT]
    return render_template(
        "onboarding/home.html",
        producers=producers,
        checklists=services.checklists(db.session, producers, day),
        expiring=handover.expiring(db.session, current_user, day),
        review=address_service.needing_review(db.session, current_user),
        may_create=current_user.role in (Role.ADMIN, Role.ONBOARDER),
        step_labels=STEP_LABELS,
    )


@login_required
def overview(producer_id: int) -> ResponseReturnValue:
    """One producer's checklist: what is done, what is missing, where to resume."""
    producer = producer_or_404(producer_id)
    soon = handover.expiring(db.session, current_user, today(), producer.id)
    return page("onboarding/overview.html", producer, expiring=soon)


@login_required
def resume(producer_id: int) -> ResponseReturnValue:
    """Come back later: straight to the first step still missing."""
    return next_step(producer_or_404(producer_id))


@login_required
def invite(producer_id: int) -> ResponseReturnValue:
    """Hand over: a one-time link (and its QR) for the producer's own owner login."""
    producer = producer_or_404(producer_id)
    if current_user.role == Role.PRODUCER and (current_user.producer_role or "owner") != "owner":
        abort(403)  # a member must not mint an owner's login
    _, token = handover.invite_owner(db.session, actor(), producer, utcnow())
    base = current_app.config.get("PUBLIC_BASE_URL") or request.url_root
    link = base.rstrip("/") + "/moi/" + token
    return page("onboarding/invite.html", producer, link=link, qr=qr_data_uri(link))


# --- step 1: identity -------------------------------------------------------------------------


def _default_place() -> tuple[str, str]:
    """(province, commune) an onboarder works in, preselected for a new producer."""
    provinces, communes = scope.scopes_of(db.session, current_user)
    if communes:
        commune = db.session.get(Commune, sorted(communes)[0])
        if commune is not None:
            return commune.province_code, commune.code
    return (sorted(provinces)[0] if provinces else ""), ""


@login_required
def new() -> ResponseReturnValue:
    """Step 1 for a new producer: who it is and in which commune."""
    if current_user.role not in (Role.ADMIN, Role.ONBOARDER):
        abort(403)
    if request.method == "GET":
        province, commune = _default_place()
        form = {"kind": "cooperative", "commune_code": commune}
        return page("onboarding/identity.html", None, form=form, **places(province))
    data = IdentityForm.parse(request.form)
    try:
        producer = services.start_producer(db.session, actor(), data, today())
    except AppError as exc:
        return page(
            "onboarding/identity.html",
            None,
            form=data.__dict__,
            **refused(None, exc),
            **places(request.form.get("province")),
        )
    return next_step(producer)


def _identity_values(producer: Producer) -> dict[str, str]:
    return {
        "kind": producer.kind,
        "name": producer.name,
        "tax_code": producer.tax_code or "",
        "representative": producer.representative,
        "phone": producer.phone,
    }


@login_required
def identity(producer_id: int) -> ResponseReturnValue:
    """Step 1: kind, name, tax code, representative, phone."""
    producer = producer_or_404(producer_id)
    if request.method == "GET":
        return page("onboarding/identity.html", producer, form=_identity_values(producer))
    data = IdentityForm.parse(request.form)
    try:
        services.update_identity(db.session, actor(), producer, data, today())
    except AppError as exc:
        return page(
            "onboarding/identity.html", producer, form=data.__dict__, **refused(producer, exc)
        )
    return next_step(producer)


# --- step 2: address --------------------------------------------------------------------------


def _address_page(
    producer: Producer, form: dict[str, str], province: str | None, **ctx: Any
) -> Any:
    return page(
        "onboarding/address.html",
        producer,
        form=form,
        candidates=address_service.review_candidates(db.session, producer),
        **places(province),
        **ctx,
    )


def _saved_address(producer: Producer) -> dict[str, str]:
    return {"street": producer.street, "commune_code": producer.commune_code}


@login_required
def address(producer_id: int) -> ResponseReturnValue:
    """Step 2: street line and commune, picked or mapped from a pre-2025 address."""
    producer = producer_or_404(producer_id)
    if request.method == "GET":
        return _address_page(producer, _saved_address(producer), producer.province_code)
    data = AddressForm.parse(request.form)
    try:
        match = address_service.update_address(db.session, actor(), producer, data, today())
    except AppError as exc:
        failed = refused(producer, exc)
        return _address_page(producer, data.__dict__, request.form.get("province"), **failed)
    if match is not None and match.is_split:
        # a person must choose among the new communes: stay here, the choice is on this page
        return redirect(url_for("onboarding.address", producer_id=producer.id), 303)
    return next_step(producer)


@login_required
def resolve_address(producer_id: int) -> ResponseReturnValue:
    """A person picks the new commune of a split old one."""
    producer = producer_or_404(producer_id)
    code = request.form.get("commune_code", "")
    try:
        address_service.resolve_address(db.session, actor(), producer, code, today())
    except AppError as exc:
        failed = refused(producer, exc)
        return _address_page(producer, _saved_address(producer), producer.province_code, **failed)
    return next_step(producer)
