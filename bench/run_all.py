"""Run every bench/bench_*.py in order and print their figures (`make bench`)."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
failed = []
for script in sorted(HERE.glob("bench_*.py")):
    print(f"\n##### {script.name}", flush=True)
    if subprocess.run([sys.executable, str(script)], cwd=HERE.parent).returncode != 0:
        failed.append(script.name)
if failed:
    print("\nFAILED:", ", ".join(failed))
    sys.exit(1)
print("\nAll benchmarks ran.")
