import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from marketplace.core.text import clean_line, fold, search_text, slugify, tokens


def test_fold_strips_vietnamese_marks_and_d():
    assert fold("Dầu đậu phộng") == "dau dau phong"
    assert fold("ĐẬU PHỘNG") == "dau phong"
    assert fold("Trà Tân Cương") == "tra tan cuong"
    assert fold("Ưu đãi Ơn") == "uu dai on"


def test_fold_accepts_decomposed_input():
    nfd = unicodedata.normalize("NFD", "Đậu phộng Thái Nguyên")
    assert nfd != unicodedata.normalize("NFC", nfd)
    assert fold(nfd) == "dau phong thai nguyen"


def test_tokens_keep_only_ascii_words():
    assert tokens("Mật ong (500 ml) — Kỳ Tân!") == ["mat", "ong", "500", "ml", "ky", "tan"]
    assert tokens("'; DROP TABLE products;--") == ["drop", "table", "products"]
    assert tokens("\x00\x01") == []


def test_search_text_has_leading_space_for_word_prefix_matching():
    assert search_text("Chè Đinh", None, "Tân Cương") == " che dinh tan cuong"
    assert search_text("", None) == ""


def test_slugify():
    assert slugify("Dầu đậu phộng nguyên chất Bảo Tâm") == "dau-dau-phong-nguyen-chat-bao-tam"
    assert slugify("!!!") == "san-pham"


def test_clean_line_removes_controls_and_collapses_space():
    assert clean_line("  Trà\x00  xanh\u200b\n tốt ") == "Trà xanh tốt"
    assert clean_line(unicodedata.normalize("NFD", "Hà Nội")) == "Hà Nội"


@given(st.text())
def test_fold_is_idempotent_and_ascii_stable(value):
    once = fold(value)
    assert fold(once) == once
    assert all(t.isascii() and t.isalnum() for t in tokens(value))


@given(
    st.text(
        alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ ",
        max_size=40,
    )
)
def test_nfc_and_nfd_fold_identically(value):
    assert fold(unicodedata.normalize("NFD", value)) == fold(unicodedata.normalize("NFC", value))
    assert fold(value.upper()) == fold(value)
