"""Print the slowest tests of one or more JUnit XML reports (pytest --junitxml), slowest first.

    python tools/slowest.py var/junit-*.xml            # the ten slowest
    python tools/slowest.py --top 25 var/junit-ape.xml

A test's time is its setup, call and teardown together (pytest's default for JUnit reports), so a test
that pays for an expensive fixture shows it.
"""

from __future__ import annotations

import argparse
import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def slowest(reports: list[Path], top: int) -> list[tuple[float, str]]:
    timed = []
    for report in reports:
        for case in ET.parse(report).getroot().iter("testcase"):
            name = f"{case.get('classname', '')}::{case.get('name', '')}".lstrip(":")
            timed.append((float(case.get("time") or 0), name))
    return sorted(timed, reverse=True)[:top]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("reports", nargs="+", type=Path, help="JUnit XML files")
    parser.add_argument("--top", type=int, default=10, help="how many tests to list (default 10)")
    args = parser.parse_args(argv)
    missing = [str(report) for report in args.reports if not report.is_file()]
    if missing:
        sys.stderr.write(f"slowest: no such report: {', '.join(missing)}\n")
        return 2
    for seconds, name in slowest(args.reports, args.top):
        sys.stdout.write(f"{seconds:8.1f} s  {name}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
