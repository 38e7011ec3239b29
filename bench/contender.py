"""Run one comparison contender in its own process: ``python -m bench.contender pandas|floor INBOX OUT``.

Its own process, so that its wall time and peak memory are measured the same way as ``wres run``'s.
Writes ``OUT/core_<name>.csv`` (``bench.core_numbers``) and ``OUT/timing_<name>.json`` with
``import_s`` (libraries loaded) and ``compute_s`` (inbox read to indicators, the number the targets
use).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    name, inbox, out = (argv if argv is not None else sys.argv[1:])[:3]
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    from bench import core_numbers

    if name == "pandas":
        from bench.pandas_indicators import compute_indicators

        imported = time.perf_counter()
        indicators = compute_indicators(Path(inbox))
        computed = time.perf_counter()
        core = core_numbers.from_indicators(indicators)
        rows = len(indicators)
    elif name == "floor":
        from bench.duckdb_floor import floor_counts

        imported = time.perf_counter()
        counts = floor_counts(Path(inbox))
        computed = time.perf_counter()
        core = core_numbers.from_floor(counts)
        rows = sum(len(frame) for frame in counts.values())
    else:
        print(f"unknown contender {name!r}", file=sys.stderr)
        return 2
    core.to_csv(out_dir / f"core_{name}.csv", index=False)
    timing = {"import_s": imported - started, "compute_s": computed - imported, "result_rows": rows}
    (out_dir / f"timing_{name}.json").write_text(json.dumps(timing))
    return 0


if __name__ == "__main__":
    sys.exit(main())
