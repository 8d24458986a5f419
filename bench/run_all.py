"""Run every bench/bench_*.py in order and print their figures (`make bench`).

BENCH_AGAINST=<git ref> (`make bench BENCH_AGAINST=main~1`) also serves that commit in the sign-in
surge, side by side with this checkout (bench_events.py --against)."""

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
AGAINST = os.environ.get("BENCH_AGAINST", "").strip()
failed = []
for script in sorted(HERE.glob("bench_*.py")):
    print(f"\n##### {script.name}", flush=True)
    extra = ["--against", AGAINST] if AGAINST and script.name == "bench_events.py" else []
    if subprocess.run([sys.executable, str(script), *extra], cwd=HERE.parent).returncode != 0:
        failed.append(script.name)
if failed:
    print("\nFAILED:", ", ".join(failed))
    sys.exit(1)
print("\nAll benchmarks ran.")
