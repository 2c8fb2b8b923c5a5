"""tools/mutate.py on a small fixture (tests/tools/fixtures/contracts): which mutants it
generates and where, stillborn and equivalent ones by real vyper compilation, and that
the kill command's verdict is what counts, run against a copy and never the tree."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from tools import mutate

FIXTURES = Path(__file__).parent / "fixtures"
MODULE = "contracts/modules/vault.vy"
TARGET = "contracts/Vault.vy"
SOURCE = (FIXTURES / MODULE).read_text()
LINES = SOURCE.splitlines()

FAIL = "{python} -c 'raise SystemExit(1)'"
PASS = "{python} -c 'raise SystemExit(0)'"
# Fails if the module in $JIEDAN_CONTRACTS_DIR is not the fixture's: kills every mutant,
# passes on the unmutated copy.
DIFFERS = (
    "{python} -c 'import os, pathlib, sys; "
    f'a = pathlib.Path(os.environ["JIEDAN_CONTRACTS_DIR"], "modules/vault.vy").read_text(); '
    f'b = pathlib.Path("{FIXTURES / MODULE}").read_text(); '
    'sys.exit(int(a != b or os.environ["JIEDAN_MUTATION"] != "1"))\''
)


def line_of(text: str) -> int:
    hits = [i + 1 for i, line in enumerate(LINES) if text in line]
    assert len(hits) == 1, (text, hits)
    return hits[0]


def tree_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return h.hexdigest()


def generate():
    return mutate.generate(FIXTURES, [MODULE], [TARGET])


@pytest.fixture(scope="module")
def classified():
    project, mutants = generate()
    mutate.classify(project, mutants, workers=2)
    return project, mutants


def by_line(mutants, text):
    return [m for m in mutants if m.line == line_of(text)]


# --- generation ---------------------------------------------------------------------------


def test_kinds_at_lines():
    _, mutants = generate()
    expected = Counter()
    for text, kinds in {
        "FEE_BPS: constant(uint256) = 250": {"constant": 2},
        "BPS: constant(uint256) = 10_000": {"constant": 2},
        "MAX_FEE_BPS: constant(uint256) = 500": {"constant": 2},
        "UNUSED_FEE_BPS: constant(uint256) = 77": {"constant": 2},
        "assert msg.value > 0": {"assert": 1, "comparison": 2, "off-by-one": 1},  # no `0 - 1`
        "fee: uint256 = msg.value * self.fee_bps // BPS": {"arithmetic": 2},
        "self.fees += fee": {"arithmetic": 1},
        "self.balances[beneficiary] += msg.value - fee": {"arithmetic": 2},
        "self.nonce = self._bump(self.nonce)": {"nonce": 1},
        "assert new_bps <= MAX_FEE_BPS": {"assert": 1, "comparison": 2, "off-by-one": 2},
        "assert msg.sender == self.owner and to != empty(address)": {"assert": 1, "comparison": 2, "boolean": 1},
        "self._push(self.owner, to, amount)": {"recipient": 4, "swap-args": 1},
        "assert self.level < 255": {"assert": 1, "comparison": 2, "off-by-one": 2},
        "self.level += 1": {"arithmetic": 1},
        "for i: uint256 in range(count, bound=LIMIT)": {"off-by-one": 2},
        "t += i": {"arithmetic": 1},
        "self.balances[source] -= amount": {"arithmetic": 1},
        "self.balances[to] += amount": {"arithmetic": 1},
        "return n + 1": {"arithmetic": 1},
    }.items():
        for kind, n in kinds.items():
            expected[(line_of(text), kind)] += n
    assert Counter((m.line, m.kind) for m in mutants) == expected
    assert [m.id for m in mutants] == list(range(1, len(mutants) + 1))
    assert not by_line(mutants, "# mutate: skip")


def test_each_mutant_is_one_edit_of_the_source():
    _, mutants = generate()
    for m in mutants:
        mutated = m.apply(SOURCE)
        assert mutated != SOURCE
        assert mutated[: m.start] == SOURCE[: m.start]
        assert mutated[m.start + len(m.replacement) :] == SOURCE[m.end :]
        assert m.original == LINES[m.line - 1].strip() or "\n" in m.original


def mutated_line(m) -> str:
    return m.apply(SOURCE).splitlines()[m.line - 1]


def test_mutations_read_as_intended():
    _, mutants = generate()
    lines = {(m.kind, mutated_line(m)) for m in mutants}
    assert ("assert", "    pass") in lines  # the indentation is kept
    assert ("comparison", '    assert self.level <= 255, "vault: top level"') in lines
    assert ("comparison", '    assert self.level > 255, "vault: top level"') in lines
    assert ("off-by-one", '    assert new_bps <= MAX_FEE_BPS - 1, "vault: fee above cap"') in lines
    assert ("off-by-one", "    for i: uint256 in range(count + 1, bound=LIMIT):") in lines
    assert ("swap-args", "    self._push(to, self.owner, amount)") in lines
    assert ("recipient", "    self._push(self.owner, msg.sender, amount)") in lines
    assert ("recipient", "    self._push(msg.sender, to, amount)") in lines
    assert ("nonce", "    self.nonce = self.nonce") in lines
    assert ("arithmetic", "    fee: uint256 = msg.value // self.fee_bps // BPS") in lines
    assert (
        "boolean",
        '    assert msg.sender == self.owner or to != empty(address), "vault: not owner or zero"',
    ) in lines
    assert ("constant", "FEE_BPS: constant(uint256) = 251") in lines


def test_select_filters_and_samples():
    _, mutants = generate()
    only = mutate.select(mutants, only=["assert", "nonce"])
    assert {m.kind for m in only} == {"assert", "nonce"} and len(only) == 5
    a = mutate.select(mutants, limit=7, seed=3)
    assert len(a) == 7 and a == mutate.select(mutants, limit=7, seed=3)
    assert [m.id for m in a] == sorted(m.id for m in a)
    assert {m.id for m in a} != {m.id for m in mutate.select(mutants, limit=7, seed=4)}


def test_a_file_no_target_imports_is_refused(tmp_path):
    shutil.copytree(FIXTURES / "contracts", tmp_path / "contracts")
    (tmp_path / "contracts" / "modules" / "orphan.vy").write_text(SOURCE)
    with pytest.raises(mutate.MutationError, match="not imported by any target"):
        mutate.generate(tmp_path, ["contracts/modules/orphan.vy"], [TARGET])


# --- classification -----------------------------------------------------------------------


def test_stillborn_by_compilation(classified):
    _, mutants = classified
    stillborn = [m for m in mutants if m.status == mutate.STILLBORN]
    assert [(m.line, m.replacement) for m in stillborn] == [(line_of("assert self.level < 255"), "256")]
    assert "TypeMismatch" in stillborn[0].detail  # 256 is no uint8


def test_equivalent_to_the_original_or_an_earlier_mutant(classified):
    _, mutants = classified
    equivalent = {m.id: m for m in mutants if m.status == mutate.EQUIVALENT}
    unused = by_line(mutants, "UNUSED_FEE_BPS: constant(uint256) = 77")
    assert all(equivalent.get(m.id) is m and m.detail == "same bytecode as the original" for m in unused)
    # `new_bps <= MAX_FEE_BPS + 1` compiles to what MAX_FEE_BPS = 501 does (an earlier mutant)
    cap = {m.replacement: m for m in by_line(mutants, "MAX_FEE_BPS: constant(uint256) = 500")}
    plus_one = next(m for m in by_line(mutants, "assert new_bps <= MAX_FEE_BPS") if m.replacement.endswith("+ 1"))
    assert plus_one.status == mutate.EQUIVALENT and plus_one.detail == f"same bytecode as #{cap['501'].id}"
    # every equivalent mutant names an earlier one (or the original)
    for m in equivalent.values():
        earlier = m.detail.rsplit("#", 1)[-1]
        assert m.detail.endswith("original") or int(earlier) < m.id
    live = [m for m in mutants if m.status == mutate.LIVE]
    assert len(live) == len(mutants) - 1 - len(equivalent) and len(live) > 30


def test_original_that_does_not_compile_is_an_error(tmp_path):
    root = tmp_path / "repo"
    (root / "contracts").mkdir(parents=True)
    (root / "contracts" / "Broken.vy").write_text("# pragma version ~=0.4.3\nx: uint256 = 1\n")
    with pytest.raises(mutate.MutationError, match="does not compile"):
        mutate.generate(root, ["contracts/Broken.vy"], ["contracts/Broken.vy"])


# --- running the kill command --------------------------------------------------------------


def live_of(classified, n=None):
    project, mutants = classified
    live = [m for m in mutants if m.status in (mutate.LIVE, mutate.KILLED, mutate.SURVIVED)]
    return project, [mutate.Mutant(**{**m.__dict__, "status": mutate.LIVE}) for m in live[:n]]


def test_a_failing_command_kills_everything(classified):
    project, live = live_of(classified)
    before = tree_digest(FIXTURES)
    mutate.run_mutants(project, live, FAIL, workers=2, timeout=30)
    assert {m.status for m in live} == {mutate.KILLED} and {m.detail for m in live} == {"exit 1"}
    assert mutate.summary(live)["score"] == 1.0
    assert tree_digest(FIXTURES) == before


def test_a_passing_command_lets_everything_survive(classified):
    project, live = live_of(classified)
    assert not mutate.baseline(project, PASS, 30).failed
    mutate.run_mutants(project, live, PASS, workers=2, timeout=30)
    assert {m.status for m in live} == {mutate.SURVIVED}
    assert mutate.summary(live)["score"] == 0.0


def test_the_command_tests_the_mutant_in_a_copy(classified):
    project, live = live_of(classified, 8)
    before = tree_digest(FIXTURES)
    assert not mutate.baseline(project, DIFFERS, 30).failed  # the copy is the original
    mutate.run_mutants(project, live, DIFFERS, workers=2, timeout=30)
    assert {m.status for m in live} == {mutate.KILLED}
    assert tree_digest(FIXTURES) == before


def test_a_timeout_kills(classified):
    project, live = live_of(classified, 2)
    mutate.run_mutants(project, live, "sleep 30", workers=2, timeout=0.5)
    assert {m.status for m in live} == {mutate.KILLED}
    assert all(m.detail.startswith("timeout") and m.duration < 10 for m in live)


# --- command line -------------------------------------------------------------------------


def cli(*args):
    return mutate.main(["--root", str(FIXTURES), "--files", MODULE, "--targets", TARGET, *args])


def test_list(capsys):
    assert cli("--list", "--only", "swap-args,nonce") == 0
    out = capsys.readouterr().out
    assert f"{MODULE}:{line_of('self._push(self.owner, to, amount)')} swap-args" in out
    assert "+ self.nonce = self.nonce" in out
    assert "assert:" not in out


def test_run_and_json(tmp_path, capsys):
    out_file = tmp_path / "result.json"
    assert cli("--only", "assert", "--kill", DIFFERS, "--json", str(out_file)) == 0
    data = json.loads(out_file.read_text())
    assert data["summary"] == {
        "total": 4,
        "stillborn": 0,
        "equivalent": 0,
        "killed": 4,
        "survived": 0,
        "not_run": 0,
        "score": 1.0,
    }
    assert {m["kind"] for m in data["mutants"]} == {"assert"} and data["baseline_seconds"] >= 0
    assert "mutation testing" in capsys.readouterr().out


def test_survivors_are_reported(capsys):
    assert cli("--only", "nonce", "--kill", PASS, "--no-baseline") == 0
    out = capsys.readouterr().out
    assert "survivors (1)" in out
    assert f"{MODULE}:{line_of('self.nonce = self._bump(self.nonce)')} nonce" in out
    assert "- self.nonce = self._bump(self.nonce)" in out and "+ self.nonce = self.nonce" in out


def test_a_failing_baseline_stops_the_run(capsys):
    assert cli("--only", "nonce", "--kill", FAIL) == 2
    assert "fails on the unmutated contracts" in capsys.readouterr().err


def test_a_command_that_ignores_the_copy_stops_the_run(capsys):
    # PASS never looks at $JIEDAN_CONTRACTS_DIR: the canary (a copy that does not compile) passes
    assert cli("--only", "nonce", "--kill", PASS) == 2
    assert "does not test the copy it is given" in capsys.readouterr().err


def test_canary_copy_does_not_compile(classified):
    project, _ = classified
    looks = (
        "{python} -c 'import os, pathlib, sys; "
        'text = pathlib.Path(os.environ["JIEDAN_CONTRACTS_DIR"], "modules/vault.vy").read_text(); '
        'sys.exit("not vyper" in text)\''
    )
    assert mutate.canary(project, looks, 30).failed
    assert not mutate.baseline(project, looks, 30).failed


def test_targets_default_to_every_top_level_contract():
    project, mutants = mutate.generate(FIXTURES, [MODULE])
    assert project.targets == [TARGET] and project.dependents == {TARGET: [TARGET], MODULE: [TARGET]}
    assert len(mutants) == len(generate()[1])


def test_unknown_kind_is_refused():
    with pytest.raises(SystemExit):
        cli("--only", "bogus")


def test_fail_under():
    assert cli("--only", "nonce", "--kill", PASS, "--no-baseline", "--fail-under", "50") == 1
    assert cli("--only", "nonce", "--kill", DIFFERS, "--fail-under", "100") == 0


def test_sigterm_stops_the_run__and_writes_what_it_has(tmp_path):
    """A background run (where SIGINT starts ignored) is stopped with SIGTERM: it ends its kill commands,
    reports and writes the JSON, every mutant not run marked so."""
    import os
    import signal
    import subprocess
    import sys
    import time

    out_file = tmp_path / "result.json"
    log = tmp_path / "mutate.log"
    command = [sys.executable, "tools/mutate.py", "--root", str(FIXTURES), "--files", MODULE, "--targets", TARGET]
    command += ["--only", "assert", "-j", "1", "--no-baseline", "--timeout", "300", "--json", str(out_file)]
    command += ["--kill", "sleep 120"]
    root = Path(__file__).resolve().parents[2]
    with log.open("w") as sink:
        run = subprocess.Popen(command, cwd=root, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while "to run" not in log.read_text() and time.monotonic() < deadline and run.poll() is None:
            time.sleep(0.2)
        time.sleep(1)  # the first kill command is under way
        started = time.monotonic()
        os.kill(run.pid, signal.SIGTERM)
        assert run.wait(timeout=30) == 130, log.read_text()
        assert time.monotonic() - started < 30  # it did not wait for the sleeping kill commands
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    summary = json.loads(out_file.read_text())["summary"]
    assert summary["not_run"] == 4 and summary["killed"] == summary["survived"] == 0
