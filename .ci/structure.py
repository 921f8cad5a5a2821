#!/usr/bin/env python3
"""Structure checks for annals: what keeps the code a newcomer can carry.

Run from the repository root:

    python3 .ci/structure.py            # print violations, exit 1 if any
    python3 .ci/structure.py --report   # print everything, exit 0

Each violation is printed as `path:line: problem`, then a count per check.

1. files     No Rust source file outside test code is longer than 800 lines.
             Test code is `tests/` and `benches/` and `examples/` directories,
             files named `tests.rs`, and `crates/fuzz/`. A unit-test module
             at the bottom of a file counts: move it to a `tests.rs` beside
             it when the file grows.  Why: a file is read whole; past 800
             lines it holds more than one job.
2. functions No function in the same code is longer than 100 lines, counted
             from its `fn` line to its closing brace, unless a comment in the
             lines just above it (its doc comment and attributes, with no
             blank line between) or on its `fn` line says `long because ...`.
             Functions inside `#[cfg(test)]` items are not checked
             (`--include-tests` checks test code too).  Why: a function is
             understood whole; a long one should say why it stays long.
3. cycles    No module cycles inside a crate.  The nodes are a crate's
             top-level modules (`src/x.rs` or `src/x/mod.rs` and everything
             below it is module `x`); the edges are `crate::x` paths
             (including `use crate::{x, y::Z}`), `crate::Name` where the crate
             root re-exports `Name` from `x`, and `super::` paths that climb
             to the crate root and down into another top-level module.
             References inside `#[cfg(test)]` items, and files of
             `#[cfg(test)] mod name;`, do not count.  Why: modules that import
             each other in a circle cannot be read, tested or moved one at a
             time.
4. history   No doc or comment speaks of work periods or tracker numbers
             (`session 12`, `this session`, `work period`, `issue 7`,
             `(issue 7)`, `#12`): in every `*.md` file except `CHANGELOG.md`,
             and in the comments of every Rust file.  Why: a reader needs
             what is true now and why; history belongs in `git log` and the
             changelog.

Standard library only (Python 3.11).
"""

from __future__ import annotations

import argparse
import bisect
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

MAX_FILE_LINES = 800
MAX_FN_LINES = 100
SKIP_DIRS = {".git", "target", "node_modules"}
TEST_DIRS = {"tests", "benches", "examples"}

CHECKS = ("files", "functions", "cycles", "history")


@dataclass
class Violation:
    check: str
    path: str
    line: int
    problem: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.problem}"


# ---------------------------------------------------------------- files


def repo_files(root: Path, suffix: str) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            if name.endswith(suffix):
                found.append(Path(dirpath, name).relative_to(root))
    return found


def is_test_code(path: Path) -> bool:
    parts = path.parts
    if parts[:2] == ("crates", "fuzz"):
        return True
    if path.name == "tests.rs":
        return True
    return any(p in TEST_DIRS for p in parts[:-1])


# ---------------------------------------------------------------- lexing


@dataclass
class Lexed:
    """A Rust file with comments and literals blanked out of `code`.

    `code` has the same length and line breaks as the text, so offsets and
    line numbers agree; `comments` maps a line number to the comment text
    on it.
    """

    text: str
    code: str
    comments: dict[int, str] = field(default_factory=dict)
    line_starts: list[int] = field(default_factory=list)

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.line_starts, offset)

    def lines(self) -> list[str]:
        return self.code.split("\n")


def _blank(chars: list[str], start: int, end: int) -> None:
    for k in range(start, end):
        if chars[k] != "\n":
            chars[k] = " "


def _is_ident(c: str) -> bool:
    return c.isalnum() or c == "_"


