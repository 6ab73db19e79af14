"""Detail pages' galleries: each thumbnail links to its full image (works without JavaScript) and the page carries
the viewer dialog and its script; a page without photos has neither."""

from __future__ import annotations

import re

from hotpot.bases import service as base_service
from tests.bases.builders import make_base
from tests.enterprises.builders import make_product, owner_of
from tests.products.builders import image_bytes, make_photo


def _gallery_links(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<a href="([^"]+)" data-viewer-item[^>]*><img src="([^"]+)"', html)


def test_product_page_links_thumbnails_to_full_images_for_the_viewer(client, db):
    product = make_product(db)
    photos = [make_photo(db, product=product), make_photo(db, product=product)]
    html = client.get(f"/products/{product.id}").text
    assert _gallery_links(html) == [
        (f"/products/{product.id}/photos/{p.id}", f"/products/{product.id}/photos/{p.id}/thumb") for p in photos
    ]
    assert 'class="gallery" data-viewer' in html
    assert '<dialog class="viewer" id="photo-viewer"' in html
    assert '<script src="/static/js/viewer.js' in html
    assert "<script>" not in html  # no inline script (CSP script-src 'self')
    assert client.get(_gallery_links(html)[0][0]).headers["content-type"] == "image/jpeg"


def test_base_page_has_the_same_viewer(client, db):
    base = make_base(db)
    owner = owner_of(db, base.enterprise)
    photo = base_service.add_photos(db, user=owner, base=base, uploads=[(image_bytes(), "田.png")])[0]
    html = client.get(f"/bases/{base.id}").text
    assert _gallery_links(html) == [
        (f"/bases/{base.id}/photos/{photo.id}", f"/bases/{base.id}/photos/{photo.id}/thumb")
    ]
    assert 'id="photo-viewer"' in html
    assert client.get(f"/bases/{base.id}/photos/{photo.id}").headers["content-type"] == "image/jpeg"


def test_no_photos_no_viewer(client, db):
    product = make_product(db)
    html = client.get(f"/products/{product.id}").text
    assert "photo-viewer" not in html
    assert "viewer.js" not in html
