"""The figures of one run: throughput, latency percentiles, errors by type, and the exactly-once verdict."""

from __future__ import annotations

from typing import Any

from bench.load.verify import Verdict
from bench.load.workload import Tally


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


def figures(
    *, db: str, users: int, processes: int, seconds: float, tally: Tally, verdict: Verdict, locked: int
) -> dict[str, Any]:
    latencies = sorted(tally.latencies)
    errors = {kind: n for kind, n in sorted(tally.outcomes.items()) if not (kind.isdigit() and int(kind) < 300)}
    server_errors = sum(n for kind, n in tally.outcomes.items() if kind.isdigit() and int(kind) >= 500)
    writes_ok = sum(1 for w in tally.writes if w.outcome == "ok")
    return {
        "db": db,
        "users": users,
        "processes": processes,
        "seconds": round(seconds, 2),
        "requests": tally.requests,
        "requests_per_s": round(tally.requests / seconds, 1) if seconds else 0.0,
        "latency_ms": {
            name: round(percentile(latencies, f) * 1000, 1) for name, f in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))
        },
        "p50_ms_by_route": {
            route: round(percentile(sorted(values), 0.5) * 1000, 1)
            for route, values in sorted(tally.route_latencies.items())
        },
        "status_counts": dict(sorted(tally.outcomes.items())),
        "errors_by_type": errors,
        "server_errors_5xx": server_errors,
        "database_locked": locked,
        "writes": {
            "sent": len(tally.writes),
            "ok": writes_ok,
            "unknown_outcome": verdict.unknown,
            "retried_with_idempotency_key": tally.retries,
        },
        "lost_writes": len(verdict.lost),
        "duplicated_writes": len(verdict.duplicated),
        "refused_writes_that_left_rows": len(verdict.leftovers),
        "attachments_missing_bytes": len(verdict.missing_files),
        "orphan_files": len(verdict.orphan_files),
        "examples": (verdict.lost + verdict.duplicated + verdict.leftovers)[:5] + tally.bodies_5xx[:5],
        "targets_met": verdict.clean and server_errors == 0 and locked == 0,
    }


def table(result: dict[str, Any]) -> str:
    latency = result["latency_ms"]
    lines = [
        f"{result['db']}: {result['users']} users, {result['processes']} API processes, {result['seconds']} s",
        f"  requests        {result['requests']}  ({result['requests_per_s']}/s)",
        f"  latency ms      p50 {latency['p50']}  p95 {latency['p95']}  p99 {latency['p99']}",
        f"  p50 ms by route {result['p50_ms_by_route']}",
        f"  errors by type  {result['errors_by_type'] or 'none'}",
        f"  5xx             {result['server_errors_5xx']}   'database is locked': {result['database_locked']}",
        f"  writes          {result['writes']['sent']} sent, {result['writes']['ok']} ok, "
        f"{result['writes']['unknown_outcome']} without an answer",
        f"  lost {result['lost_writes']}  duplicated {result['duplicated_writes']}  "
        f"refused-but-written {result['refused_writes_that_left_rows']}  "
        f"missing files {result['attachments_missing_bytes']}  orphan files {result['orphan_files']}",
        f"  targets met     {'yes' if result['targets_met'] else 'NO'}",
    ]
    lines += [f"  503 cause       {n}× {cause}" for cause, n in result.get("unavailable_causes", {}).items()]
    lines += [f"  e.g. {example}" for example in result["examples"]]
    return "\n".join(lines)
