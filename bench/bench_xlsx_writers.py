"""The XLSX writers side by side: XlsxWriter (constant_memory), rustpy-xlsxwriter and pyexcelerate
write the same 1,000,000 characterisation rows (BENCH_QUICK=1: 20,000), read with the export's
own SQL from one SQLite database loaded once, in one run.

Each writer runs in a fresh process (bench_exports.py's bare script), in rounds; the order rotates
from one round to the next so no writer always comes first or last on a shared machine. Per
writer: median and range of wall seconds, CPU seconds of the writing process (the figure that
does not depend on what else the machine runs) and peak RSS.

Reproduce: `.venv/bin/python bench/bench_xlsx_writers.py` (BENCH_ROUNDS=3 by default;
BENCH_WRITERS=xlsxwriter,rustpy-xlsxwriter,pyexcelerate narrows or reorders).
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_characterization import build, make_app  # noqa: E402
from bench.bench_exports import _installed, _sql  # noqa: E402
from bench.common import PY, QUICK, env_for, header, peak_rss_and_cpu_of_child  # noqa: E402

N = 20_000 if QUICK else 1_000_000
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
WRITERS = [
    w
    for w in os.environ.get("BENCH_WRITERS", "xlsxwriter,rustpy-xlsxwriter,pyexcelerate").split(",")
    if _installed(w)
]
EXPORTS = str(Path(__file__).resolve().parent / "bench_exports.py")


def _span(values: list[float], fmt: str) -> str:
    return f"{statistics.median(values):{fmt}} ({min(values):{fmt}}–{max(values):{fmt}})"


def main() -> None:
    header(
        f"XLSX writers on the same {N:,} rows, {ROUNDS} rounds, order rotating",
        ("BENCH_QUICK=1 " if QUICK else "") + ".venv/bin/python bench/bench_xlsx_writers.py",
    )
    from importlib.metadata import version

    for writer in WRITERS:
        dist = {"xlsxwriter": "XlsxWriter"}.get(writer, writer)
        print(f"  {writer} {version(dist)}")
    folder = tempfile.mkdtemp(prefix="participa-bench-xlsx-")
    url = f"sqlite:///{folder}/bench.db"
    app = make_app(url)
    print(f"  bulk load of {N:,} profiles (SQLite): {build(app, N):.1f} s")
    env = {**env_for(url), "BENCH_SQL": _sql(app), "BENCH_OUT": f"{folder}/out.xlsx"}
    figures: dict[str, dict[str, list[float]]] = {w: {"wall": [], "cpu": [], "rss": []} for w in WRITERS}
    sizes: dict[str, int] = {}
    for turn in range(ROUNDS):
        order = WRITERS[turn % len(WRITERS) :] + WRITERS[: turn % len(WRITERS)]
        for writer in order:
            peak, cpu, text = peak_rss_and_cpu_of_child([PY, EXPORTS, "--bare", writer], env=env)
            match = re.search(r"RESULT (\d+) ([\d.]+) (\d+)", text)
            rows, seconds, size = int(match.group(1)), float(match.group(2)), int(match.group(3))
            assert rows == N, (writer, rows)
            sizes[writer] = size
            figures[writer]["wall"].append(seconds)
            figures[writer]["cpu"].append(cpu)
            figures[writer]["rss"].append(peak)
            print(f"  round {turn + 1} {writer:17} {seconds:7.1f} s wall, {cpu:7.1f} s CPU, {peak:5.0f} MB")
            os.unlink(env["BENCH_OUT"])
    print(f"\n  {'writer':17} {'file':>8}  wall s, median (range)   CPU s, median (range)   peak RSS MB")
    for writer in WRITERS:
        f = figures[writer]
        print(
            f"  {writer:17} {sizes[writer] / 1e6:6.1f} MB  {_span(f['wall'], '.1f'):22}  "
            f"{_span(f['cpu'], '.1f'):22}  {_span(f['rss'], '.0f')}"
        )


if __name__ == "__main__":
    main()
