"""Tiki simulator: Hydra OAuth2 (code + rotating refresh token, client_secret_basic), product
requests reviewed after ``review_delay_s``, ``updateSku`` and Tiki's ``{"errors": [...]}`` shape.

Review rules (deterministic, so tests can reach every outcome): a request is rejected when its
name contains ``TEST-REJECT``, when a required attribute of its category is missing, or when an
image URL is not one this sandbox hosts (``/_sandbox/images/<id>``); otherwise approved.
Approved products start inactive, as at Tiki. ``review_all()`` finishes every review now.
"""

from __future__ import annotations

import functools
import html
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, request

from ..tiki import mapping
from ..tiki.categories import CATEGORIES
from ..tiki.signing import webhook_signature
from .base import ChannelSandbox, Knobs
from .common import (
    callback_redirect,
    oauth_problem,
    query_params,
    sandbox_image_id,
    whole_seconds,
)
from .tiki_rules import (
    apply_update,
    new_product,
    oauth_error,
    product_json,
    refusal,
    review_reasons,
    shown_state,
)

_AUTH_PATH = "/sc/oauth2/auth"
_AUTH_FIELDS = ("response_type", "client_id", "redirect_uri", "scope", "state")
_PAGE = """<!doctype html><html lang="vi"><meta charset="utf-8"><title>Tiki Seller Center</title>
<h1>Tiki</h1><p>Cho phép Chợ OCOP quản lý shop?</p><p>Quyền: {scope}</p>
<form method="post" action="{action}">{hidden}
<label>Mã shop (seller id) <input name="shop_id" required></label>
<button type="submit">Cho phép</button></form></html>"""