def lex(text: str) -> Lexed:
    chars = list(text)
    n = len(text)
    comment_spans: list[tuple[int, int]] = []
    i = 0
    while i < n:
        c = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if c == "/" and nxt == "/":
            end = text.find("\n", i)
            end = n if end < 0 else end
            comment_spans.append((i, end))
            _blank(chars, i, end)
            i = end
        elif c == "/" and nxt == "*":
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            comment_spans.append((i, j))
            _blank(chars, i, j)
            i = j
        elif c == "r" and (i == 0 or not _is_ident(text[i - 1]) or _raw_prefix(text, i)):
            m = re.compile(r'r(#*)"').match(text, i)
            if not m:
                i += 1
                continue
            close = '"' + m.group(1)
            end = text.find(close, m.end())
            end = n if end < 0 else end + len(close)
            _blank(chars, m.end(), end - len(close))
            i = end
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            _blank(chars, i + 1, min(j, n))
            i = j + 1
        elif c == "'":
            # A char literal ('x', '\n', '\u{1F600}') or a lifetime ('a).
            if nxt == "\\":
                j = text.find("'", i + 3)
                j = n if j < 0 else j
                _blank(chars, i + 1, j)
                i = j + 1
            elif i + 2 < n and text[i + 2] == "'":
                _blank(chars, i + 1, i + 2)
                i += 3
            else:
                i += 1
        else:
            i += 1
    code = "".join(chars)
    line_starts = [0] + [k + 1 for k, ch in enumerate(text) if ch == "\n"]
    lexed = Lexed(text, code, {}, line_starts)
    for start, end in comment_spans:
        first, last = lexed.line_of(start), lexed.line_of(max(start, end - 1))
        for line in range(first, last + 1):
            lo = max(start, line_starts[line - 1])
            hi = min(end, line_starts[line] - 1 if line < len(line_starts) else n)
            lexed.comments[line] = lexed.comments.get(line, "") + text[lo:hi]
    return lexed


def _raw_prefix(text: str, i: int) -> bool:
    """`br"…"` and `cr"…"`: an `r` after a one-letter literal prefix."""
    return i >= 1 and text[i - 1] in "bc" and (i == 1 or not _is_ident(text[i - 2]))


def matching(code: str, open_at: int) -> int:
    """The offset of the bracket closing the one at `open_at` (or the end)."""
    pairs = {"{": "}", "(": ")", "[": "]"}
    opener, closer = code[open_at], pairs[code[open_at]]
    depth = 0
    for k in range(open_at, len(code)):
        ch = code[k]
        if ch == opener:
            depth += 1
        elif ch == closer:
            depth -= 1
            if depth == 0:
                return k
    return len(code) - 1


def item_end(code: str, start: int) -> tuple[int, bool]:
    """From `start`, the end of an item: its body's closing brace or its `;`.

    Returns the offset and whether the item has a body.
    """
    k = start
    while k < len(code):
        ch = code[k]
        if ch in "([":
            k = matching(code, k) + 1
            continue
        if ch == "{":
            return matching(code, k), True
        if ch == ";":
            return k, False
        k += 1
    return len(code) - 1, False


ATTR = re.compile(r"#!?\s*\[")
CFG_TEST = re.compile(r"#\s*\[\s*cfg\s*\(\s*(?:test|all\s*\(\s*test\b[^\]]*\))\s*\)\s*\]")


def attribute_spans(code: str) -> list[tuple[int, int]]:
    return [(m.start(), matching(code, m.end() - 1)) for m in ATTR.finditer(code)]


def cfg_test_spans(code: str) -> tuple[list[tuple[int, int]], list[str]]:
    """Spans of items under `#[cfg(test)]`, and names of `#[cfg(test)] mod x;`."""
    spans, mods = [], []
    for m in CFG_TEST.finditer(code):
        k = m.end()
        while rest := re.compile(r"\s*#\s*\[").match(code, k):  # more attributes
            k = matching(code, rest.end() - 1) + 1
        end, has_body = item_end(code, k)
        spans.append((m.start(), end))
        if not has_body:
            decl = re.match(r"\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;", code[k : end + 1])
            if decl:
                mods.append(decl.group(1))
    return spans, mods


def inside(spans: list[tuple[int, int]], offset: int) -> bool:
    return any(a <= offset <= b for a, b in spans)


# ---------------------------------------------------------------- 1, 2


FN = re.compile(r"\bfn\s+(r#)?([A-Za-z_][A-Za-z0-9_]*)")


