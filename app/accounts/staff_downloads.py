"""Staff page "Mis descargas" (/gestion/descargas/): the background jobs a staff member asked for,
with their progress, the file when ready and its expiry.

Only the person who asked sees a job or downloads its file; a personal-data file also needs the
`exports.personal` permission at download time (a steward demoted meanwhile gets nothing). Every
download leaves an audit entry. Files are never e-mailed.
"""

from __future__ import annotations

import os

from flask import abort, current_app, render_template, request, send_file
from flask_login import current_user

from app.core import audit, jobs, time
from app.core.auth import login_required

REFRESH_SECONDS = 5


@login_required
def index():
    items = jobs.for_owner(current_user.id)
    active = any(j.active for j in items)
    paused = request.args.get("pausa") == "1"
    return render_template(
        "accounts/staff/downloads.html",
        jobs=items,
        refresh=active and not paused,
        active=active,
        paused=paused,
        seconds=REFRESH_SECONDS,
        now=time.now(),
    )


@login_required
def file(token: str):
    job = jobs.by_token(token)
    if job is None or job.owner_id != current_user.id:
        abort(404)  # not yours: as if it did not exist
    if job.personal and not current_user.can("exports.personal"):
        abort(403)
    if (
        job.status != jobs.DONE
        or not job.file_path
        or not os.path.exists(job.file_path)
        or (job.expires_at and job.expires_at <= time.now())
    ):
        abort(410)
    kind = jobs.kinds().get(job.kind)
    job.downloads += 1
    audit.record(
        "download",
        target=job.kind,
        details={"job": job.id, "rows": job.rows, "personal": job.personal, "file": job.filename},
    )
    mimetype = kind.mimetype if kind else "application/octet-stream"
    accel = current_app.config.get("PARTICIPA_ACCEL_REDIRECT")
    if accel:  # nginx sends the file itself (internal location over PARTICIPA_DOWNLOAD_DIR)
        response = current_app.response_class(b"", mimetype=mimetype)
        response.headers["X-Accel-Redirect"] = accel.rstrip("/") + "/" + os.path.basename(job.file_path)
        response.headers["Content-Disposition"] = f'attachment; filename="{job.filename}"'
    else:
        response = send_file(
            job.file_path,
            mimetype=mimetype,
            as_attachment=True,
            download_name=job.filename,
            conditional=False,
            etag=False,
            max_age=0,
        )
    response.headers["Cache-Control"] = "no-store"
    return response
