"""Every route × every role: allowed or refused as designed, and a producer can never read or
change another's data through pages or the API.

For each rule of ``app.url_map`` and each method it takes (GET, POST), every role of
``role_world`` makes the request against producer A's objects. The answer is classed as
``ok`` (it reached the page or its form validation), ``login`` (sent to /dang-nhap), ``deny``
(401/403/404) or an error (5xx, always a failure), and compared with POLICY. On top:

- refused requests (``deny``/``login``) write nothing: a digest of every non-reference row is
  the same before and after them;
- no answer to an outsider (anonymous, producer B, staff and onboarders of B's area) contains
  any of A's private strings (key prefix, fee, webhook URL, shop label, review memo, member,
  intent description, bank-connection token).

A rule without a policy fails the test, so a new page must say who may use it. KNOWN_GAPS
lists where the code does not yet do what the design says; the test fails when a gap closes
too, so the list stays true.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.integration.role_world import OUTSIDERS, ROLES, World, build_world

# --- policy ------------------------------------------------------------------------------


def row(default: str, **roles: str) -> dict[str, str]:
    """Expected verdict per role: ``default`` unless named."""
    unknown = set(roles) - set(ROLES)
    assert not unknown, unknown
    return {role: roles.get(role, default) for role in ROLES}


OK, DENY, LOGIN = "ok", "deny", "login"
#: anyone, signed in or not (public pages, or pages keyed by an unguessable token)
PUBLIC = row(OK)
#: refused for everyone (e.g. an unsigned bank webhook, empty credentials)
NOBODY = row(DENY)
SIGNED_IN = row(OK, anon=LOGIN)
#: a producer's own pages: each producer login sees its own producer only
PRODUCERS = row(DENY, anon=LOGIN, other=OK, member=OK, owner=OK)
#: one of A's objects, producer pages only
A_PRODUCERS = row(DENY, anon=LOGIN, member=OK, owner=OK)
ADMIN = row(DENY, anon=LOGIN, admin=OK)
#: reading A's data: admin, staff and onboarders of A's area, A's people
SEE_A = row(DENY, anon=LOGIN, staff_in=OK, onb_in=OK, member=OK, owner=OK, admin=OK)
#: changing A's data: the same without staff (staff read and review only)
ACT_A = row(DENY, anon=LOGIN, onb_in=OK, member=OK, owner=OK, admin=OK)
#: a producer page that takes ?producer=A: producer logins always get their own
SEE_A_OR_OWN = {**SEE_A, "other": OK}
ACT_A_OR_OWN = {**ACT_A, "other": OK}
#: reports: admin and staff, each within their area
REPORTS = row(DENY, anon=LOGIN, admin=OK, staff_in=OK, staff_out=OK)
#: people pages: admin, onboarders (their area's producers), producer owners (their members)
MANAGERS = row(DENY, anon=LOGIN, admin=OK, onb_in=OK, onb_out=OK, owner=OK, other=OK)
#: the API by key: A's key (owner, member), B's key (other); sessions count for nothing
API_ANY_KEY = row(DENY, other=OK, member=OK, owner=OK)
API_A_KEY = row(DENY, member=OK, owner=OK)

# endpoint -> {method: expected row}
POLICY: dict[str, dict[str, dict[str, str]]] = {
    # storefront, print files, media: public
    "catalogue.home": {"GET": PUBLIC},
    "catalogue.search_page": {"GET": PUBLIC},
    "catalogue.product_page": {"GET": PUBLIC},
    "catalogue.producer_page": {"GET": PUBLIC},
    "catalogue.healthz": {"GET": PUBLIC},
    "catalogue.robots": {"GET": PUBLIC},
    "catalogue.favicon": {"GET": PUBLIC},
    "static": {"GET": PUBLIC},
    "media": {"GET": PUBLIC},
    "printables.poster_pdf": {"GET": PUBLIC},
    "printables.poster_png": {"GET": PUBLIC},
    "printables.labels_pdf": {"GET": PUBLIC},
    "printables.label_png": {"GET": PUBLIC},
    # buying: the cart is the session's; orders and payments are keyed by unguessable tokens
    "orders.cart": {"GET": PUBLIC},
    "orders.add_to_cart": {"POST": PUBLIC},
    "orders.update_cart": {"POST": PUBLIC},
    "orders.checkout": {"GET": PUBLIC, "POST": PUBLIC},
    "orders.order_group": {"GET": PUBLIC},
    "orders.receipt": {"GET": PUBLIC},
    "payments.qr_image": {"GET": PUBLIC},
    "payments.status": {"GET": PUBLIC},
    "payments.claim_paid": {"POST": PUBLIC},
    "payments.simulate": {"POST": PUBLIC},  # demo mode only
    "bank_webhooks.receive": {"POST": NOBODY},  # unsigned: 401 before anything is written
    # accounts
    "accounts.login": {"GET": PUBLIC, "POST": NOBODY},  # the matrix sends no credentials
    "accounts.logout": {"POST": PUBLIC},
    "accounts.forgot_password": {"GET": PUBLIC, "POST": PUBLIC},
    "accounts.accept_invitation": {"GET": PUBLIC, "POST": PUBLIC},
    "accounts.reset_password": {"GET": PUBLIC, "POST": PUBLIC},
    "users.index": {"GET": MANAGERS},
    "users.invite": {"POST": MANAGERS},
    "users.create": {"POST": ADMIN},
    "users.revoke_invitation": {"POST": ADMIN},  # the admin's own invitation
    "users.reset_link": {"POST": ADMIN},
    "users.set_active": {"POST": row(DENY, anon=LOGIN, admin=OK, owner=OK)},  # A's member
    "users.audit_log": {"GET": ADMIN},
    # the signed-in area
    "dashboard.home": {"GET": SIGNED_IN},
    "dashboard.review_list": {"GET": row(OK, anon=LOGIN, onb_in=DENY, onb_out=DENY)},
    "dashboard.review_action": {
        "POST": row(DENY, anon=LOGIN, admin=OK, staff_in=OK, member=OK, owner=OK)
    },
    "dashboard.manual_transfer": {"GET": PRODUCERS, "POST": PRODUCERS},
    "dashboard.api_keys": {"GET": PRODUCERS, "POST": PRODUCERS},
    "dashboard.revoke_api_key": {"POST": A_PRODUCERS},
    "dashboard.bank_connections": {
        "GET": {**PRODUCERS, "admin": OK},  # the admin: the operator's own fee account
        "POST": {**PRODUCERS, "admin": OK},
    },
    "dashboard.my_fees": {"GET": PRODUCERS},
    "dashboard.pay_fee": {"POST": A_PRODUCERS},
    "dashboard.charge_fees": {"GET": ADMIN, "POST": ADMIN},
    "dashboard.webhooks": {"GET": PRODUCERS, "POST": PRODUCERS},
    "dashboard.webhook_deliveries": {"GET": A_PRODUCERS},
    "dashboard.replay_webhook": {"POST": A_PRODUCERS},
    "dashboard.disable_webhook": {"POST": A_PRODUCERS},
    # marketplace channels (?producer=A for people who are not A's)
    "listings.shops": {"GET": SEE_A_OR_OWN},
    "listings.bulk": {"GET": SEE_A_OR_OWN, "POST": ACT_A_OR_OWN},
    "listings.connect_shop": {"POST": ACT_A_OR_OWN},
    "listings.callback": {"GET": SIGNED_IN},  # no OAuth state: 400 for everyone
    "listings.mappings": {"GET": ADMIN, "POST": ADMIN},
    "listings.product": {"GET": SEE_A},
    "listings.list_product": {"POST": ACT_A},
    "listings.shop": {"GET": SEE_A},
    "listings.export_pack": {"GET": SEE_A},
    "listings.progress": {"GET": SEE_A},  # ?ids= A's listing
    "listings.listing_action": {"POST": ACT_A},
    # the API
    "api.openapi": {"GET": PUBLIC},
    "api.list_products": {"GET": PUBLIC},
    "api.get_product": {"GET": PUBLIC},
    "api.get_producer": {"GET": PUBLIC},
    "api.list_provinces": {"GET": PUBLIC},
    "api.list_communes": {"GET": PUBLIC},
    "api.list_groups": {"GET": PUBLIC},
    "api.create_payment_intent": {"POST": API_ANY_KEY},
    "api.list_payment_intents": {"GET": API_ANY_KEY},
    "api.get_payment_intent": {"GET": API_A_KEY},
    "api.cancel_payment_intent": {"POST": API_A_KEY},
}

# Helpers' areas, checked when present. Assumed: onboarding is for admins and onboarders of
# the producer's area (new producers: admins and any onboarder); A's own people may read and
# complete their producer's steps; staff read. Reports are for admins and staff.
OPTIONAL_POLICY: dict[str, dict[str, dict[str, str]]] = {
    "onboarding.home": {"GET": SIGNED_IN},
    "onboarding.new": {"GET": row(DENY, anon=LOGIN, admin=OK, onb_in=OK, onb_out=OK)},
    "onboarding.overview": {"GET": SEE_A},
    "onboarding.resume": {"GET": SEE_A},
    "onboarding.invite": {"POST": row(DENY, anon=LOGIN, admin=OK, onb_in=OK, owner=OK)},
    "reports.dashboard": {"GET": REPORTS},
    "reports.export": {"GET": REPORTS},
}
OPTIONAL_POLICY["onboarding.new"]["POST"] = OPTIONAL_POLICY["onboarding.new"]["GET"]
for _step in ("identity", "address", "bank", "consent", "products"):
    OPTIONAL_POLICY[f"onboarding.{_step}"] = {"GET": SEE_A, "POST": ACT_A}
for _step in ("resolve_address", "verify_bank", "renew"):
    OPTIONAL_POLICY[f"onboarding.{_step}"] = {"POST": ACT_A}

#: (endpoint, method, role) -> what the code does instead of the design (fix, then delete)
KNOWN_GAPS: dict[tuple[str, str, str], str] = {}

#: per endpoint: extra statuses that count as a refusal (the service answers "no such X")
REFUSED_AS_400 = {"dashboard.revoke_api_key"}

#: valid bodies, so allowed roles really change something and refusals really refuse
FORMS: dict[str, dict[str, str]] = {
    "dashboard.review_action": {"action": "dismissed", "note": "kiem tra quyen"},
    "dashboard.charge_fees": {"kind": "other", "description": "phi thu", "amount": "1000"},
    "users.set_active": {"active": "0"},
    "users.invite": {"role": "producer", "producer_role": "member"},
}
TOKENS = {
    "orders": "token",
    "bank_webhooks": "connection_token",
    "accounts.accept_invitation": "invitation_token",
    "accounts.reset_password": "reset_token",
}


def expected_policy(endpoints: set[str]) -> dict[str, dict[str, dict[str, str]]]:
    present = {k: v for k, v in OPTIONAL_POLICY.items() if k in endpoints}
    return {**POLICY, **present}


# --- running -----------------------------------------------------------------------------


def _path(world: World, rule, endpoint: str) -> str:
    values = dict(world.ids)
    area = endpoint.split(".")[0]
    values["token"] = world.ids[TOKENS.get(endpoint) or TOKENS.get(area) or "token"]
    values["fmt"] = "csv" if area == "reports" else "png"
    values.update(report="san-pham", action="thu-lai")
    path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: str(values[m.group(1)]), rule.rule)
    if area == "listings":
        path += f"?producer={world.a}&ids={world.ids['listing_id']}"
    return path


def verdict(endpoint: str, method: str, response) -> str:
    status = response.status_code
    if status >= 500:
        return f"error {status}"
    location = urlsplit(response.headers.get("Location", "")).path
    if status in (301, 302, 303) and location == "/dang-nhap":
        return LOGIN
    if status in (401, 403, 404) or (status == 400 and endpoint in REFUSED_AS_400):
        return DENY
    return OK


def _text(response) -> str:
    if response.mimetype.startswith(("text/", "application/json")):
        return response.get_data(as_text=True)
    return ""


def run_matrix(world: World) -> tuple[dict, list[str]]:
    """Observed verdicts {(endpoint, method, role): verdict}, and the other failures."""
    app = world.app
    policy = expected_policy({r.endpoint for r in app.url_map.iter_rules()})
    seen: dict[tuple[str, str, str], str] = {}
    problems: list[str] = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        for method in ("GET", "POST"):
            if method not in rule.methods or method not in policy.get(rule.endpoint, {}):
                continue
            expected = policy[rule.endpoint][method]
            path = _path(world, rule, rule.endpoint)
            # roles of a known gap do what the code does, so they run with the allowed ones
            gap = {r for r in ROLES if (rule.endpoint, method, r) in KNOWN_GAPS}
            refused_first = [r for r in ROLES if expected[r] != OK and r not in gap]
            allowed = [r for r in ROLES if expected[r] == OK or r in gap]
            before = world.digest()
            for phase, roles in (("refused", refused_first), ("allowed", allowed)):
                for role in roles:
                    headers = world.api_headers(role) if rule.endpoint.startswith("api.") else {}
                    data = FORMS.get(rule.endpoint, {}) if method == "POST" else None
                    response = world.clients[role].open(
                        path, method=method, headers=headers, data=data
                    )
                    got = verdict(rule.endpoint, method, response)
                    body = _text(response)
                    response.close()
                    key = (rule.endpoint, method, role)
                    seen[key] = got if key not in seen or seen[key] == got else "mixed"
                    if role in OUTSIDERS:
                        leaked = [name for name, m in world.markers.items() if m in body]
                        if leaked:
                            seen[key] = f"leak {','.join(leaked)}"
                    if rule.endpoint == "accounts.logout":
                        world.clients[role] = world.login(role)
                if phase == "refused" and world.digest() != before:
                    problems.append(f"{method} {path}: refused roles {roles} changed data")
    return seen, problems


# --- tests -------------------------------------------------------------------------------


def test_every_route_has_a_policy(app):
    rules = {(r.endpoint, m) for r in app.url_map.iter_rules() for m in ("GET", "POST")}
    rules = {(e, m) for e, m in rules if m in _methods(app, e)}
    policy = expected_policy({e for e, _ in rules})
    missing = sorted(f"{e} {m}" for e, m in rules if m not in policy.get(e, {}))
    assert not missing, "routes without an access policy in test_role_matrix.py: " + ", ".join(
        missing
    )
    stale = sorted(set(POLICY) - {e for e, _ in rules})
    assert not stale, f"policies for routes that no longer exist: {stale}"


def _methods(app, endpoint: str) -> set[str]:
    return {m for r in app.url_map.iter_rules(endpoint=endpoint) for m in r.methods}


@pytest.fixture
def world(demo_app, monkeypatch) -> World:
    from marketplace.payments import sandbox_bank

    # the demo bank's transfer POSTs to the site over real HTTP; no server runs here
    monkeypatch.setattr(sandbox_bank, "send_transfer", lambda *a, **k: 200)
    return build_world(demo_app)


def test_role_matrix(world):
    seen, problems = run_matrix(world)
    policy = expected_policy({r.endpoint for r in world.app.url_map.iter_rules()})
    mismatches = {key: got for key, got in seen.items() if got != policy[key[0]][key[1]][key[2]]}
    unexpected = {k: v for k, v in mismatches.items() if k not in KNOWN_GAPS}
    closed = sorted(k for k in KNOWN_GAPS if k in seen and k not in mismatches)
    report = [
        f"{e} {m} as {r}: got {got}, policy says {policy[e][m][r]}"
        for (e, m, r), got in sorted(unexpected.items())
    ]
    assert not report and not problems, "\n".join(report + problems)
    assert not closed, f"gaps now closed, remove them from KNOWN_GAPS: {closed}"


def test_producers_never_reach_each_others_data_through_the_api(world):
    client = world.app.test_client()
    b_key = {"Authorization": f"Bearer {world.keys['b']}"}
    public_id = world.ids["public_id"]
    listing = client.get("/api/v1/payment_intents?limit=100", headers=b_key).get_json()
    assert public_id not in {i["id"] for i in listing["data"]}
    before = world.digest(skip=("idempotency_keys",))
    assert client.get(f"/api/v1/payment_intents/{public_id}", headers=b_key).status_code == 404
    canceled = client.post(
        f"/api/v1/payment_intents/{public_id}/cancel",
        headers={**b_key, "Idempotency-Key": "b-tries-a"},
        json={"cancellation_reason": "abandoned"},
    )
    assert canceled.status_code == 404 and canceled.get_json()["error"]["type"]
    # nothing changed but B's own idempotency record; A's intent is untouched
    assert world.digest(skip=("idempotency_keys",)) == before
    a_key = {"Authorization": f"Bearer {world.keys['a']}"}
    mine = client.get(f"/api/v1/payment_intents/{public_id}", headers=a_key).get_json()
    assert mine["status"] == "requires_payment"