def check_lengths(root: Path, include_tests: bool) -> list[Violation]:
    found = []
    for path in repo_files(root, ".rs"):
        test_file = is_test_code(path)
        text = (root / path).read_text(encoding="utf-8", errors="replace")
        line_count = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
        if not test_file and line_count > MAX_FILE_LINES:
            found.append(
                Violation("files", str(path), 1, f"{line_count} lines, more than {MAX_FILE_LINES}")
            )
        if test_file and not include_tests:
            continue
        lexed = lex(text)
        test_spans = [] if include_tests else cfg_test_spans(lexed.code)[0]
        attr_lines = set()
        for a, b in attribute_spans(lexed.code):
            attr_lines.update(range(lexed.line_of(a), lexed.line_of(b) + 1))
        code_lines = lexed.lines()
        for m in FN.finditer(lexed.code):
            if inside(test_spans, m.start()):
                continue
            end, has_body = item_end(lexed.code, m.end())
            if not has_body:
                continue
            first, last = lexed.line_of(m.start()), lexed.line_of(end)
            length = last - first + 1
            if length <= MAX_FN_LINES or explained(lexed, code_lines, attr_lines, first):
                continue
            found.append(
                Violation(
                    "functions",
                    str(path),
                    first,
                    f"fn {m.group(2)} is {length} lines, more than {MAX_FN_LINES}, "
                    "and no comment above it says why (`// long because …`)",
                )
            )
    return found


def explained(lexed: Lexed, code_lines: list[str], attr_lines: set[int], fn_line: int) -> bool:
    """Whether the `fn` line or the comments and attributes just above it say
    `long because`."""
    line = fn_line
    while line >= 1:
        if "long because" in lexed.comments.get(line, "").lower():
            return True
        line -= 1
        if line < 1:
            break
        is_comment = line in lexed.comments and not code_lines[line - 1].strip()
        if not (is_comment or line in attr_lines):
            break
    return False


# ---------------------------------------------------------------- 3


@dataclass
class Edge:
    source: str
    target: str
    path: str
    line: int


def crate_dirs(root: Path) -> list[Path]:
    dirs = sorted(p for p in root.glob("crates/*/src") if p.is_dir())
    if (root / "src").is_dir():
        dirs.insert(0, root / "src")
    return [d for d in dirs if not is_test_code(d.relative_to(root) / "x.rs")]


def module_path(rel: Path) -> list[str]:
    parts = list(rel.with_suffix("").parts)
    if parts[-1] == "mod":
        parts.pop()
    if parts in (["lib"], ["main"]):
        return []
    return parts


USE_ROOT = re.compile(r"\b(?:pub(?:\([^)]*\))?\s+)?use\s+(?:(?:crate|self)\s*::\s*)?(\w+)\s*::\s*")


def root_exports(lexed: Lexed, modules: set[str], skip: list[tuple[int, int]]) -> tuple[dict, list]:
    """Names the crate root imports from its modules: `Name` -> module, and
    the modules it glob-imports."""
    names: dict[str, str] = {}
    globs: list[str] = []
    for m in USE_ROOT.finditer(lexed.code):
        module = m.group(1)
        if module not in modules or inside(skip, m.start()):
            continue
        end = lexed.code.find(";", m.end())
        tail = lexed.code[m.end() : end]
        for name in use_leaves(tail):
            if name == "*":
                globs.append(module)
            else:
                names[name] = module
    return names, globs


def use_leaves(tail: str) -> list[str]:
    """The names a use tree brings in: `a::{B, c::D as E, *}` -> B, E, *."""
    tail = tail.strip()
    if tail.startswith("{"):
        inner = tail[1 : matching(tail, 0)]
        out = []
        for part in split_top(inner):
            out += use_leaves(part)
        return out
    if "::" in tail and not tail.split("::", 1)[0].strip().startswith("{"):
        head, rest = tail.split("::", 1)
        if "{" not in head:
            return use_leaves(rest)
    alias = re.search(r"\bas\s+(\w+)\s*$", tail)
    if alias:
        return [alias.group(1)]
    word = re.match(r"(\w+|\*)", tail)
    return [word.group(1)] if word else []


def split_top(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for k, ch in enumerate(text):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:k])
            start = k + 1
    parts.append(text[start:])
    return [p for p in parts if p.strip()]


PATH_START = re.compile(r"(?<![\w$])(crate|super)\s*::\s*")


