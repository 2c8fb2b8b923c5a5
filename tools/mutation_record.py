"""Keep the results of a mutation run made in chunks (and stages) in one file, and add them up.

    python tools/mutation_record.py add var/mutation/chunk-*.json [--stage ape] [--into docs/mutation-results.json]
    python tools/mutation_record.py summary [docs/mutation-results.json]

`add` reads tools/mutate.py's --json outputs and keeps, per mutant id, its site, kind, description and
outcome, under the git hash of today's contracts/ tree (ids number the mutants of that tree only). A
mutant killed by a later stage (e.g. the Ape suite, tools/ape_suite_on.py) replaces the earlier stage's
"survived"; one not run keeps nothing. `summary` prints the counts for today's tree, the score (killed
of killed + survived) and every survivor, and says how many of the generated mutants have no result yet.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.model.campaign import contracts_tree  # noqa: E402

DEFAULT = Path("docs/mutation-results.json")
OUTCOMES = ("killed", "survived", "equivalent", "stillborn")


def _load(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {"trees": {}}


def add(paths: list[Path], into: Path, stage: str) -> int:
    data = _load(into)
    tree = data["trees"].setdefault(contracts_tree(), {"generated": None, "mutants": {}})
    added = 0
    for path in paths:
        run = json.loads(path.read_text())
        tree["generated"] = run["generated"]
        for m in run["mutants"]:
            if m["status"] not in OUTCOMES:
                continue
            key = str(m["id"])
            old = tree["mutants"].get(key)
            if old is not None and old["status"] == "killed" and m["status"] == "survived":
                continue  # an earlier stage killed it
            tree["mutants"][key] = {
                "site": f"{m['file']}:{m['line']}",
                "kind": m["kind"],
                "description": m["description"],
                "status": m["status"],
                "stage": stage if m["status"] in ("killed", "survived") else "compile",
                "seconds": round(m.get("duration") or 0, 1),
            }
            added += 1
    into.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    sys.stdout.write(f"{added} results kept in {into}\n")
    return 0


def summary(path: Path) -> int:
    tree_hash = contracts_tree()
    tree = _load(path)["trees"].get(tree_hash)
    if tree is None:
        sys.stdout.write(f"no results for today's contracts/ tree ({tree_hash[:12]})\n")
        return 1
    mutants = tree["mutants"]
    counts = {outcome: sum(m["status"] == outcome for m in mutants.values()) for outcome in OUTCOMES}
    by_stage: dict[str, int] = {}
    for m in mutants.values():
        if m["status"] == "killed":
            by_stage[m["stage"]] = by_stage.get(m["stage"], 0) + 1
    ran = counts["killed"] + counts["survived"]
    score = f"{counts['killed'] / ran:.1%}" if ran else "n/a"
    missing = (tree["generated"] or 0) - len(mutants)
    sys.stdout.write(
        f"contracts/ tree {tree_hash[:12]}: {tree['generated']} mutants generated, {len(mutants)} with a result "
        f"({missing} not yet); {counts}; killed by stage {by_stage}; score {score}\n"
    )
    for key, m in sorted(mutants.items(), key=lambda item: int(item[0])):
        if m["status"] == "survived":
            sys.stdout.write(f"  survived #{key} {m['site']} {m['kind']}: {m['description']}\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tools/mutation_record.py", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    adding = commands.add_parser("add", help="keep the results of tools/mutate.py --json files")
    adding.add_argument("files", nargs="+", type=Path)
    adding.add_argument("--stage", default="model", help="which kill command ran them (default: model)")
    adding.add_argument("--into", type=Path, default=DEFAULT)
    summing = commands.add_parser("summary", help="add up the kept results for today's contracts/ tree")
    summing.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    args = parser.parse_args(argv)
    if args.command == "add":
        return add(args.files, args.into, args.stage)
    return summary(args.file)


if __name__ == "__main__":
    sys.exit(main())
