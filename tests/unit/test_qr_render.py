import base64
import io
import re
import xml.etree.ElementTree as ET

import pytest
import qrcode
import zxingcpp
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from marketplace.payments import qr_render
from marketplace.payments.qr_cli import qr
from marketplace.payments.qr_render import cache_clear, cache_info, render_png, render_svg
from marketplace.payments.vietqr import build

STATIC = build("970436", "0011001932418")
DYNAMIC = build("970436", "0011001932418", 150000, "DH7KX2MQ9 CHE TAN CUONG", bill_number="B1")
SVG_NS = "{http://www.w3.org/2000/svg}"
RUN = re.compile(r"M(\d+) (\d+)h(\d+)v(\d+)h-(\d+)z")


def solid_logo():
    return Image.new("RGB", (300, 180), (200, 30, 30))


def busy_logo():
    """A high-contrast checkerboard with a transparent corner: the hardest case for scanners."""
    image = Image.new("RGBA", (120, 120), (0, 0, 0, 255))
    draw = ImageDraw.Draw(image)
    for y in range(0, 120, 10):
        for x in range((y // 10) % 2 * 10, 120, 20):
            draw.rectangle((x, y, x + 9, y + 9), fill=(20, 60, 220, 255))
    draw.rectangle((0, 0, 29, 29), fill=(0, 0, 0, 0))
    return image


LOGOS = {"none": None, "solid": solid_logo, "busy": busy_logo}


def modules(payload, level):
    code = qrcode.QRCode(error_correction=level, border=0)
    code.add_data(payload)
    code.make(fit=True)
    return code.modules_count


def decode(image):
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1
    return results[0]


@pytest.fixture(autouse=True)
def fresh_cache():
    cache_clear()
    yield
    cache_clear()


@pytest.mark.parametrize("payload", [STATIC, DYNAMIC], ids=["static", "dynamic"])
@pytest.mark.parametrize("logo", sorted(LOGOS))
@pytest.mark.parametrize("box_size", [2, 8])
def test_png_decodes_back_to_the_payload(payload, logo, box_size):
    make = LOGOS[logo]
    image = Image.open(io.BytesIO(render_png(payload, box_size=box_size, logo=make and make())))
    barcode = decode(image)
    assert barcode.text == payload
    assert barcode.ec_level == ("M" if make is None else "Q")
    level = qrcode.ERROR_CORRECT_M if make is None else qrcode.ERROR_CORRECT_Q
    assert image.size == ((modules(payload, level) + 8) * box_size,) * 2


@pytest.mark.parametrize("logo", [solid_logo, busy_logo])
def test_logo_stays_within_a_fifth_of_the_symbol_and_centred(logo):
    image = Image.open(io.BytesIO(render_png(DYNAMIC, box_size=8, logo=logo()))).convert("RGB")
    coloured = Image.eval(image, lambda v: 255 if 0 < v < 255 else 0).convert("L")
    left, top, right, bottom = coloured.getbbox()
    symbol = image.width - 2 * 4 * 8
    assert right - left <= 0.2 * symbol and bottom - top <= 0.2 * symbol
    assert abs((left + right) - image.width) <= 2 and abs((top + bottom) - image.height) <= 2


def svg_to_image(svg):
    root = ET.fromstring(svg)
    side = int(root.get("width"))
    image = Image.new("L", (side, side), 255)
    draw = ImageDraw.Draw(image)
    path = root.find(f"{SVG_NS}path").get("d")
    runs = RUN.findall(path)
    assert "".join(f"M{x} {y}h{w}v{h}h-{w2}z" for x, y, w, h, w2 in runs) == path
    for x, y, w, h, _ in runs:
        x, y, w, h = int(x), int(y), int(w), int(h)
        draw.rectangle((x, y, x + w - 1, y + h - 1), fill=0)
    return root, image


@pytest.mark.parametrize("payload", [STATIC, DYNAMIC], ids=["static", "dynamic"])
@pytest.mark.parametrize("box_size", [1, 8])
def test_svg_is_well_formed_with_pixel_viewbox_and_decodes(payload, box_size):
    svg = render_svg(payload, box_size=box_size)
    root, image = svg_to_image(svg)
    side = (modules(payload, qrcode.ERROR_CORRECT_M) + 8) * box_size
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("viewBox") == f"0 0 {side} {side}"
    assert (root.get("width"), root.get("height")) == (str(side), str(side))
    if box_size > 1:
        assert decode(image).text == payload


def test_svg_with_logo_embeds_the_same_geometry_as_the_png():
    svg = render_svg(DYNAMIC, logo=solid_logo())
    root, image = svg_to_image(svg)
    (embedded,) = root.findall(f"{SVG_NS}image")
    data = embedded.get("href").removeprefix("data:image/png;base64,")
    logo = Image.open(io.BytesIO(base64.b64decode(data)))
    x, y = int(embedded.get("x")), int(embedded.get("y"))
    assert logo.size == (int(embedded.get("width")), int(embedded.get("height")))
    png = Image.open(io.BytesIO(render_png(DYNAMIC, logo=solid_logo()))).convert("RGB")
    assert png.getpixel((x + 1, y + 1)) == logo.convert("RGB").getpixel((1, 1))
    assert png.size == image.size
    image.paste(255, (x - 8, y - 8, x + logo.width + 8, y + logo.height + 8))
    assert decode(image).text == DYNAMIC  # the modules under the logo are recoverable (Q)


def test_cache_returns_the_identical_object_for_equal_arguments():
    first = render_png(DYNAMIC)
    assert render_png(DYNAMIC) is first
    assert render_svg(DYNAMIC) is render_svg(DYNAMIC)
    with_logo = render_png(DYNAMIC, logo=busy_logo())
    assert render_png(DYNAMIC, logo=busy_logo()) is with_logo  # equal pixels, new Image object
    assert render_png(DYNAMIC, box_size=4) is not first
    assert render_png(STATIC) is not first
    hits, misses, maxsize, size = cache_info()
    assert (hits, misses, size) == (3, 5, 5) and maxsize == qr_render.CACHE_SIZE


def test_rendering_is_deterministic():
    outputs = []
    for _ in range(2):
        cache_clear()
        outputs.append(
            (render_png(DYNAMIC, logo=busy_logo()), render_svg(DYNAMIC, logo=busy_logo()))
        )
    assert outputs[0] == outputs[1]
    assert outputs[0][0] is not outputs[1][0]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"payload": ""}, ValueError),
        ({"box_size": 0}, ValueError),
        ({"box_size": 65}, ValueError),
        ({"box_size": True}, TypeError),
        ({"box_size": 8.0}, TypeError),
        ({"logo": b"not an image"}, TypeError),
    ],
)
def test_bad_render_arguments(kwargs, error):
    arguments = {"payload": STATIC, **kwargs}
    payload = arguments.pop("payload")
    for render in (render_png, render_svg):
        with pytest.raises(error):
            render(payload, **arguments)