def first_segments(code: str, at: int) -> list[tuple[str, int]]:
    """After `crate::`, the first segment of the path, or of each path in a
    `{…}` group, with its offset."""
    rest = code[at:]
    stripped = rest.lstrip()
    k = at + len(rest) - len(stripped)
    if stripped.startswith("{"):
        close = matching(code, k)
        out, start = [], k + 1
        for part in split_top(code[k + 1 : close]):
            offset = code.find(part, start)
            start = offset + len(part)
            word = re.match(r"\s*(\w+)", part)
            if word:
                out.append((word.group(1), offset))
        return out
    word = re.match(r"(\w+)", stripped)
    return [(word.group(1), k)] if word else []


def inline_module_spans(code: str) -> list[tuple[int, int, str]]:
    spans = []
    for m in re.finditer(r"\bmod\s+(\w+)\s*\{", code):
        spans.append((m.end() - 1, matching(code, m.end() - 1), m.group(1)))
    return spans


def check_cycles(root: Path) -> list[Violation]:
    found = []
    for src in crate_dirs(root):
        crate = src.parent.name if src != root / "src" else root.resolve().name
        files = sorted(p for p in src.rglob("*.rs") if "bin" not in p.relative_to(src).parts[:-1])
        lexeds = {p: lex(p.read_text(encoding="utf-8", errors="replace")) for p in files}
        modules = {module_path(p.relative_to(src))[0] for p in files if module_path(p.relative_to(src))}
        # Files that are `#[cfg(test)] mod name;` of their parent module, and
        # the spans of `#[cfg(test)]` items in each file.
        skip_files, test_spans = set(), {}
        for p, lexed in lexeds.items():
            spans, test_mods = cfg_test_spans(lexed.code)
            test_spans[p] = spans
            rel = module_path(p.relative_to(src))
            for name in test_mods:
                skip_files.add(tuple(rel + [name]))
        roots = [p for p in files if module_path(p.relative_to(src)) == []]
        exports: dict[str, str] = {}
        globs: list[str] = []
        for p in roots:
            names, gl = root_exports(lexeds[p], modules, test_spans[p])
            exports.update(names)
            globs += gl
        definitions = glob_definitions(src, files, lexeds, globs)
        edges: dict[tuple[str, str], Edge] = {}
        for p in files:
            rel_path = module_path(p.relative_to(src))
            if not rel_path or p.name == "tests.rs" or tuple(rel_path) in skip_files:
                continue
            if any(tuple(rel_path[:k]) in skip_files for k in range(1, len(rel_path))):
                continue
            here = rel_path[0]
            lexed = lexeds[p]
            inline = inline_module_spans(lexed.code)
            consumed = 0
            for m in PATH_START.finditer(lexed.code):
                if m.start() < consumed or inside(test_spans[p], m.start()):
                    continue
                after = m.end()
                if m.group(1) == "super":
                    depth = len(rel_path) + sum(1 for a, b, _ in inline if a < m.start() < b)
                    climbs = 1
                    while more := re.match(r"\s*super\s*::\s*", lexed.code[after : after + 64]):
                        climbs += 1
                        after += more.end()
                    consumed = after
                    if depth - climbs > 0:
                        continue  # still inside this top-level module
                for name, offset in first_segments(lexed.code, after):
                    target = name if name in modules else exports.get(name) or definitions.get(name)
                    if target and target != here and (here, target) not in edges:
                        rel_file = str(p.relative_to(root))
                        edges[(here, target)] = Edge(here, target, rel_file, lexed.line_of(offset))
        for cycle in cycles(edges):
            hops = [edges[(cycle[k], cycle[(k + 1) % len(cycle)])] for k in range(len(cycle))]
            first = hops[0]
            chain = " -> ".join(cycle + [cycle[0]])
            evidence = "; ".join(f"{e.path}:{e.line} {e.source} -> {e.target}" for e in hops)
            found.append(
                Violation("cycles", first.path, first.line, f"module cycle in {crate}: {chain} ({evidence})")
            )
    return found


DEFINES = r"\bpub(?:\([^)]*\))?\s+(?:unsafe\s+)?(?:fn|struct|enum|trait|type|const|static|mod|union)\s+{}\b"


