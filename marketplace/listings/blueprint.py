"""URL rules of the listing pages."""

from flask import Blueprint

from . import mapping_views, views

bp = Blueprint("listings", __name__, url_prefix="/quan-ly/kenh-ban")
bp.add_url_rule("", view_func=views.shops)
bp.add_url_rule("/ket-noi", view_func=views.connect_shop, methods=["POST"])
bp.add_url_rule("/ket-noi/xong", view_func=views.callback, endpoint="callback")
bp.add_url_rule("/shop/<int:account_id>", view_func=views.shop)
bp.add_url_rule("/shop/<int:account_id>/goi-xuat.zip", view_func=views.export_pack)
bp.add_url_rule("/san-pham/<int:product_id>", view_func=views.product)
bp.add_url_rule("/san-pham/<int:product_id>/dang", view_func=views.list_product, methods=["POST"])
bp.add_url_rule("/dang-hang-loat", view_func=views.bulk, methods=["GET", "POST"])
bp.add_url_rule("/tien-do", view_func=views.progress)
bp.add_url_rule("/tin/<int:listing_id>/<action>", view_func=views.listing_action, methods=["POST"])
bp.add_url_rule("/nganh-hang", view_func=mapping_views.mappings, methods=["GET", "POST"])
