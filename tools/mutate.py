"""Mutation testing for the Vyper contracts.

Generates mutants of the contract modules (one textual change at one site
each), compiles the deployable contracts that import them to throw out the
ones that do not compile ("stillborn") and the ones whose bytecode is
identical to the original's or an earlier mutant's ("equivalent"), then runs
a kill command against every remaining mutant in a temporary copy of
contracts/ (pointed to by JIEDAN_CONTRACTS_DIR). A mutant is killed when the
command fails or times out, and survives when it passes.

    python tools/mutate.py --list                 # the mutants, without compiling or running
    python tools/mutate.py --list --classify      # ... with their compile status
    python tools/mutate.py --limit 20 --kill "{python} tools/mutation_smoke.py"
    python tools/mutate.py --only comparison,assert --json var/mutation.json

The kill command runs through the shell from the repository root with
JIEDAN_CONTRACTS_DIR=<temp>/contracts, JIEDAN_MUTATION=1 (a suite can run a
shorter campaign then), JIEDAN_MUTATION_SCRATCH (a directory of the worker's
that lasts for the run, e.g. for compile caches) and JIEDAN_MUTANT (what the
mutant is; unset for the baseline); `{python}` in it stands for this interpreter. Before
the mutants it runs once on the unmutated copy, which must pass (its duration
sets the default timeout), and once on a copy where the first file does not
compile, which must fail: a command that does not load the contracts from
JIEDAN_CONTRACTS_DIR would let every mutant survive.

Mutant kinds (--only): comparison, off-by-one, assert, recipient, swap-args,
nonce, arithmetic, boolean, constant. A source line with the comment
`# mutate: skip` is never mutated.

Ctrl-C or SIGTERM stops a run: the kill commands under way are ended, and the mutants run so far are
reported and written to --json (the others as not run), so a long run can be stopped and resumed
with --ids.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import json
import multiprocessing
import os
import queue
import random
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

DEFAULT_FILES = (
    "contracts/modules/escrow_core.vy",
    "contracts/modules/payouts.vy",
    "contracts/modules/settings.vy",
    "contracts/modules/reputation_ledger.vy",
)
# Deployable contracts compiled per mutant; None: every contracts/*.vy (v1: Escrow.vy and
# Reputation.vy; v2 adds EscrowAgreements.vy, which initialises the same modules).
DEFAULT_TARGETS = None
DEFAULT_KILL = "{python} -m pytest -p no:ape_test tests/model -x -q"
# Internal calls that move value: their address arguments get swapped recipients.
DEFAULT_PAYOUT_CALLS = r"push|pull|pay|send|transfer|refund|credit|withdraw"
# Constants whose value is changed by one.
DEFAULT_CONSTANTS = r"BPS|FEE"

KINDS = (
    "comparison",
    "off-by-one",
    "assert",
    "recipient",
    "swap-args",
    "nonce",
    "arithmetic",
    "boolean",
    "constant",
)
SKIP_MARKER = "# mutate: skip"

STILLBORN, EQUIVALENT, LIVE, KILLED, SURVIVED = "stillborn", "equivalent", "live", "killed", "survived"


# --- mutants ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    """Replace source[start:end] with `text`."""

    start: int
    end: int
    text: str


@dataclass
class Mutant:
    id: int
    file: str  # relative to the root, posix
    line: int
    col: int
    kind: str
    description: str
    start: int
    end: int
    replacement: str
    original: str  # the original line(s) the edit touches, stripped
    mutated: str  # the same line(s) after the edit, stripped
    status: str = ""  # stillborn | equivalent | live | killed | survived
    detail: str = ""  # compiler error, "same as #N", "exit 1", "timeout after 30 s"
    duration: float = 0.0
    output: str = ""  # the tail of the kill command's output

    @property
    def site(self) -> str:
        return f"{self.file}:{self.line}"

    def apply(self, source: str) -> str:
        return source[: self.start] + self.replacement + source[self.end :]


class MutationError(Exception):
    """Bad input: a file no target imports, an original that does not compile, ..."""


def _int_type(typ) -> bool:
    from vyper.semantics.types import IntegerT

    return isinstance(typ, IntegerT)


def _address_type(typ) -> bool:
    from vyper.semantics.types import AddressT

    return isinstance(typ, AddressT)


def _typ(node):
    return node._metadata.get("type") if node is not None else None


class _Generator:
    """Walks one annotated module and yields (kind, description, Edit) for every mutation site."""

    def __init__(self, module, source: str, payout_calls: str, constants: str):
        self.module = module
        self.source = source
        self.payout_re = re.compile(payout_calls, re.IGNORECASE)
        self.constant_re = re.compile(constants)
        self.lines = source.splitlines(keepends=True)
        self.line_starts = [0]
        for line in self.lines:
            self.line_starts.append(self.line_starts[-1] + len(line))

    # -- positions ---------------------------------------------------------------------

    def span(self, node) -> tuple[int, int] | None:
        """The node's [start, end) in the source, or None if vyper's positions are off."""
        if getattr(node, "src", None) is None:
            return None
        start, length, _ = (int(x) for x in node.src.split(":"))
        if self.source[start : start + length] != node.node_source_code:
            return None
        return start, start + length

    def text(self, node) -> str | None:
        sp = self.span(node)
        return None if sp is None else self.source[sp[0] : sp[1]]

    def line_col(self, offset: int) -> tuple[int, int]:
        lo, hi = 0, len(self.line_starts) - 1
        while lo < hi - 1:
            mid = (lo + hi) // 2
            if self.line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid
        return lo + 1, offset - self.line_starts[lo]

    def token_between(self, left, right, tokens: Iterable[str]) -> tuple[int, int, str] | None:
        """Find the one operator token between two nodes (only whitespace and parentheses beside it)."""
        a, b = self.span(left), self.span(right)
        if a is None or b is None or a[1] > b[0]:
            return None
        gap = self.source[a[1] : b[0]]
        stripped = re.sub(r"[\s()\\]", "", gap)
        for tok in sorted(tokens, key=len, reverse=True):
            if stripped == tok:
                pattern = rf"\b{tok}\b" if tok.isalpha() else re.escape(tok)
                hits = list(re.finditer(pattern, gap))
                if len(hits) == 1:
                    s = a[1] + hits[0].start()
                    return s, s + len(tok), tok
        return None

    def skipped(self, offset: int) -> bool:
        line, _ = self.line_col(offset)
        return SKIP_MARKER in self.lines[line - 1]

    # -- helpers -----------------------------------------------------------------------

    def folded_int(self, node) -> int | None:
        from vyper import ast as vy_ast

        if isinstance(node, vy_ast.Int):
            return node.value
        try:
            if node.has_folded_value:
                value = node.get_folded_value()
                if isinstance(value, vy_ast.Int):
                    return value.value
        except Exception:  # folding is best effort
            return None
        return None

    def plus_minus_one(self, node) -> Iterator[tuple[str, str]]:
        """(replacement, description) for node + 1 and node - 1."""
        from vyper import ast as vy_ast

        text = self.text(node)
        if text is None:
            return
        value = self.folded_int(node)
        for delta in (1, -1):
            if value is not None and value + delta < 0 and not _signed(node):
                continue  # a negative unsigned constant never compiles
            if isinstance(node, vy_ast.Int):
                new = str(node.value + delta)
            elif isinstance(node, (vy_ast.Name, vy_ast.Attribute, vy_ast.Call, vy_ast.Subscript)):
                new = f"{text} {'+' if delta > 0 else '-'} 1"
            else:
                new = f"({text}) {'+' if delta > 0 else '-'} 1"
            yield new, f"`{_short(text)}` → `{_short(new)}`"

    def node_edit(self, node, replacement: str) -> Edit | None:
        sp = self.span(node)
        return None if sp is None else Edit(sp[0], sp[1], replacement)

    # -- kinds -------------------------------------------------------------------------

    def generate(self) -> Iterator[tuple[str, str, Edit]]:
        from vyper import ast as vy_ast

        for node in self.module.get_descendants():
            if isinstance(node, vy_ast.Compare):
                yield from self.comparison(node)
                yield from self.compare_off_by_one(node)
            elif isinstance(node, vy_ast.Call):
                yield from self.call_off_by_one(node)
                yield from self.payout(node)
                yield from self.nonce_call(node)
            elif isinstance(node, vy_ast.Assert):
                edit = self.node_edit(node, "pass")
                if edit:
                    yield "assert", "drop the assert", edit
            elif isinstance(node, vy_ast.BinOp):
                yield from self.arithmetic(node.left, node.op, node.right)
                yield from self.literal_constant(node)
            elif isinstance(node, vy_ast.AugAssign):
                yield from self.arithmetic(node.target, node.op, node.value, augmented=True)
                yield from self.nonce_aug(node)
            elif isinstance(node, vy_ast.BoolOp):
                yield from self.boolean(node)
            elif isinstance(node, vy_ast.VariableDecl):
                yield from self.declared_constant(node)
            elif isinstance(node, vy_ast.Assign):
                yield from self.nonce_assign(node)

    COMPARE_TOKENS = {"Lt": "<", "LtE": "<=", "Gt": ">", "GtE": ">=", "Eq": "==", "NotEq": "!="}
    COMPARE_FLIPS = {
        "<": ("<=", ">"),
        "<=": ("<", ">="),
        ">": (">=", "<"),
        ">=": (">", "<="),
        "==": ("!=",),
        "!=": ("==",),
    }

    def comparison(self, node):
        tok = self.COMPARE_TOKENS.get(type(node.op).__name__)
        if tok is None:
            return
        found = self.token_between(node.left, node.right, [tok])
        if found is None:
            return
        s, e, _ = found
        for new in self.COMPARE_FLIPS[tok]:
            yield "comparison", f"`{tok}` → `{new}`", Edit(s, e, new)

    def compare_off_by_one(self, node):
        tok = self.COMPARE_TOKENS.get(type(node.op).__name__)
        if tok is None:
            return
        sides = [n for n in (node.left, node.right) if self.folded_int(n) is not None]
        if not sides and tok in ("<", "<=", ">", ">=") and _int_type(_typ(node.right)):
            sides = [node.right]  # the bound
        for side in sides:
            for new, desc in self.plus_minus_one(side):
                edit = self.node_edit(side, new)
                if edit:
                    yield "off-by-one", desc, edit

    def call_off_by_one(self, node):
        from vyper import ast as vy_ast

        if not isinstance(node.func, vy_ast.Name):
            return
        positions = {"range": range(len(node.args)), "slice": (1, 2), "extract32": (1,)}.get(node.func.id)
        if positions is None:
            return
        for i in positions:
            if i < len(node.args):
                arg = node.args[i]
                for new, desc in self.plus_minus_one(arg):
                    edit = self.node_edit(arg, new)
                    if edit:
                        yield "off-by-one", f"{node.func.id}(): {desc}", edit

    def internal_callee(self, node):
        """The ContractFunctionT of an internal call (`self.f(...)` or `module.f(...)`), else None."""
        from vyper import ast as vy_ast
        from vyper.semantics.types.function import ContractFunctionT

        if not isinstance(node.func, vy_ast.Attribute) or isinstance(node._parent, (vy_ast.ExtCall, vy_ast.StaticCall)):
            return None
        ft = _typ(node.func)
        if isinstance(ft, ContractFunctionT) and ft.is_internal:
            return ft
        return None

    def function_parties(self, fn) -> list[str]:
        """Address-typed expressions a payout in `fn` could wrongly go to."""
        from vyper import ast as vy_ast

        names: list[str] = []
        func_t = fn._metadata.get("func_type")
        for a in getattr(func_t, "arguments", []) or []:
            if _address_type(a.typ):
                names.append(a.name)
        for ann in fn.get_descendants(vy_ast.AnnAssign):
            if _address_type(_typ(ann.target)) or (self.text(ann.annotation) or "") == "address":
                names.append(ann.target.id)
        names.append("msg.sender")
        for call in fn.get_descendants(vy_ast.Call):
            callee = self.internal_callee(call)
            if callee is None or not self.payout_re.search(callee.name):
                continue
            for a in call.args:
                text = self.text(a)
                if text and _address_type(_typ(a)):
                    names.append(text)
        seen: list[str] = []
        for n in names:
            if n not in seen and "token" not in n.lower():
                seen.append(n)
        return seen

    def payout(self, node):
        from vyper import ast as vy_ast

        callee = self.internal_callee(node)
        if callee is None or not self.payout_re.search(callee.name):
            return
        fn = node.get_ancestor(vy_ast.FunctionDef)
        params = [a.name for a in callee.arguments]
        address_args = [
            (i, a, self.text(a)) for i, a in enumerate(node.args) if _address_type(_typ(a)) and self.text(a) is not None
        ]
        parties = self.function_parties(fn) if fn is not None else []
        call_name = self.text(node.func)
        for i, arg, text in address_args:
            pname = params[i] if i < len(params) else str(i)
            if "token" in pname.lower():
                continue
            for other in parties:
                if other != text:
                    yield (
                        "recipient",
                        f"{call_name}(): {pname} `{_short(text)}` → `{_short(other)}`",
                        self.node_edit(arg, other),
                    )
        for x in range(len(address_args)):
            for y in range(x + 1, len(address_args)):
                (_, a, ta), (_, b, tb) = address_args[x], address_args[y]
                if ta == tb:
                    continue
                sa, sb = self.span(a), self.span(b)
                # one edit covering both arguments, with everything between them kept
                middle = self.source[sa[1] : sb[0]]
                yield (
                    "swap-args",
                    f"{call_name}(): swap `{_short(ta)}` and `{_short(tb)}`",
                    Edit(sa[0], sb[1], tb + middle + ta),
                )

    def nonce_call(self, node):
        from vyper import ast as vy_ast

        callee = self.internal_callee(node)
        if callee is None:
            return
        name = callee.name.lower()
        if "nonce" not in name and "_bump" not in name:
            return
        call_text = _short(self.text(node) or callee.name)
        if isinstance(node._parent, vy_ast.Expr):
            edit = self.node_edit(node._parent, "pass")
            if edit:
                yield "nonce", f"drop `{call_text}`", edit
            return
        if node.args:
            first = node.args[0]
            text = self.text(first)
            ret = _typ(node)
            if text is None or ret is None or _typ(first) != ret:
                return
            if not isinstance(first, (vy_ast.Name, vy_ast.Attribute, vy_ast.Call, vy_ast.Subscript, vy_ast.Int)):
                text = f"({text})"
            edit = self.node_edit(node, text)
            if edit:
                yield "nonce", f"`{call_text}` → `{_short(text)}`", edit

    def nonce_aug(self, node):
        if "nonce" in (self.text(node.target) or "").lower():
            edit = self.node_edit(node, "pass")
            if edit:
                yield "nonce", f"drop `{_short(self.text(node))}`", edit

    def nonce_assign(self, node):
        from vyper import ast as vy_ast

        target = self.text(node.target) or ""
        if (
            "nonce" in target.lower()
            and isinstance(node.value, vy_ast.BinOp)
            and isinstance(node.value.op, vy_ast.Add)
            and self.text(node.value.left) == target
        ):
            edit = self.node_edit(node, "pass")
            if edit:
                yield "nonce", f"drop `{_short(self.text(node))}`", edit

    ARITH = {"Add": ("+", "-"), "Sub": ("-", "+"), "Mult": ("*", "//"), "FloorDiv": ("//", "*"), "Div": ("/", "*")}

    def arithmetic(self, left, op, right, augmented=False):
        pair = self.ARITH.get(type(op).__name__)
        if pair is None:
            return
        old, new = pair
        if augmented:
            old, new = old + "=", new + "="
        found = self.token_between(left, right, [old])
        if found is None:
            return
        s, e, _ = found
        yield "arithmetic", f"`{old}` → `{new}`", Edit(s, e, new)

    def boolean(self, node):
        from vyper import ast as vy_ast

        old, new = ("and", "or") if isinstance(node.op, vy_ast.And) else ("or", "and")
        for left, right in zip(node.values, node.values[1:], strict=False):
            found = self.token_between(left, right, [old])
            if found:
                s, e, _ = found
                yield "boolean", f"`{old}` → `{new}`", Edit(s, e, new)

    def declared_constant(self, node):
        if not node.is_constant or not self.constant_re.search(node.target.id):
            return
        if self.folded_int(node.value) is None:
            return
        for new, desc in self.plus_minus_one(node.value):
            edit = self.node_edit(node.value, new)
            if edit:
                yield "constant", f"{node.target.id}: {desc}", edit

    def literal_constant(self, node):
        """A literal >= 2 beside a bps/fee name in an expression inside a function (`x * 5_000 // BPS`)."""
        from vyper import ast as vy_ast

        if node.get_ancestor(vy_ast.FunctionDef) is None:
            return
        top = node
        while isinstance(top._parent, vy_ast.BinOp):
            top = top._parent
        names = [n.id for n in top.get_descendants(vy_ast.Name)] + [
            a.attr for a in top.get_descendants(vy_ast.Attribute)
        ]
        if not any(self.constant_re.search(n) for n in names):
            return
        for side in (node.left, node.right):
            if isinstance(side, vy_ast.Int) and side.value >= 2:
                for new, desc in self.plus_minus_one(side):
                    edit = self.node_edit(side, new)
                    if edit:
                        yield "constant", desc, edit


def _signed(node) -> bool:
    typ = _typ(node)
    return bool(getattr(typ, "is_signed", False))


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- compiling ------------------------------------------------------------------------


def _search_paths(contracts_dir: Path) -> list[Path]:
    from vyper.cli.vyper_compile import get_search_paths

    return get_search_paths([str(contracts_dir.parent)])


def analyze(target: Path, contracts_dir: Path):
    """Semantic analysis of a deployable contract: its annotated AST (and those of its modules)."""
    from vyper.compiler.input_bundle import FilesystemInputBundle
    from vyper.compiler.phases import CompilerData

    bundle = FilesystemInputBundle(_search_paths(contracts_dir))
    data = CompilerData(bundle.load_file(target), bundle)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return data.annotated_vyper_module


def imported_modules(annotated) -> dict[Path, object]:
    """Resolved path -> annotated Module node, for the contract and every module it imports."""
    from vyper.semantics.analysis.base import ModuleInfo
    from vyper.semantics.types.module import ModuleT

    found: dict[Path, object] = {Path(annotated.resolved_path).resolve(): annotated}

    def walk(module_t):
        for stmt in module_t.import_stmts:
            typ = stmt._metadata["import_info"].typ
            if isinstance(typ, ModuleInfo):
                typ = typ.module_t
            if isinstance(typ, ModuleT):
                path = Path(typ._module.resolved_path).resolve()
                if path not in found:
                    found[path] = typ._module
                    walk(typ)

    walk(annotated._metadata["type"])
    return found


@dataclass
class Project:
    root: Path
    contracts_dir: Path  # absolute
    targets: list[str]  # relative to root
    files: list[str]  # relative to root
    dependents: dict[str, list[str]] = field(default_factory=dict)  # file -> targets that import it
    sources: dict[str, str] = field(default_factory=dict)  # file -> the text the mutants were made from

    def relative_to_contracts(self, rel: str) -> Path:
        return (self.root / rel).resolve().relative_to(self.contracts_dir)


def generate(
    root: Path = ROOT,
    files: Iterable[str] = DEFAULT_FILES,
    targets: Iterable[str] | None = DEFAULT_TARGETS,
    contracts_dir: str = "contracts",
    payout_calls: str = DEFAULT_PAYOUT_CALLS,
    constants: str = DEFAULT_CONSTANTS,
) -> tuple[Project, list[Mutant]]:
    """Every mutant of `files`, in file order then source order, numbered from 1."""
    root = Path(root).resolve()
    cdir = (root / contracts_dir).resolve()
    if targets is None:
        targets = [p.relative_to(root).as_posix() for p in sorted(cdir.glob("*.vy"))]
    project = Project(root, cdir, list(targets), [str(f) for f in files])
    modules: dict[Path, object] = {}
    for target in project.targets:
        path = (root / target).resolve()
        if not path.is_relative_to(cdir):
            raise MutationError(f"{target} is not in {contracts_dir}/")
        try:
            annotated = analyze(path, cdir)
        except Exception as exc:  # any compiler error
            raise MutationError(f"{target} does not compile: {_first_line(exc)}") from exc
        for mpath, node in imported_modules(annotated).items():
            modules.setdefault(mpath, node)
            if mpath.is_relative_to(cdir):
                rel = mpath.relative_to(root).as_posix()
                project.dependents.setdefault(rel, []).append(target)

    mutants: list[Mutant] = []
    normalized: list[str] = []
    for given in project.files:
        path = (root / given).resolve()
        if not path.is_relative_to(cdir):
            raise MutationError(f"{given} is not in {contracts_dir}/")
        rel = path.relative_to(root).as_posix()
        if path not in modules or rel not in project.dependents:
            raise MutationError(f"{rel} is not imported by any target ({', '.join(project.targets)})")
        source = path.read_text()
        gen = _Generator(modules[path], source, payout_calls, constants)
        if modules[path].full_source_code != source:
            raise MutationError(f"{rel} changed while it was analysed")
        project.sources[rel] = source
        normalized.append(rel)
        seen: set[Edit] = set()
        found = []
        for kind, desc, edit in gen.generate():
            if edit is None or edit in seen or gen.skipped(edit.start):
                continue
            if source[edit.start : edit.end] == edit.text:
                continue
            seen.add(edit)
            found.append((edit.start, KINDS.index(kind), kind, desc, edit))
        for _, _, kind, desc, edit in sorted(found, key=lambda f: (f[0], f[1], f[4].end, f[4].text)):
            line, col = gen.line_col(edit.start)
            end_line, _ = gen.line_col(max(edit.start, edit.end - 1))
            mutated_source = source[: edit.start] + edit.text + source[edit.end :]
            mutated_end_line, _ = _line_col_of(mutated_source, edit.start + max(len(edit.text) - 1, 0))
            mutants.append(
                Mutant(
                    id=len(mutants) + 1,
                    file=rel,
                    line=line,
                    col=col,
                    kind=kind,
                    description=desc,
                    start=edit.start,
                    end=edit.end,
                    replacement=edit.text,
                    original=_lines(source, line, end_line),
                    mutated=_lines(mutated_source, line, mutated_end_line),
                )
            )
    project.files = normalized
    return project, mutants


def _line_col_of(source: str, offset: int) -> tuple[int, int]:
    line = source.count("\n", 0, offset) + 1
    return line, offset - (source.rfind("\n", 0, offset) + 1)


def _lines(source: str, first: int, last: int) -> str:
    lines = source.splitlines()[first - 1 : last]
    return "\n".join(line.strip() for line in lines)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    for line in text.splitlines():
        if line.strip():
            return f"{type(exc).__name__}: {line.strip()}"[:300]
    return type(exc).__name__


def compile_bytecode(target: Path, contracts_dir: Path, evm_version: str | None = None) -> bytes:
    import vyper
    from vyper.compiler.input_bundle import FilesystemInputBundle
    from vyper.compiler.settings import Settings

    bundle = FilesystemInputBundle(_search_paths(contracts_dir))  # a new bundle: no stale file cache
    settings = Settings(evm_version=evm_version) if evm_version else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = vyper.compile_from_file_input(
            bundle.load_file(target),
            input_bundle=bundle,
            output_formats=["bytecode"],
            settings=settings,
            # the metadata holds a hash of the sources, which differs for every mutant
            no_bytecode_metadata=True,
        )
    return bytes.fromhex(out["bytecode"].removeprefix("0x"))


# --- workers: each has its own copy of contracts/ ----------------------------------------


def _copy_contracts(src: Path, parent: Path) -> Path:
    parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="w", dir=parent))
    dest = work / "contracts"
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__", ".build"))
    return dest


class _Sandbox:
    """A copy of contracts/ into which one mutant at a time is written."""

    def __init__(self, project: Project, parent: Path):
        self.project = project
        self.contracts = _copy_contracts(project.contracts_dir, parent)
        self.scratch = self.contracts.parent / "scratch"  # kept across this worker's mutants
        self.scratch.mkdir()

    def path_of(self, rel: str) -> Path:
        return self.contracts / self.project.relative_to_contracts(rel)

    def original(self, rel: str) -> str:
        return self.project.sources[rel]

    def write(self, mutant: Mutant | None) -> Callable[[], None]:
        """Put the mutant in place; returns the function that restores the original."""
        if mutant is None:
            return lambda: None
        path = self.path_of(mutant.file)
        original = self.original(mutant.file)
        path.write_text(mutant.apply(original))
        return lambda: path.write_text(original)


_compile_state: dict = {}


def _compile_init(project: Project, parent: str, evm_version: str | None) -> None:
    _compile_state.update(sandbox=_Sandbox(project, Path(parent)), evm=evm_version)


def _digest(project: Project, codes: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for target in project.targets:
        digest.update(target.encode() + b"\0" + codes[target])
    return digest.hexdigest()


def _compile_original() -> dict[str, bytes]:
    sandbox: _Sandbox = _compile_state["sandbox"]
    return {
        t: compile_bytecode(sandbox.path_of(t), sandbox.contracts, _compile_state["evm"])
        for t in sandbox.project.targets
    }


def _compile_one(mutant: Mutant, original: dict[str, bytes]) -> tuple[int, str | None, str | None]:
    """Compile the targets a mutant touches: (id, bytecode digest, None) or (id, None, error)."""
    sandbox: _Sandbox = _compile_state["sandbox"]
    project = sandbox.project
    codes = dict(original)
    restore = sandbox.write(mutant)
    try:
        for target in project.dependents.get(mutant.file, []):
            codes[target] = compile_bytecode(sandbox.path_of(target), sandbox.contracts, _compile_state["evm"])
    except Exception as exc:  # any compiler failure makes the mutant stillborn
        return mutant.id, None, _first_line(exc)
    finally:
        restore()
    return mutant.id, _digest(project, codes), None


def classify(
    project: Project,
    mutants: list[Mutant],
    workers: int = 2,
    evm_version: str | None = None,
    progress: Callable[[Mutant], None] | None = None,
) -> None:
    """Compile every mutant; set status to stillborn, equivalent or live (in place).

    Equivalent: the bytecode of every target (without the metadata, which hashes the
    sources) is identical to the original's or to that of a mutant with a lower id.
    """
    parent = Path(tempfile.mkdtemp(prefix="jiedan-mutate-compile-"))
    by_id = {m.id: m for m in mutants}
    digests: dict[int, str] = {}
    try:
        with concurrent.futures.ProcessPoolExecutor(
            max_workers=max(1, workers),
            mp_context=multiprocessing.get_context("spawn"),  # no fork of a threaded parent
            initializer=_compile_init,
            initargs=(project, str(parent), evm_version),
        ) as pool:
            try:
                original = pool.submit(_compile_original).result()
            except BrokenProcessPool:
                raise
            except Exception as exc:  # a compiler error
                raise MutationError(f"the original contracts do not compile: {_first_line(exc)}") from exc
            futures = [pool.submit(_compile_one, m, original) for m in mutants]
            try:
                for fut in concurrent.futures.as_completed(futures):
                    mid, digest, error = fut.result()
                    m = by_id[mid]
                    if error:
                        m.status, m.detail = STILLBORN, error
                    else:
                        digests[mid] = digest
                        m.status = LIVE
                    if progress:
                        progress(m)
            except BaseException:
                for f in futures:
                    f.cancel()
                raise
    finally:
        shutil.rmtree(parent, ignore_errors=True)
    first_with: dict[str, int] = {_digest(project, original): 0}
    for m in sorted(mutants, key=lambda m: m.id):
        if m.status != LIVE:
            continue
        earlier = first_with.setdefault(digests[m.id], m.id)
        if earlier != m.id:
            m.status = EQUIVALENT
            m.detail = "same bytecode as the original" if earlier == 0 else f"same bytecode as #{earlier}"


# --- running the kill command ------------------------------------------------------------


@dataclass
class RunResult:
    failed: bool
    timed_out: bool
    returncode: int | None
    duration: float
    output: str


def run_command(command: str, cwd: Path, box: _Sandbox, timeout: float, mutant: Mutant | None = None) -> RunResult:
    contracts = box.contracts
    env = dict(os.environ)
    env["JIEDAN_CONTRACTS_DIR"] = str(contracts)
    env["JIEDAN_MUTATION"] = "1"
    env["JIEDAN_MUTATION_SCRATCH"] = str(box.scratch)
    if mutant is not None:
        env["JIEDAN_MUTANT"] = f"{mutant.id} {mutant.site} {mutant.kind}: {mutant.description}"
    cmd = command.replace("{python}", shlex.quote(sys.executable)).replace("{contracts}", shlex.quote(str(contracts)))
    started = time.monotonic()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(
            cmd,
            shell=True,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        with _running_lock:
            _running.add(proc)
        timed_out = False
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            _kill_group(proc)
            with _running_lock:
                _running.discard(proc)
        duration = time.monotonic() - started
        out.seek(0)
        data = out.read()
    tail = data[-4000:].decode(errors="replace")
    rc = None if timed_out else proc.returncode
    return RunResult(timed_out or rc != 0, timed_out, rc, duration, tail)


_running: set[subprocess.Popen] = set()
_running_lock = threading.Lock()


def _kill_running() -> None:
    """End every kill command under way (on an interrupt)."""
    with _running_lock:
        procs = list(_running)
    for proc in procs:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _kill_group(proc: subprocess.Popen) -> None:
    """End the command and anything it started (its own process group)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def run_mutants(
    project: Project,
    mutants: list[Mutant],
    command: str,
    workers: int = 2,
    timeout: float = 300.0,
    progress: Callable[[Mutant], None] | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Run the kill command on each live mutant (in place: killed or survived)."""
    stop = stop or threading.Event()
    parent = Path(tempfile.mkdtemp(prefix="jiedan-mutate-run-"))
    sandboxes: queue.Queue[_Sandbox] = queue.Queue()
    try:
        for _ in range(max(1, workers)):
            sandboxes.put(_Sandbox(project, parent))

        def one(m: Mutant) -> Mutant:
            if stop.is_set():
                return m
            box = sandboxes.get()
            restore = box.write(m)
            try:
                result = run_command(command, project.root, box, timeout, m)
            finally:
                restore()
                sandboxes.put(box)
            if stop.is_set():
                return m  # interrupted: the command was ended by us, no verdict
            m.duration = result.duration
            m.output = result.output[-2000:]
            if result.timed_out:
                m.status, m.detail = KILLED, f"timeout after {timeout:g} s"
            elif result.failed:
                m.status, m.detail = KILLED, f"exit {result.returncode}"
            else:
                m.status, m.detail = SURVIVED, ""
            return m

        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            futures = [pool.submit(one, m) for m in mutants]
            try:
                for fut in concurrent.futures.as_completed(futures):
                    m = fut.result()
                    if progress and m.status in (KILLED, SURVIVED):
                        progress(m)
            except BaseException:
                stop.set()
                for f in futures:
                    f.cancel()
                _kill_running()
                raise
    finally:
        shutil.rmtree(parent, ignore_errors=True)


def baseline(project: Project, command: str, timeout: float) -> RunResult:
    """The kill command on an unmutated copy of contracts/."""
    parent = Path(tempfile.mkdtemp(prefix="jiedan-mutate-baseline-"))
    try:
        box = _Sandbox(project, parent)
        return run_command(command, project.root, box, timeout)
    finally:
        shutil.rmtree(parent, ignore_errors=True)


CANARY = "\n\nthis line is not vyper: tools/mutate.py checks the kill command tests this copy\n"


def canary(project: Project, command: str, timeout: float) -> RunResult:
    """The kill command on a copy whose first mutated file does not compile: it must fail.

    If it passes, the command does not test the contracts in $JIEDAN_CONTRACTS_DIR (it
    loads the working tree's, say) and every mutant would survive.
    """
    parent = Path(tempfile.mkdtemp(prefix="jiedan-mutate-canary-"))
    try:
        box = _Sandbox(project, parent)
        rel = project.files[0]
        box.path_of(rel).write_text(project.sources[rel] + CANARY)
        return run_command(command, project.root, box, timeout)
    finally:
        shutil.rmtree(parent, ignore_errors=True)


# --- selection and reporting -------------------------------------------------------------


def select(
    mutants: list[Mutant], only: Iterable[str] = (), limit: int | None = None, seed: int | None = None
) -> list[Mutant]:
    """Filter by kind, then sample `limit` of them (with `seed`), kept in source order."""
    only = set(only)
    chosen = [m for m in mutants if not only or m.kind in only]
    if limit is not None and limit < len(chosen):
        chosen = sorted(random.Random(seed if seed is not None else 0).sample(chosen, limit), key=lambda m: m.id)
    return chosen


def summary(mutants: list[Mutant]) -> dict:
    counts = Counter(m.status for m in mutants)
    killed, survived = counts[KILLED], counts[SURVIVED]
    return {
        "total": len(mutants),
        "stillborn": counts[STILLBORN],
        "equivalent": counts[EQUIVALENT],
        "killed": killed,
        "survived": survived,
        "not_run": len(mutants) - killed - survived - counts[STILLBORN] - counts[EQUIVALENT],
        "score": (killed / (killed + survived)) if killed + survived else None,
    }


def per_kind(mutants: list[Mutant]) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}
    for kind in KINDS:
        ms = [m for m in mutants if m.kind == kind]
        if ms:
            c = Counter(m.status or "generated" for m in ms)
            table[kind] = {"total": len(ms), **{k: c[k] for k in (STILLBORN, EQUIVALENT, KILLED, SURVIVED)}}
    return table


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def print_mutant(console, m: Mutant, status: bool) -> None:
    """#id file:line kind: mutation [status], then the original (-) and mutated (+) line."""
    from rich.markup import escape

    tail = f" [{m.status}{': ' + m.detail if m.detail else ''}]" if status else ""
    console.print(f"#{m.id} {m.site} {m.kind}: {escape(m.description)}{escape(tail)}", soft_wrap=True)
    for sign, style, text in (("-", "red", m.original), ("+", "green", m.mutated)):
        lines = text.splitlines() or [""]
        more = " …" if len(lines) > 3 else ""
        for i, line in enumerate(lines[:3]):
            console.print(f"    [{style}]{sign} {escape(line)}{more if i == 2 else ''}[/]", soft_wrap=True)


def print_list(mutants: list[Mutant], classified: bool) -> None:
    console = _console()
    for m in mutants:
        print_mutant(console, m, classified)
    print_kinds(mutants, classified)


def print_kinds(mutants: list[Mutant], classified: bool, run: bool = False) -> None:
    from rich.table import Table

    table = Table(title="mutants per kind")
    table.add_column("kind")
    table.add_column("total", justify="right")
    cols = []
    if classified:
        cols += [STILLBORN, EQUIVALENT]
    if run:
        cols += [KILLED, SURVIVED]
    for c in cols:
        table.add_column(c, justify="right")
    kinds = per_kind(mutants)
    for kind, row in kinds.items():
        table.add_row(kind, str(row["total"]), *(str(row[c]) for c in cols))
    files = Counter(m.file for m in mutants)
    table.add_section()
    table.add_row("all", str(len(mutants)), *(str(sum(r[c] for r in kinds.values())) for c in cols))
    console = _console()
    console.print(table)
    console.print("per file: " + ", ".join(f"{f} {n}" for f, n in files.items()))


def print_report(mutants: list[Mutant]) -> None:
    from rich.table import Table

    console = _console()
    s = summary(mutants)
    table = Table(title="mutation testing")
    for col in ("total", "stillborn", "equivalent", "killed", "survived", "score"):
        table.add_column(col, justify="right")
    score = "n/a" if s["score"] is None else f"{s['score']:.1%}"
    table.add_row(*(str(s[c]) for c in ("total", "stillborn", "equivalent", "killed", "survived")), score)
    console.print(table)
    print_kinds(mutants, classified=True, run=True)
    if s["not_run"]:
        console.print(f"[yellow]{s['not_run']} live mutants were not run (interrupted)[/]")
    survivors = [m for m in mutants if m.status == SURVIVED]
    if survivors:
        console.rule(f"survivors ({len(survivors)})")
        for m in survivors:
            print_mutant(console, m, status=False)


def write_json(path: Path, mutants: list[Mutant], meta: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        **meta,
        "summary": summary(mutants),
        "per_kind": per_kind(mutants),
        "mutants": [asdict(m) for m in mutants],
    }
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


# --- command line ------------------------------------------------------------------------


class _Bar:
    """A rich progress bar on a terminal; elsewhere (CI, a log file) a plain line per tenth done."""

    def __init__(self, description: str, total: int):
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.console = _console(stderr=True)
        self.plain = not self.console.is_terminal
        self.description, self.total, self.done = description, total, 0
        self.started = time.monotonic()
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[stats]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=self.console,
            disable=self.plain,
        )
        self.task = self.progress.add_task(description, total=total, stats="")

    def __enter__(self) -> _Bar:
        self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self.progress.stop()

    def advance(self, stats: str) -> None:
        self.done += 1
        self.progress.update(self.task, advance=1, stats=stats)
        if self.plain and (self.done % max(1, self.total // 10) == 0 or self.done == self.total):
            elapsed = time.monotonic() - self.started
            eta = elapsed / self.done * (self.total - self.done)
            self.console.print(
                f"{self.description} {self.done}/{self.total} {stats}  {elapsed:.0f} s, ETA {eta:.0f} s",
                highlight=False,
            )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python tools/mutate.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--files",
        nargs="+",
        default=list(DEFAULT_FILES),
        metavar="FILE",
        help="Vyper files to mutate (default: the 4 modules)",
    )
    p.add_argument(
        "--targets",
        nargs="+",
        default=DEFAULT_TARGETS,
        metavar="FILE",
        help="deployable contracts that import the files; compiled per mutant (default: every contracts/*.vy)",
    )
    p.add_argument(
        "--root", type=Path, default=ROOT, help="repository root, where the kill command runs and paths start"
    )
    p.add_argument("--contracts-dir", default="contracts", help="the tree each worker copies (default: %(default)s)")
    p.add_argument(
        "--kill", default=DEFAULT_KILL, metavar="CMD", help="shell command; a failure kills (default: %(default)s)"
    )
    p.add_argument("--workers", "-j", type=int, default=2, help="parallel compiles and kill commands (default: 2)")
    p.add_argument(
        "--timeout", type=float, metavar="S", help="seconds per kill command (default: 4 x the baseline, >= 20)"
    )
    p.add_argument(
        "--no-baseline",
        action="store_true",
        help="skip the checks that the kill command passes on the unmutated copy and fails on a broken one",
    )
    p.add_argument(
        "--only", action="append", default=[], metavar="KIND", help="only these kinds (repeat, or KIND,KIND)"
    )
    p.add_argument("--limit", type=int, metavar="N", help="a random sample of N of the selected mutants")
    p.add_argument("--seed", type=int, help="the sample's random seed (default: 0)")
    p.add_argument("--ids", help="only these mutant ids, e.g. 3,17,40 (as --list numbers them)")
    p.add_argument("--list", action="store_true", help="print the mutants and exit; nothing is compiled or run")
    p.add_argument("--classify", action="store_true", help="with --list: compile them, showing stillborn/equivalent")
    p.add_argument("--json", type=Path, metavar="FILE", help="write the results (every mutant) to FILE")
    p.add_argument("--fail-under", type=float, metavar="PCT", help="exit 1 if the score is under PCT percent")
    p.add_argument("--evm-version", help="EVM version to compile for (default: the compiler's)")
    p.add_argument(
        "--payout-calls",
        default=DEFAULT_PAYOUT_CALLS,
        metavar="REGEX",
        help="internal calls whose address arguments are swapped (default: %(default)s)",
    )
    p.add_argument(
        "--constants",
        default=DEFAULT_CONSTANTS,
        metavar="REGEX",
        help="constants changed by one (default: %(default)s)",
    )
    args = p.parse_args(argv)
    args.only = [k.strip() for item in args.only for k in item.split(",") if k.strip()]
    bad = [k for k in args.only if k not in KINDS]
    if bad:
        p.error(f"unknown kind(s) {', '.join(bad)}; kinds: {', '.join(KINDS)}")
    return args


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    err = _console(stderr=True)
    # SIGTERM stops a run as Ctrl-C does (the mutants run so far are reported and written to --json); so
    # does SIGINT even where it started ignored (a background job of a non-interactive shell)
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    started = time.monotonic()
    try:
        project, mutants = generate(
            args.root, args.files, args.targets, args.contracts_dir, args.payout_calls, args.constants
        )
    except MutationError as exc:
        err.print(f"[red]error:[/] {exc}")
        return 2
    chosen = select(mutants, args.only, args.limit, args.seed)
    if args.ids:
        wanted = {int(x) for x in args.ids.split(",") if x.strip()}
        chosen = [m for m in chosen if m.id in wanted]
    if not chosen:
        err.print("no mutants selected")
        return 2
    meta = {
        "command": None if args.list else args.kill,
        "files": project.files,
        "targets": project.targets,
        "generated": len(mutants),
    }

    if args.list and not args.classify:
        print_list(chosen, classified=False)
        if args.json:
            write_json(args.json, chosen, meta)
        return 0

    with _Bar("compiling", len(chosen)) as bar:
        counts = Counter()

        def compiled(m: Mutant) -> None:
            counts[m.status] += 1
            bar.advance(f"stillborn {counts[STILLBORN]}")

        try:
            classify(project, chosen, args.workers, args.evm_version, compiled)
        except MutationError as exc:
            err.print(f"[red]error:[/] {exc}")
            return 2
        except KeyboardInterrupt:
            err.print("interrupted while compiling")
            return 130
    compile_time = time.monotonic() - started

    if args.list:
        print_list(chosen, classified=True)
        if args.json:
            write_json(args.json, chosen, meta)
        return 0

    live = [m for m in chosen if m.status == LIVE]
    err.print(
        f"{len(chosen)} mutants: {sum(m.status == STILLBORN for m in chosen)} stillborn, "
        f"{sum(m.status == EQUIVALENT for m in chosen)} equivalent, {len(live)} to run "
        f"(compiled in {compile_time:.0f} s)"
    )
    timeout = args.timeout
    if not args.no_baseline:
        err.print(f"baseline: {args.kill}")
        base = baseline(project, args.kill, args.timeout or 1800.0)
        if base.failed:
            err.print(f"[red]the kill command fails on the unmutated contracts[/] ({base.returncode}):")
            err.print(base.output[-3000:], markup=False)
            return 2
        err.print(f"baseline passed in {base.duration:.1f} s")
        meta["baseline_seconds"] = round(base.duration, 2)
        if timeout is None:
            timeout = max(20.0, 4 * base.duration)
        check = canary(project, args.kill, timeout)
        if not check.failed:
            err.print(
                f"[red]the kill command passes with a {project.files[0]} that does not compile[/] in "
                "$JIEDAN_CONTRACTS_DIR: it does not test the copy it is given, so every mutant would survive"
            )
            return 2
        err.print(f"canary: the kill command fails on a broken {project.files[0]}, as it should")
    timeout = timeout or 300.0
    meta["timeout_seconds"] = timeout

    stop = threading.Event()
    interrupted = False
    with _Bar("testing", len(live)) as bar:
        counts = Counter()

        def ran(m: Mutant) -> None:
            counts[m.status] += 1
            bar.advance(f"killed {counts[KILLED]}  survived {counts[SURVIVED]}")

        try:
            run_mutants(project, live, args.kill, args.workers, timeout, ran, stop)
        except KeyboardInterrupt:
            interrupted = True
            stop.set()
    meta["seconds"] = round(time.monotonic() - started, 1)
    print_report(chosen)
    ran_ = [m for m in live if m.status in (KILLED, SURVIVED)]
    if ran_:
        per = sum(m.duration for m in ran_) / len(ran_)
        err.print(f"{meta['seconds']:.0f} s in all; the kill command took {per:.1f} s per mutant on average")
    if args.json:
        write_json(args.json, chosen, meta)
        err.print(f"results written to {args.json}")
    if interrupted:
        return 130
    score = summary(chosen)["score"]
    if args.fail_under is not None and score is not None and score * 100 < args.fail_under:
        err.print(f"[red]score {score:.1%} is under {args.fail_under:g}%[/]")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
