"""URL rules of the reports (/quan-ly/bao-cao): the dashboard and the two downloads."""

from flask import Blueprint

from . import views

bp = Blueprint("reports", __name__, url_prefix="/quan-ly/bao-cao")
bp.add_url_rule("", view_func=views.dashboard)
bp.add_url_rule("/<any('san-pham', 'chu-the'):report>.<any(csv, xlsx):fmt>", view_func=views.export)
