"""Random-sequence campaigns: the contract and the reference model side by side.

    python -m tests.model.campaign --sequences 100000 --workers 2
    python -m tests.model.campaign --seed 1000000 --sequences 5000 --record docs/campaign-runs.jsonl
    python -m tests.model.campaign --summary docs/campaign-runs.jsonl

Seeds are `--seed + i` for i in range(sequences), so a failure is reproduced with
`--seed N --sequences 1`. A failing sequence is printed with its seed and a minimized call list.
The run fails if any entry point never succeeded. A long campaign can run in chunks of seeds
(across machines or days): `--record` appends one JSON line per run (the commit, the hash of the
contracts/ tree it ran against, seeds, steps, calls, wall and CPU time, failures), and `--summary`
adds up the runs against today's contracts/ tree, refusing overlapping seed ranges.
"""

from __future__ import annotations

import argparse
import datetime
import json
import multiprocessing as mp
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

STEPS = int(os.environ.get("JIEDAN_MODEL_STEPS", "24"))
CHUNK = 10

_world = None


def _init_worker():
    global _world
    import warnings

    warnings.filterwarnings("ignore")
    from . import harness

    _world = harness.World()


def _run_chunk(task):
    from . import harness

    seeds, steps, minimize = task
    stats = harness.Stats()
    failures = []
    for seed in seeds:
        f = harness.run_sequence(_world, seed, steps, stats)
        if f is not None:
            log = harness.minimize(_world, f.log) if minimize else f.log
            failures.append((seed, f.message, harness.describe(_world, log), len(f.log), len(log)))
    return stats, failures


@dataclass
class Result:
    stats: object
    failures: list = field(default_factory=list)
    seconds: float = 0.0
    unreached: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.failures and not self.unreached


def run(sequences: int, workers: int = 2, steps: int = STEPS, seed: int = 0, progress=None, minimize=True,
        stop_on_failure: bool = False) -> Result:  # fmt: skip
    from . import harness

    seeds = list(range(seed, seed + sequences))
    tasks = [(seeds[i : i + CHUNK], steps, minimize) for i in range(0, len(seeds), CHUNK)]
    total = harness.Stats()
    failures = []
    start = time.monotonic()
    if workers <= 1:
        _init_worker()
        results = map(_run_chunk, tasks)
        pool = None
    else:
        ctx = mp.get_context("fork")
        pool = ctx.Pool(workers, initializer=_init_worker)
        results = pool.imap_unordered(_run_chunk, tasks)
    try:
        for stats, fails in results:
            total.merge(stats)
            failures.extend(fails)
            if progress is not None:
                progress(total, failures, time.monotonic() - start)
            if failures and stop_on_failure:
                break
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
    unreached = [e for e in harness.ENTRY_POINTS if total.ok[e] == 0]
    return Result(total, failures, time.monotonic() - start, unreached)


def report(res: Result, console) -> None:
    from rich.table import Table

    st = res.stats
    console.print(
        f"[bold]{st.sequences} sequences, {st.calls} calls in {res.seconds:.1f} s[/] "
        f"({st.sequences / max(res.seconds, 1e-9):.1f} sequences/s, {st.calls / max(res.seconds, 1e-9):.0f} calls/s)"
    )
    t = Table(title="successes per function")
    t.add_column("function")
    t.add_column("ok", justify="right")
    t.add_column("max gas (payout calls)", justify="right")
    for name in sorted(set(st.ok) | set(res.unreached)):
        t.add_row(name, str(st.ok[name]), str(st.max_payout_gas.get(name.split(".")[-1], "")))
    console.print(t)
    t = Table(title="reverts per reason")
    t.add_column("reason")
    t.add_column("count", justify="right")
    for reason, n in st.reverts.most_common():
        t.add_row(reason or "(no reason)", str(n))
    console.print(t)
    if st.hooks:
        console.print(f"hooks: {dict(st.hooks)}")
    for seed, msg, calls, n_full, n_min in res.failures:
        console.print(f"[red]FAILED seed {seed}[/]: {msg}")
        console.print(f"minimized call list ({n_min} of {n_full} steps):\n{calls}")
    if res.unreached:
        console.print(f"[red]never succeeded:[/] {', '.join(res.unreached)}")


ROOT = Path(__file__).resolve().parents[2]


