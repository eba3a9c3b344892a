"""Small helpers the channel sandboxes share: reading requests and images, answering the
OAuth callback, and the ``/_sandbox/images`` host the base serves."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping
from urllib.parse import parse_qs, urlencode, urlsplit

from flask import Response, redirect
from PIL import Image

#: The path the base serves stored images at (``/_sandbox/images/<id>``).
SANDBOX_IMAGE_PATH = re.compile(r"^/_sandbox/images/([0-9a-f]+)$")


def sandbox_image_id(url: str) -> str | None:
    """The image id of a ``/_sandbox/images/<id>`` URL (on any host), else None."""
    match = SANDBOX_IMAGE_PATH.match(urlsplit(url).path)
    return match.group(1) if match else None


def image_info(data: bytes) -> tuple[str | None, tuple[int, int]]:
    """The format ("JPEG", "PNG"…) and pixel size of image bytes; (None, (0, 0)) if unreadable."""
    try:
        with Image.open(io.BytesIO(data)) as im:
            return im.format, im.size
    except (OSError, ValueError):
        return None, (0, 0)


def whole_seconds(seconds: float) -> int:
    """A wait in the whole seconds a ``Retry-After`` header or ban message states (>= 1)."""
    return max(1, math.ceil(seconds))


def query_params(url: str) -> dict[str, str]:
    """The first value of each query parameter of ``url``."""
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def callback_redirect(redirect_uri: str, params: dict[str, str]) -> Response:
    """The authorise page's 302 to ``redirect_uri`` with the callback parameters added."""
    separator = "&" if "?" in redirect_uri else "?"
    return redirect(redirect_uri + separator + urlencode(params))


def oauth_problem(query: Mapping[str, str], apps: Mapping[str, str]) -> str | None:
    """Why an OAuth2 authorise request is refused (``response_type`` code, a known
    ``client_id``, a ``redirect_uri``), else None."""
    if query.get("response_type") != "code":
        return "response_type must be code"
    if query.get("client_id") not in apps:
        return "unknown client_id"
    if not query.get("redirect_uri"):
        return "redirect_uri is required"
    return None
