"""A request of decompression bombs, sent to the app running as a real server process: its memory stays low."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from hotpot import migrate
from hotpot.files import images
from tests.auth.builders import PASSWORD
from tests.conftest import fresh_database
from tests.enterprises.builders import make_product, owner_of
from tests.files.test_image_bombs import bomb_png
from tests.live import logged_in_client, peak_rss_mb, rss_mb, start_server, stop_server

LIMIT_MB = 400


@pytest.fixture(scope="module")
def served(server_url, tmp_path_factory):
    url = fresh_database(server_url, "hotpot_bombs")
    migrate.upgrade(url)
    from hotpot.reference import service as reference
    from hotpot.search import service as search

    engine = create_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        reference.load_reference(session)
        search.load_seed_synonyms(session)
        product = make_product(session)
        email = owner_of(session, product.enterprise).email
        session.commit()
    engine.dispose()
    proc, base = start_server(url, tmp_path_factory.mktemp("bombs") / "server.log")
    try:
        client = logged_in_client(base, email, PASSWORD)
        assert client.get(f"/my/products/{product.id}/edit").status_code == 200
        yield proc.pid, client, product.id
        client.close()
    finally:
        stop_server(proc)


def test_request_of_bombs_keeps_worker_below_400_mb(served, capsys):
    pid, client, product_id = served
    bomb = bomb_png()
    before = rss_mb(pid)
    files = [("photos", (f"bomb{i}.png", bomb, "image/png")) for i in range(7)]
    response = client.post(f"/my/products/{product_id}/photos", files=files)
    peak = peak_rss_mb(pid)
    with capsys.disabled():
        print(f"\n7 bombs of {len(bomb)} bytes: RSS {before:.0f} MB before, peak {peak:.0f} MB")
    assert response.status_code == 422
    assert "图片像素过大" in response.text
    assert peak < LIMIT_MB


def test_largest_allowed_images_decoded_one_at_a_time_below_400_mb(served, capsys):
    """The worst images still allowed (a PNG and a WebP at their pixel limits) are accepted, within the budget."""
    pid, client, product_id = served
    side_png = int(images.MAX_PNG_PIXELS**0.5)
    side_webp = int(images.MAX_WEBP_PIXELS**0.5)
    png, webp = io.BytesIO(), io.BytesIO()
    Image.new("RGBA", (side_png, side_png), (200, 50, 43, 128)).save(png, format="PNG")
    Image.new("RGB", (side_webp, side_webp), "#c8322b").save(webp, format="WEBP")
    before = rss_mb(pid)
    files = [("photos", ("a.png", png.getvalue(), "image/png")), ("photos", ("b.webp", webp.getvalue(), "image/webp"))]
    response = client.post(f"/my/products/{product_id}/photos", files=files)
    peak = peak_rss_mb(pid)
    with capsys.disabled():
        print(f"\nlargest allowed PNG + WebP: RSS {before:.0f} MB before, peak {peak:.0f} MB")
    assert response.status_code == 303, response.text[-2000:]
    assert peak < LIMIT_MB