def glob_definitions(src: Path, files, lexeds, globs: list[str]) -> dict[str, str]:
    """Public names defined by modules the crate root glob-imports."""
    names: dict[str, str] = {}
    for p in files:
        rel = module_path(p.relative_to(src))
        if rel and rel[0] in globs:
            for m in re.finditer(DEFINES.format(r"(\w+)"), lexeds[p].code):
                names.setdefault(m.group(1), rel[0])
    return names


def cycles(edges: dict[tuple[str, str], Edge]) -> list[list[str]]:
    """Every elementary cycle, each once, starting at its smallest module."""
    graph: dict[str, list[str]] = {}
    for a, b in edges:
        graph.setdefault(a, []).append(b)
    for targets in graph.values():
        targets.sort()
    out: list[list[str]] = []

    def walk(start: str, node: str, path: list[str]) -> None:
        for nxt in graph.get(node, []):
            if nxt == start:
                out.append(list(path))
            elif nxt > start and nxt not in path and len(out) < 200:
                walk(start, nxt, path + [nxt])

    for start in sorted(graph):
        walk(start, start, [start])
    return sorted(out, key=lambda c: (len(c), c))


# ---------------------------------------------------------------- 4


HISTORY = [
    (re.compile(r"\bsessions?[ -]\d", re.I), "names a work session"),
    (re.compile(r"\bthis session\b", re.I), "names a work session"),
    (re.compile(r"\bwork periods?\b", re.I), "names a work period"),
    (re.compile(r"\b(?:issues?|tickets?|PRs?|pull requests?)\s+#?\d+", re.I), "names a tracker number"),
    (re.compile(r"\bthe issue's\b", re.I), "names a tracker issue"),
    # `#12`, but not `#[derive`, `#!`, an anchor `#name`, a colour `#333`
    # or `#1f77b4`, an HTML entity `&#123;`, or a raw string `r#"`.
    (re.compile(r"(?<![\w&/\"'#])#\d{1,3}(?!\w)"), "names a tracker number"),
]
COLOUR = re.compile(r"colou?r|fill|stroke|background", re.I)


def history_problems(text: str) -> list[str]:
    problems, taken = [], []
    for pattern, what in HISTORY:
        for m in pattern.finditer(text):
            snippet = m.group(0)
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue  # `issue #4` is one mention, not two
            if snippet.startswith("#") and len(snippet) == 4 and COLOUR.search(text):
                continue  # a colour like `#333`
            taken.append(m.span())
            problems.append(f"{what} (`{snippet.strip()}`): say what is true now; history belongs in git log")
    return problems


def check_history(root: Path) -> list[Violation]:
    found = []
    for path in repo_files(root, ".md"):
        if path.name == "CHANGELOG.md":
            continue
        if str((root / path).resolve()).startswith("/work/shared/"):
            continue
        for number, line in enumerate((root / path).read_text(encoding="utf-8", errors="replace").split("\n"), 1):
            for problem in history_problems(line):
                found.append(Violation("history", str(path), number, problem))
    for path in repo_files(root, ".rs"):
        lexed = lex((root / path).read_text(encoding="utf-8", errors="replace"))
        for number in sorted(lexed.comments):
            for problem in history_problems(lexed.comments[number]):
                found.append(Violation("history", str(path), number, problem))
    return found


# ---------------------------------------------------------------- main


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--report", action="store_true", help="print every violation and exit 0")
    parser.add_argument("--include-tests", action="store_true", help="check functions in test code too")
    parser.add_argument("--root", default=".", help="the repository root (default: .)")
    args = parser.parse_args(argv)
    root = Path(args.root)
    if not (root / "Cargo.toml").is_file():
        print(f"structure: {root} has no Cargo.toml; run from the repository root", file=sys.stderr)
        return 2

    violations = check_lengths(root, args.include_tests) + check_cycles(root) + check_history(root)
    for v in violations:
        print(v)
    counts = {check: sum(1 for v in violations if v.check == check) for check in CHECKS}
    summary = ", ".join(f"{check} {counts[check]}" for check in CHECKS)
    print(f"structure: {len(violations)} violations ({summary})")
    if args.report:
        return 0
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
