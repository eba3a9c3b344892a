"""URL rules of the onboarding pages ("hỗ trợ": helping a producer get set up)."""

from flask import Blueprint

from . import step_views, views

bp = Blueprint("onboarding", __name__, url_prefix="/quan-ly/ho-tro")
bp.add_url_rule("", view_func=views.home)
bp.add_url_rule("/them", view_func=views.new, methods=["GET", "POST"])
bp.add_url_rule("/<int:producer_id>", view_func=views.overview)
bp.add_url_rule("/<int:producer_id>/tiep-tuc", view_func=views.resume)
bp.add_url_rule("/<int:producer_id>/moi-chu-the", view_func=views.invite, methods=["POST"])
bp.add_url_rule("/<int:producer_id>/chu-the", view_func=views.identity, methods=["GET", "POST"])
bp.add_url_rule("/<int:producer_id>/dia-chi", view_func=views.address, methods=["GET", "POST"])
bp.add_url_rule(
    "/<int:producer_id>/dia-chi/xac-nhan", view_func=views.resolve_address, methods=["POST"]
)
bp.add_url_rule("/<int:producer_id>/ngan-hang", view_func=step_views.bank, methods=["GET", "POST"])
bp.add_url_rule(
    "/<int:producer_id>/ngan-hang/xac-minh", view_func=step_views.verify_bank, methods=["POST"]
)
bp.add_url_rule(
    "/<int:producer_id>/dieu-khoan", view_func=step_views.consent, methods=["GET", "POST"]
)
bp.add_url_rule(
    "/<int:producer_id>/san-pham", view_func=step_views.products, methods=["GET", "POST"]
)
bp.add_url_rule(
    "/<int:producer_id>/san-pham/<int:product_id>/chung-nhan",
    view_func=step_views.renew,
    methods=["POST"],
)
