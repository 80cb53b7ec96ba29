"""Run every benchmark script (`bench/bench_*.py`) once at smoke size, so CI proves they still work.

Each script takes `--smoke` for a run of a few seconds; full-size runs are for `docs/performance.md`, not CI.
"""

import subprocess
import sys
import time
from pathlib import Path


def main() -> int:
    scripts = sorted(Path(__file__).parent.glob("bench_*.py"))
    failures = 0
    for script in scripts:
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", f"bench.{script.stem}", "--smoke"], check=False)
        status = "ok" if result.returncode == 0 else f"FAILED ({result.returncode})"
        print(f"bench smoke {script.stem}: {status} in {time.perf_counter() - started:.1f}s", flush=True)
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
