from sqlalchemy import func, inspect, select

from marketplace import migrate
from marketplace.core.db import db
from producers.models import Commune, CommuneLineage, OcopSet, Province
from producers.refdata import sync_reference_data


def test_reference_data_loaded_with_text_codes(session):
    assert session.scalar(select(func.count()).select_from(Province)) == 34
    assert session.scalar(select(func.count()).select_from(Commune)) == 3321
    assert session.scalar(select(func.count()).select_from(CommuneLineage)) == 10571
    assert session.scalar(select(func.count()).select_from(OcopSet)) == 26
    assert session.get(Province, "01").name == "Thành phố Hà Nội"
    hoi_an = session.get(Commune, "20410")
    assert hoi_an.name == "Phường Hội An" and hoi_an.province.name == "Thành phố Đà Nẵng"
    assert session.get(Commune, "05503").name == "Xã Tân Cương"
    assert session.get(Commune, "00226").name == "Phường Văn Miếu - Quốc Tử Giám"


def test_lineage_marks_split_communes(session):
    old = session.scalars(
        select(CommuneLineage).where(CommuneLineage.old_commune_code == "00007")
    ).all()
    assert {r.new_commune_code for r in old} == {"00008", "00025"}
    assert all(r.is_split for r in old)
    quang_nam = session.scalar(
        select(func.count())
        .select_from(CommuneLineage)
        .where(CommuneLineage.old_province_code == "49")
    )
    assert quang_nam == 233


def test_reference_sync_is_idempotent(session):
    assert set(sync_reference_data(session).values()) == {0}


def test_downgrade_to_base_and_upgrade_again(app):
    with app.app_context():
        engine = db.engine
        migrate.downgrade(engine, "base")
        assert "products" not in inspect(engine).get_table_names()
        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.head_revision()
        with db.transaction() as session:
            loaded = sync_reference_data(session)
        assert loaded["communes"] == 3321
