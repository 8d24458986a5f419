"""Static files: pages link them by content hash; a hashed URL is cached for a year, anything
else is revalidated; a changed file gets a new URL."""

from __future__ import annotations

import re

from app.core import assets


def test_pages_link_static_files_by_content_hash_cached_for_a_year(client, catalogs):
    html = client.get("/").get_data(as_text=True)
    links = re.findall(r'/static/css/participa\.css\?v=([0-9a-f]{12})"', html)
    assert links, "the stylesheet is linked with its hash"
    response = client.get(f"/static/css/participa.css?v={links[0]}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    plain = client.get("/static/css/participa.css")
    assert "max-age=31536000" not in plain.headers.get("Cache-Control", "")
    stale = client.get("/static/css/participa.css?v=000000000000")
    assert "max-age=31536000" not in stale.headers.get("Cache-Control", "")  # an old URL is never kept


def test_a_changed_file_gets_a_new_url(app, tmp_path):
    folder = tmp_path / "static"
    folder.mkdir()
    (folder / "a.css").write_text("body{color:red}")
    old_folder = app.static_folder
    app.static_folder = str(folder)
    assets._HASHES.clear()
    try:
        with app.test_request_context():
            from flask import url_for

            first = url_for("static", filename="a.css")
            (folder / "a.css").write_text("body{color:blue}")
            assets._HASHES.clear()  # a deploy starts new processes
            second = url_for("static", filename="a.css")
            assert first != second and "?v=" in first
            assert "?v=" not in url_for("static", filename="missing.css")
            assert "?v=" not in url_for("static", filename="../app/config.py")
    finally:
        app.static_folder = old_folder
        assets._HASHES.clear()