class TikiSandbox(ChannelSandbox):
    """Loopback Tiki Open API."""

    code = "tiki"
    name = "Tiki"
    chaos_exempt = (_AUTH_PATH,)

    def __init__(
        self,
        knobs: Knobs | None = None,
        *,
        apps: dict[str, str] | None = None,
        state_dir: Path | None = None,
        review_delay_s: float = 2.0,
    ):
        # Set before the base loads persisted state into them.
        self.review_delay_s = review_delay_s
        self.requests: dict[str, dict[str, Any]] = {}  # track id -> product request
        self.code_meta: dict[str, dict[str, str]] = {}  # auth code -> redirect_uri, scope
        self.next_product_id = 270_000_001
        super().__init__(knobs, apps=apps, state_dir=state_dir)

    # --- base hooks ------------------------------------------------------------------------
    def extra_state(self) -> dict[str, Any]:
        """Requests, code metadata and the id counter (persisted next to the base's state)."""
        with self.lock:
            return {
                "requests": self.requests,
                "code_meta": self.code_meta,
                "next_product_id": self.next_product_id,
            }

    def load_extra_state(self, state: dict[str, Any]) -> None:
        """Restore what ``extra_state`` saved."""
        self.requests = dict(state.get("requests", {}))
        self.code_meta = dict(state.get("code_meta", {}))
        self.next_product_id = int(state.get("next_product_id", self.next_product_id))

    def rate_limited(self, retry_after: float) -> Response:
        response = refusal(429, "You're requesting too many requests! Slow down!")
        response.headers["Retry-After"] = str(whole_seconds(retry_after))
        return response

    def server_error(self) -> Response:
        return refusal(500, "Internal call/processing failures")

    def public_view(self, item: dict[str, Any]) -> dict[str, Any]:
        return {
            "name": item["name"],
            "price_vnd": item["price"],
            "stock": item["inventory"]["quantity"],
            "status": "live" if item["active"] else "inactive",
            "image_ids": [i for i in map(sandbox_image_id, item["image_urls"]) if i],
        }

    # --- test helpers ----------------------------------------------------------------------
    def approve(self, authorize_url: str, shop_id: str) -> dict[str, str]:
        """What Tiki's redirect after "Cho phép" would carry: ``code``, ``scope``, ``state``."""
        query = query_params(authorize_url)
        problem = self._auth_problem(query)
        if problem:
            raise ValueError(problem)
        return self._grant(query, shop_id)

    def review_all(self) -> None:
        """Finish every pending review now."""
        self._due(everything=True)

    def sign_webhook(self, secret_key: str, raw_body: bytes) -> dict[str, str]:
        """Headers TikiNOW sends with a webhook body (``x-signature: sha1=…``)."""
        return {"x-signature": webhook_signature(secret_key, raw_body)}

    # --- routes ----------------------------------------------------------------------------
    def routes(self, app: Flask) -> None:
        app.add_url_rule(_AUTH_PATH, "tiki_auth", self._auth_page, methods=["GET", "POST"])
        app.add_url_rule("/sc/oauth2/token", "tiki_token", self._token, methods=["POST"])
        api: list[tuple[str, Callable[..., Response], list[str]]] = [
            ("/integration/v2/sellers/me", self._me, ["GET"]),
            ("/integration/v2.1/requests", self._create_request, ["POST"]),
            ("/integration/v2/tracking/<track_id>", self._tracking, ["GET"]),
            ("/integration/v2/requests/<request_id>", self._request, ["GET"]),
            ("/integration/v2/requests/updateProductInfo", self._update_info, ["POST"]),
            ("/integration/v2/products/findBy", self._find_by, ["GET"]),
            ("/integration/v2/products/<int:product_id>", self._get, ["GET"]),
            ("/integration/v2/products/updateSku", self._update_sku, ["PUT", "POST"]),
        ]
        for rule, view, methods in api:
            app.add_url_rule(rule, f"tiki{view.__name__}", self._authed(view), methods=methods)
        app.add_url_rule("/_sandbox/images", "tiki_image_upload", self._upload, methods=["POST"])

    def _authed(self, view: Callable[..., Response]) -> Callable[..., Response]:
        """Bearer token -> shop (401 in Tiki's shape), and reviews brought up to date."""

        @functools.wraps(view)
        def wrapper(**kwargs: Any) -> Response:
            shop = self.bearer_shop()
            if shop is None:
                return refusal(401, "The authorization (token) is missing or expired")
            self._due()
            return view(shop, **kwargs)

        return wrapper

    def _auth_problem(self, query: dict[str, str]) -> str | None:
        problem = oauth_problem(query, self.apps)
        if problem:
            return problem
        if len(query.get("state", "")) < 8:
            return "state must have at least 8 characters"
        return None

    def _grant(self, query: dict[str, str], shop_id: str) -> dict[str, str]:
        code = self.grant_code(shop_id)
        scope = query.get("scope", "")
        with self.lock:
            self.code_meta[code] = {"redirect_uri": query["redirect_uri"], "scope": scope}
        return {"code": code, "scope": scope, "state": query["state"]}

    def _auth_page(self) -> Any:
        source = request.args if request.method == "GET" else request.form
        query = {k: source.get(k, "") for k in _AUTH_FIELDS}
        problem = self._auth_problem(query)
        if problem:
            return Response(f"<p>Yêu cầu uỷ quyền không hợp lệ: {html.escape(problem)}</p>", 400)
        if request.method == "GET":
            hidden = "".join(
                f'<input type="hidden" name="{k}" value="{html.escape(v)}">'
                for k, v in query.items()
            )
            page = _PAGE.format(scope=html.escape(query["scope"]), action=_AUTH_PATH, hidden=hidden)
            return Response(page, mimetype="text/html")
        shop_id = request.form.get("shop_id", "").strip()
        if not shop_id:
            return Response("<p>Nhập mã shop.</p>", 400)
        return callback_redirect(query["redirect_uri"], self._grant(query, shop_id))

    def _token(self) -> Response:
        auth, form = request.authorization, request.form
        if auth is None or self.apps.get(auth.username or "") != auth.password:
            self.stats.rejected_signatures += 1  # Tiki signs nothing: client auth is the check
            return oauth_error("invalid_client")
        with self.lock:
            if form.get("grant_type") == "authorization_code":
                shop = self.codes.pop(form.get("code", ""), None)  # single use
                meta = self.code_meta.pop(form.get("code", ""), {})
                if shop is None or meta.get("redirect_uri") != form.get("redirect_uri"):
                    return oauth_error("invalid_grant")
                scope = meta.get("scope", "")
            elif form.get("grant_type") == "refresh_token":
                # Hydra rotates refresh tokens: the presented one is spent whatever happens.
                entry = self.take_refresh(form.get("refresh_token", ""), spend=True)
                if entry is None:
                    return oauth_error("invalid_grant")
                shop, scope = str(entry["shop"]), str(entry.get("scope", ""))
            else:
                return oauth_error("unsupported_grant_type")
        access, refresh = self.issue_tokens(shop)
        with self.lock:
            self.refresh_tokens[refresh]["scope"] = scope
        ttl = self.knobs.access_ttl_s
        return jsonify(
            access_token=access,
            expires_in=ttl,
            refresh_token=refresh,
            scope=scope,
            token_type="bearer",
        )

    def _upload(self) -> Response:
        """``POST /_sandbox/images`` (multipart ``image``): store a photo, answer the URL serving
        it. Tiki downloads product photos from URLs; this is the host the adapter uploads to
        when the account names no other."""
        file = request.files.get("image") or request.files.get("file")
        url = self.host_photo(file.read() if file else request.get_data())
        if url is None:
            return refusal(400, "image: the file is not an image")
        return jsonify(id=sandbox_image_id(url), url=url)

    def _hosts(self, url: str) -> bool:
        image_id = sandbox_image_id(url)
        return image_id is not None and self.get_image(image_id) is not None

    def _me(self, shop: str) -> Response:
        seller_id: Any = int(shop) if shop.isdigit() else shop
        return jsonify(id=seller_id, name=f"Shop {shop}", active=1, can_update_product=1)

    def _create_request(self, shop: str) -> Response:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return refusal(400, "body: must be a JSON object")
        errors = mapping.request_errors(body, CATEGORIES)
        skus = [] if errors else [str(v["sku"]) for v in body["variants"]]
        for sku in skus:
            if self._find(shop, original_sku=sku):
                errors.append(f"variants[0].sku: original_sku {sku} already exists")
        if errors:
            return refusal(400, *errors)
        return jsonify(track_id=self._new_request(shop, "create_product", body), state="queuing")

    def _update_info(self, shop: str) -> Response:
        body = request.get_json(silent=True) or {}
        if self._find(shop, product_id=body.get("product_id")) is None:
            return refusal(404, "product_id: product not found")
        if "name" in body and not 0 < len(str(body["name"]).strip()) <= mapping.NAME_MAX:
            return refusal(400, f"name: must have 1 to {mapping.NAME_MAX} characters")
        if "description" in body and not str(body["description"]).strip():
            return refusal(400, "description: is required")
        return jsonify(track_id=self._new_request(shop, "update_product", body), state="queuing")

    def _new_request(self, shop: str, kind: str, body: dict[str, Any]) -> str:
        track = secrets.token_hex(16)
        record = {
            "track_id": track,
            "request_id": str(1_120_000_000_000_000_000 + secrets.randbelow(10**17)),
            "kind": kind,
            "state": "queuing",
            "shop": shop,
            "created_at": self.clock(),
            "approved_at": None,
            "reasons": None,
            "payload": body,
            "product_ids": [],
        }
        with self.lock:
            self.requests[track] = record
        if self.review_delay_s <= 0:
            self._finish(record)
        return track

    def _due(self, everything: bool = False) -> None:
        """Finish the reviews whose delay has passed (Tiki works while nobody asks)."""
        now = self.clock()
        with self.lock:
            due = [r for r in self.requests.values() if r["state"] == "queuing"]
        for record in due:
            if everything or now - record["created_at"] >= self.review_delay_s:
                self._finish(record)

    def _finish(self, record: dict[str, Any]) -> None:
        with self.lock:  # re-entrant: get_image takes it too
            if record["state"] != "queuing":
                return  # two readers raced to finish the same review
            body = record["payload"]
            reasons = review_reasons(record, self.items, self._hosts)
            if reasons:
                record.update(state="rejected", reasons=reasons)
                return
            record["approved_at"] = self.clock()
            if record["kind"] == "create_product":
                record["state"] = "approved"
                for variant in body["variants"]:
                    record["product_ids"].append(self._new_product(record["shop"], body, variant))
                return
            record["state"] = "update_product_approved"
            item = self.items[str(body["product_id"])]
            record["product_ids"].append(item["id"])
            apply_update(item, body, self.clock())

    def _new_product(self, shop: str, body: dict[str, Any], variant: dict[str, Any]) -> int:
        product_id, self.next_product_id = self.next_product_id, self.next_product_id + 1
        self.items[str(product_id)] = new_product(product_id, shop, body, variant, self.clock())
        return product_id

    def _record(self, shop: str, **match: str) -> dict[str, Any] | None:
        with self.lock:
            for record in self.requests.values():
                if record["shop"] == shop and all(record[k] == v for k, v in match.items()):
                    return record
        return None

    def _tracking(self, shop: str, track_id: str) -> Response:
        record = self._record(shop, track_id=track_id)
        if record is None:
            return refusal(404, "track_id: not found")
        reason = "; ".join(record["reasons"] or []) or None
        return jsonify(
            track_id=track_id,
            request_id=record["request_id"],
            state=shown_state(record),
            reason=reason,
        )

    def _request(self, shop: str, request_id: str) -> Response:
        record = self._record(shop, request_id=request_id)
        if record is None:
            return refusal(404, "request_id: not found")
        products = [product_json(self.items[str(p)]) for p in record["product_ids"]]
        for product in products:
            product["product_id"] = product["id"]
        return jsonify(
            request_id=request_id,
            state=shown_state(record),
            kind=record["kind"],
            reasons=record["reasons"],
            products=products,
        )

    def _find_by(self, shop: str) -> Response:
        item = self._find(shop, original_sku=request.args.get("original_sku", ""))
        return jsonify(product_json(item)) if item else refusal(404, "product not found")

    def _get(self, shop: str, product_id: int) -> Response:
        item = self._find(shop, product_id=product_id)
        return jsonify(product_json(item)) if item else refusal(404, "product not found")

    def _update_sku(self, shop: str) -> Response:
        body = dict(request.get_json(silent=True) or {})
        item = self._find(
            shop, product_id=body.get("product_id"), original_sku=body.get("original_sku")
        )
        if item is None:
            return refusal(404, "product_id: product not found")
        if body.get("warehouse_quantities"):  # v2 multi-warehouse form
            body["quantity"] = sum(
                int(w.get("qty_available", 0)) for w in body["warehouse_quantities"]
            )
        errors = mapping.value_errors(body)
        if "active" in body and body["active"] not in (0, 1):
            errors.append("active: must be 0 or 1")
        if errors:
            return refusal(400, *errors)
        with self.lock:
            item["price"] = body.get("price", item["price"])
            item["inventory"]["quantity"] = body.get("quantity", item["inventory"]["quantity"])
            item["active"] = int(body.get("active", item["active"]))
            item["updated_at"] = self.clock()
        return jsonify(state="approved")

    def _find(
        self, shop: str, *, product_id: Any = None, original_sku: Any = None
    ) -> dict[str, Any] | None:
        with self.lock:
            if product_id is not None:
                item = self.items.get(str(product_id))
                return item if item and item["shop"] == shop else None
            for item in self.items.values():
                if original_sku and item["shop"] == shop and item["original_sku"] == original_sku:
                    return item
        return None
