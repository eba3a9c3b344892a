"""URL rules of the signed-in area (/quan-ly)."""

from flask import Blueprint

from . import views

bp = Blueprint("dashboard", __name__, url_prefix="/quan-ly")
bp.add_url_rule("", view_func=views.home)
bp.add_url_rule("/doi-soat", view_func=views.review_list)
bp.add_url_rule("/doi-soat/<int:item_id>", view_func=views.review_action, methods=["POST"])
bp.add_url_rule("/chuyen-khoan-thu-cong", view_func=views.manual_transfer, methods=["GET", "POST"])
bp.add_url_rule("/khoa-api", view_func=views.api_keys, methods=["GET", "POST"])
bp.add_url_rule("/khoa-api/<int:key_id>/thu-hoi", view_func=views.revoke_api_key, methods=["POST"])
bp.add_url_rule("/ket-noi-ngan-hang", view_func=views.bank_connections, methods=["GET", "POST"])
bp.add_url_rule("/phi", view_func=views.my_fees)
bp.add_url_rule("/phi/<int:fee_id>/thanh-toan", view_func=views.pay_fee, methods=["POST"])
bp.add_url_rule("/tinh-phi", view_func=views.charge_fees, methods=["GET", "POST"])

from . import webhooks_views  # noqa: E402, F401
