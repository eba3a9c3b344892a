"""URL rules of the storefront."""

from flask import Blueprint

from . import views

bp = Blueprint("catalogue", __name__)
bp.add_url_rule("/", view_func=views.home)
bp.add_url_rule("/tim-kiem", view_func=views.search_page)
bp.add_url_rule("/san-pham/<int:product_id>-<slug>", view_func=views.product_page)
bp.add_url_rule("/san-pham/<int:product_id>", view_func=views.product_page)
bp.add_url_rule("/chu-the/<int:producer_id>-<slug>", view_func=views.producer_page)
bp.add_url_rule("/chu-the/<int:producer_id>", view_func=views.producer_page)
bp.add_url_rule("/healthz", view_func=views.healthz)
bp.add_url_rule("/robots.txt", view_func=views.robots)
bp.add_url_rule("/favicon.ico", view_func=views.favicon)
