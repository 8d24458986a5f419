"""Content-hashed static URLs, so browsers and proxies may keep static files for a year.

`url_for("static", filename="css/participa.css")` gives `/static/css/participa.css?v=<hash>`, the
hash being the first 12 hex digits of the file's SHA-256 (computed once per file and process).
A response to a request whose `v` matches the file's current hash is sent with
`Cache-Control: public, max-age=31536000, immutable`; a change to the file changes its URL, so
nobody keeps an old copy. Without `v` (or a stale one), the file is revalidated as before.
Behind nginx, /static/ is served by nginx with the same rule (deploy/nginx/participa.conf).
"""

from __future__ import annotations

import hashlib
import os

from flask import Flask, current_app, request

YEAR = 31536000
_HASHES: dict[str, str | None] = {}


def file_hash(filename: str) -> str | None:
    """The content hash of a static file, or None when there is no such file."""
    if filename in _HASHES and not current_app.debug:
        return _HASHES[filename]
    folder = current_app.static_folder or ""
    path = os.path.realpath(os.path.join(folder, filename))
    value = None
    if path.startswith(os.path.realpath(folder) + os.sep) and os.path.isfile(path):
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(65536), b""):
                digest.update(chunk)
        value = digest.hexdigest()[:12]
    _HASHES[filename] = value
    return value


def register(app: Flask) -> None:
    @app.url_defaults
    def _version_static(endpoint, values):
        if endpoint == "static" and "v" not in values and "filename" in values:
            version = file_hash(values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def _cache_static(response):
        if request.endpoint == "static" and response.status_code in (200, 304):
            version = request.args.get("v", "")
            if version and version == file_hash(request.view_args.get("filename", "")):
                response.cache_control.no_cache = None
                response.cache_control.public = True
                response.cache_control.max_age = YEAR
                response.cache_control.immutable = True
                response.expires = None
        return response