def contracts_tree() -> str:
    """The git hash of contracts/ as it is on disk (uncommitted changes included)."""
    from .contracts_dir import contracts_dir

    tree = contracts_dir()
    env = dict(os.environ, GIT_INDEX_FILE=str(ROOT / ".git" / "campaign-index"))
    try:
        subprocess.run(["git", "read-tree", "HEAD"], cwd=ROOT, env=env, check=True, capture_output=True)
        subprocess.run(["git", "add", "-A", str(tree)], cwd=ROOT, env=env, check=True, capture_output=True)
        out = subprocess.run(["git", "write-tree", "--prefix=contracts/"], cwd=ROOT, env=env, check=True,
                             capture_output=True, text=True)  # fmt: skip
        return out.stdout.strip()
    finally:
        Path(env["GIT_INDEX_FILE"]).unlink(missing_ok=True)


def record(path: Path, args, res: Result, cpu_seconds: float) -> None:
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    line = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "commit": head,
        "contracts": contracts_tree(),
        "seed": args.seed,
        "sequences": res.stats.sequences + len(res.failures),
        "steps": args.steps,
        "workers": args.workers,
        "calls": res.stats.calls,
        "seconds": round(res.seconds, 1),
        "cpu_seconds": round(cpu_seconds, 1),
        "failures": [seed for seed, *_ in res.failures],
        "unreached": res.unreached,
    }
    with path.open("a") as f:
        f.write(json.dumps(line) + "\n")


def summary(path: Path, console) -> int:
    """Adds up the recorded runs against today's contracts/ tree."""
    tree = contracts_tree()
    runs = [json.loads(x) for x in path.read_text().splitlines() if x.strip()]
    mine = sorted((r for r in runs if r["contracts"] == tree), key=lambda r: r["seed"])
    for a, b in zip(mine, mine[1:], strict=False):
        if a["seed"] + a["sequences"] > b["seed"]:
            console.print(f"[red]overlapping seeds:[/] {a['seed']}+{a['sequences']} and {b['seed']}")
            return 1
    seqs = sum(r["sequences"] for r in mine)
    calls = sum(r["calls"] for r in mine)
    wall = sum(r["seconds"] for r in mine)
    cpu = sum(r["cpu_seconds"] for r in mine)
    failed = [s for r in mine for s in r["failures"]]
    steps = sorted({r["steps"] for r in mine})
    console.print(
        f"contracts/ tree {tree[:12]}: {len(mine)} runs of {len(runs)} recorded, {seqs:,} sequences "
        f"({', '.join(map(str, steps))} random steps each, then the drain), {calls:,} calls, "
        f"{wall / 3600:.2f} h of wall time, {cpu / 3600:.2f} h of CPU, failures: {failed or 'none'}"
    )
    return 1 if failed else 0


def main(argv=None) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sequences", type=int, default=1_000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--steps", type=int, default=STEPS, help="random calls per sequence before the drain")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-minimize", action="store_true")
    p.add_argument("--stop-on-failure", action="store_true")
    p.add_argument("--record", type=Path, metavar="FILE", help="append this run's figures to FILE (JSON lines)")
    p.add_argument("--summary", type=Path, metavar="FILE", help="add up the runs in FILE; run nothing")
    a = p.parse_args(argv)
    console = Console()
    if a.summary:
        return summary(a.summary, console)
    with Progress(
        TextColumn("[bold]campaign"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} seq"),
        TextColumn("{task.fields[rate]}"),
        TextColumn("{task.fields[calls]}"),
        TextColumn("[red]{task.fields[failed]}"),
        TimeElapsedColumn(),
        console=console,
    ) as prog:
        task = prog.add_task("run", total=a.sequences, rate="", calls="", failed="")

        last = [0.0]

        def progress(st, failures, elapsed):
            prog.update(task, completed=st.sequences + len(failures), rate=f"{st.sequences / elapsed:.1f} seq/s",
                        calls=f"{st.calls} calls", failed=f"{len(failures)} failed" if failures else "")  # fmt: skip
            if not console.is_terminal and elapsed - last[0] > 30:  # a log file: a plain line now and then
                last[0] = elapsed
                done = st.sequences + len(failures)
                line = f"{done}/{a.sequences} sequences, {st.calls} calls, {st.sequences / elapsed:.1f} seq/s"
                print(f"{line}, {len(failures)} failed, {elapsed:.0f} s", flush=True)

        res = run(a.sequences, a.workers, a.steps, a.seed, progress, minimize=not a.no_minimize,
                  stop_on_failure=a.stop_on_failure)  # fmt: skip
    report(res, console)
    if a.record:
        usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
        record(a.record, a, res, sum(u.ru_utime + u.ru_stime for u in usage))
    return 0 if res.ok else 1


if __name__ == "__main__":
    sys.exit(main())
