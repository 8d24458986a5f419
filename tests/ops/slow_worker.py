"""A real worker process (`flask participa worker`'s code) that also knows a slow job kind, so a
test can kill it in the middle of a job. SLOW_STEP: seconds per step of the slow job."""

from __future__ import annotations

import os
import sys
import time

from app import create_app
from app.core import jobs


def slow(job, path, progress):
    step = float(os.environ.get("SLOW_STEP", "0.05"))
    with open(path, "w") as handle:
        for i in range(1, 401):
            time.sleep(step)
            handle.write(f"{i}\n")
            progress(i)
    return 400


jobs.register_kind("test.slow", slow, filename="lento.txt", mimetype="text/plain")

if __name__ == "__main__":
    jobs.work(create_app(), burst="--burst" in sys.argv)
