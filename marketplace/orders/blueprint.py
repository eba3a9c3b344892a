"""URL rules of the cart, checkout and order pages."""

from flask import Blueprint

from . import views

bp = Blueprint("orders", __name__)
bp.add_url_rule("/gio-hang", view_func=views.cart)
bp.add_url_rule("/gio-hang/them", view_func=views.add_to_cart, methods=["POST"])
bp.add_url_rule("/gio-hang/cap-nhat", view_func=views.update_cart, methods=["POST"])
bp.add_url_rule("/dat-hang", view_func=views.checkout, methods=["GET", "POST"])
bp.add_url_rule("/don-hang/<token>", view_func=views.order_group)
bp.add_url_rule("/don-hang/<token>/bien-nhan/<number>", view_func=views.receipt)
