#!/usr/bin/python3
"""Python's half of `./spindle bench --vs-asyncio` (see bench/vs-asyncio.sh).

Runs the two workloads of dev.spindle.bench.AsyncioCompare, written the same way, under asyncio's
default event loop and under uvloop (if installed), then prints a table next to Spindle's numbers and
writes the combined JSON:

  spawn     a coroutine creates N trivial tasks and awaits gather() of them; ns per task
  pingpong  two tasks on one loop exchange N round trips through fresh futures (each side sets the
            other's future to its own next one); ns per round trip

Each repetition is timed inside the driver coroutine with perf_counter_ns; the result is the median of
the repetitions after the warm-up ones. Standard library only; meant for Debian's /usr/bin/python3 with
the python3-uvloop package.
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import time

TARGET = 30.0  # DESIGN.md: Spindle >= 30x asyncio and uvloop


async def trivial():
    return 1


async def spawn(n):
    loop = asyncio.get_running_loop()
    start = time.perf_counter_ns()
    tasks = [loop.create_task(trivial()) for _ in range(n)]
    values = await asyncio.gather(*tasks)
    elapsed = time.perf_counter_ns() - start
    assert len(values) == n
    return elapsed


async def pingpong(n):
    loop = asyncio.get_running_loop()
    first = loop.create_future()

    async def responder(mine):
        for _ in range(n):
            reply_to = await mine
            mine = loop.create_future()
            reply_to.set_result(mine)

    task = loop.create_task(responder(first))
    start = time.perf_counter_ns()
    peer = first
    for _ in range(n):
        mine = loop.create_future()
        peer.set_result(mine)
        peer = await mine
    elapsed = time.perf_counter_ns() - start
    await task
    return elapsed


def measure(loop_factory, n, warmup, reps):
    """ns per task / per round trip for both workloads, each the median of `reps` repetitions."""
    results = {}
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        for name, workload in (("spawn", spawn), ("pingpong", pingpong)):
            for _ in range(warmup):
                runner.run(workload(n))
            times = [runner.run(workload(n)) for _ in range(reps)]
            results[name] = statistics.median(times) / n
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=200_000)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--spindle", help="JSON written by dev.spindle.bench.AsyncioCompare")
    parser.add_argument("--out", default="bench/target/asyncio-compare.json")
    args = parser.parse_args()

    spindle = {"spawn_ns": None, "pingpong_ns": None}
    if args.spindle:
        with open(args.spindle) as f:
            spindle = json.load(f)

    print(f"Python {sys.version.split()[0]} ({sys.executable}): asyncio ...", flush=True)
    asyncio_ns = measure(None, args.tasks, args.warmup, args.reps)
    try:
        import uvloop
    except ImportError:
        uvloop = None
        print("uvloop is not installed; to include it: apt-get install python3-uvloop", flush=True)
    uvloop_ns = None
    if uvloop is not None:
        print(f"uvloop {uvloop.__version__} ...", flush=True)
        uvloop_ns = measure(uvloop.new_event_loop, args.tasks, args.warmup, args.reps)

    result = {}
    for name in ("spawn", "pingpong"):
        result[name] = {
            "spindle_ns": spindle.get(name + "_ns"),
            "asyncio_ns": round(asyncio_ns[name], 2),
            "uvloop_ns": round(uvloop_ns[name], 2) if uvloop_ns else None,
        }
    # Read by the report generator (dev.spindle.bench.report) to describe the run.
    result["meta"] = {
        "python": sys.version.split()[0],
        "uvloop": uvloop.__version__ if uvloop is not None else None,
        "tasks": args.tasks,
        "warmup": args.warmup,
        "reps": args.reps,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")

    def cell(v):
        return "-" if v is None else f"{v:,.1f}"

    def ratio(slow, fast):
        if slow is None or not fast:
            return "-"
        r = slow / fast
        return f"{r:,.1f}x {'met' if r >= TARGET else 'MISSED'}"

    unit = {"spawn": "ns/task", "pingpong": "ns/round trip"}
    print()
    print(f"{args.tasks:,} tasks / round trips, median of {args.reps} after {args.warmup} warm-up "
          f"(target: Spindle >= {TARGET:.0f}x)")
    header = ("workload", "spindle", "asyncio", "uvloop", "asyncio/spindle", "uvloop/spindle")
    rows = [header]
    for name in ("spawn", "pingpong"):
        r = result[name]
        rows.append((f"{name} ({unit[name]})", cell(r["spindle_ns"]), cell(r["asyncio_ns"]),
                     cell(r["uvloop_ns"]), ratio(r["asyncio_ns"], r["spindle_ns"]),
                     ratio(r["uvloop_ns"], r["spindle_ns"])))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