@settings(max_examples=25, deadline=None)
@given(
    st.sampled_from(["970403", "970415", "970422", "970436"]),
    st.text(alphabet="0123456789ABCDEFGHJK", min_size=1, max_size=19),
    st.none() | st.integers(1, 10**13 - 1),
    st.booleans(),
)
def test_random_payloads_decode(bin_, account, amount, with_logo):
    payload = build(bin_, account, amount, "DH7KX2MQ9")
    png = render_png(payload, box_size=3, logo=solid_logo() if with_logo else None)
    assert decode(Image.open(io.BytesIO(png))).text == payload


def test_cli_build_writes_png_and_svg(tmp_path):
    png, svg = tmp_path / "qr.png", tmp_path / "qr.svg"
    args = ["build", "--bin", "970436", "--account", "0011001932418", "--amount", "150000"]
    result = CliRunner().invoke(
        qr, [*args, "--png", str(png), "--svg", str(svg), "--box-size", "4"]
    )
    assert result.exit_code == 0, result.output
    payload = result.stdout.strip()
    assert payload == build("970436", "0011001932418", 150000)
    assert decode(Image.open(png)).text == payload
    assert svg.read_text(encoding="utf-8") == render_svg(payload, box_size=4)


def test_cli_build_reports_an_unwritable_file(tmp_path):
    target = tmp_path / "missing" / "qr.png"
    result = CliRunner().invoke(
        qr, ["build", "--bin", "970436", "--account", "1", "--png", str(target)]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("cannot write the QR image: ")
