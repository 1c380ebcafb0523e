"""Keep the documentation honest.

The README and docs/*.md name commands, options, environment variables, other files
and a few promises about the code. These tests check each against the code, so a
renamed command or a moved file breaks the build instead of misleading a reader.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import click
import pytest

from attunement.cli import cli

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "attunement"
README = ROOT / "README.md"
GUIDE = ROOT / "docs" / "guide.md"
DOCS = [README, *sorted((ROOT / "docs").glob("*.md"))]

# `attune [--global-flag] command [subcommand] rest-of-line`, not inside a path or a word.
_COMMAND = re.compile(r"(?<![\w/.-])attune((?:[ \t]+--?[\w-]+)*)[ \t]+([a-z][a-z-]*)(?=([^\n]*))")
# Where a command's arguments end on a line: a code span, a comment, a pipe, a table cell.
_END_OF_ARGS = re.compile(r"[`#|;]")
_ENV_IN_DOCS = re.compile(r"\bATTUNE_[A-Z][A-Z0-9_]*\b")
_ENV_READ_IN_SRC = re.compile(r"""["'](ATTUNE_[A-Z][A-Z0-9_]*)["']""")
_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^\"']*[\"'])?\s*\)")
_REF_LINK = re.compile(r"^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def _doc_id(path: Path) -> str:
    return str(path.relative_to(ROOT))


# --- commands -------------------------------------------------------------------------


def command_mentions(text: str) -> list[tuple[list[str], list[str]]]:
    """Every `attune ...` in a text as (command path, following tokens on that line)."""
    found = []
    for m in _COMMAND.finditer(text):
        rest = _END_OF_ARGS.split(m.group(3), maxsplit=1)[0].split()
        path = [m.group(2)]
        command = cli.commands.get(m.group(2))
        if isinstance(command, click.Group) and rest and re.fullmatch(r"[a-z][a-z-]*", rest[0]):
            path.append(rest.pop(0))
        found.append((path, rest))
    return found


def _resolve(path: list[str]) -> click.Command | None:
    command: click.Command | None = cli
    for name in path:
        if not isinstance(command, click.Group):
            return None
        command = command.commands.get(name)
    return command


def _option_names(command: click.Command) -> set[str]:
    names = {"--help"}
    for param in command.params:
        if isinstance(param, click.Option):
            names |= set(param.opts) | set(param.secondary_opts)
    return names


def _choice_problem(command: click.Command, tokens: list[str]) -> str | None:
    """A first argument written as a literal value (or {a,b}) must be one of its choices."""
    args = [p for p in command.params if isinstance(p, click.Argument)]
    words = [t for t in tokens if not t.startswith(("-", "["))]
    if not args or not words or not isinstance(args[0].type, click.Choice):
        return None
    word = words[0].strip(".,:;()")
    if word.isupper() or not re.fullmatch(r"\{?[a-z][\w,-]*\}?", word):
        return None  # a placeholder such as FORMAT, or not a literal at all
    wanted = set(word.strip("{}").split(","))
    unknown = wanted - set(args[0].type.choices)
    return f"{sorted(unknown)} not in {list(args[0].type.choices)}" if unknown else None


def command_problems(text: str) -> list[str]:
    """What a text claims about `attune` that the CLI does not have."""
    problems = []
    for path, rest in command_mentions(text):
        shown = "attune " + " ".join(path)
        command = _resolve(path)
        if command is None:
            problems.append(f"`{shown}` is not a command")
            continue
        if isinstance(command, click.Group):
            continue
        options = _option_names(command)
        for token in rest:
            m = re.match(r"^\[?(--?[a-zA-Z][\w-]*)", token)
            if m and m.group(1) not in options:
                problems.append(f"`{shown}` has no option {m.group(1)}")
        if (why := _choice_problem(command, rest)) is not None:
            problems.append(f"`{shown}`: {why}")
    return problems


@pytest.mark.parametrize("doc", DOCS, ids=_doc_id)
def test_every_attune_command_in_the_docs_exists(doc: Path) -> None:
    assert command_problems(doc.read_text("utf-8")) == []


def test_the_guide_covers_every_command() -> None:
    named = {" ".join(path) for path, _ in command_mentions(GUIDE.read_text("utf-8"))}
    commands = set()
    for name, command in cli.commands.items():
        if isinstance(command, click.Group):
            commands |= {f"{name} {sub}" for sub in command.commands}
        else:
            commands.add(name)
    assert sorted(commands - named) == []


def test_a_wrong_command_or_option_is_caught() -> None:
    text = (
        "Run `attune bakup FILE`, `attune session remove`, `attune run --colour`,\n"
        "`attune import wordpres blog.xml` and `attune export {json,pdf} OUT`.\n"
        "But `attune session add WHEN`, `attune export FORMAT OUT` and `.venv/bin/attune` are fine."
    )
    assert command_problems(text) == [
        "`attune bakup` is not a command",
        "`attune session remove` is not a command",
        "`attune run` has no option --colour",
        "`attune import`: ['wordpres'] not in ['wordpress', 'jrnl', 'dayone', 'daylio', 'json']",
        "`attune export`: ['pdf'] not in ['json', 'markdown']",
    ]


# --- environment variables ------------------------------------------------------------


def variables_read_in_src() -> set[str]:
    """ATTUNE_* names the code reads: quoted string literals in src/**/*.py."""
    names: set[str] = set()
    for path in SRC.rglob("*.py"):
        names |= set(_ENV_READ_IN_SRC.findall(path.read_text("utf-8")))
    return names


def variables_in_docs() -> dict[str, set[str]]:
    """ATTUNE_* names mentioned in each document."""
    return {_doc_id(d): set(_ENV_IN_DOCS.findall(d.read_text("utf-8"))) for d in DOCS}


def test_every_variable_in_the_docs_is_read_by_the_code() -> None:
    read = variables_read_in_src()
    unknown = {doc: sorted(names - read) for doc, names in variables_in_docs().items()}
    assert {doc: names for doc, names in unknown.items() if names} == {}


def test_every_variable_the_code_reads_is_documented() -> None:
    documented = set().union(*variables_in_docs().values())
    assert sorted(variables_read_in_src() - documented) == []


def test_the_variable_scan_sees_what_it_should() -> None:
    assert {"ATTUNE_HOME", "ATTUNE_PASSPHRASE", "ATTUNE_IDLE_MINUTES"} <= variables_read_in_src()
    # A name inside a message is not a read.
    assert _ENV_READ_IN_SRC.findall('raise X("set ATTUNE_PASSPHRASE or run")') == []
    assert _ENV_READ_IN_SRC.findall('os.environ.get("ATTUNE_IDLE_MINUTES", "15")') == [
        "ATTUNE_IDLE_MINUTES"
    ]


# --- links ----------------------------------------------------------------------------


def links(text: str) -> list[str]:
    """Link targets in Markdown, leaving out code blocks and code spans."""
    prose = _CODE_SPAN.sub("", _FENCE.sub("", text))
    return _INLINE_LINK.findall(prose) + _REF_LINK.findall(prose)


def heading_anchors(text: str) -> set[str]:
    """The anchors a Markdown renderer gives the headings (GitHub's rule)."""
    anchors: set[str] = set()
    for title in _HEADING.findall(_FENCE.sub("", text)):
        plain = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", title).lower()
        slug = "".join(c for c in plain if c in " -" or unicodedata.category(c)[0] in "LN")
        slug = slug.replace(" ", "-")
        n, candidate = 0, slug
        while candidate in anchors:
            n += 1
            candidate = f"{slug}-{n}"
        anchors.add(candidate)
    return anchors


def link_problems(doc: Path, text: str) -> list[str]:
    """Relative links of a document that lead nowhere."""
    problems = []
    for target in links(text):
        if _SCHEME.match(target):
            continue  # http:, mailto:, an app's own scheme: not a file here
        path_part, _, anchor = target.partition("#")
        dest = (doc.parent / unquote(path_part)).resolve() if path_part else doc
        if not dest.exists():
            problems.append(f"{target}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in heading_anchors(dest.read_text()):
            problems.append(f"{target}: no such heading")
    return problems


@pytest.mark.parametrize("doc", DOCS, ids=_doc_id)
def test_every_relative_link_leads_somewhere(doc: Path) -> None:
    assert link_problems(doc, doc.read_text("utf-8")) == []


def test_a_broken_link_is_caught(tmp_path: Path) -> None:
    (tmp_path / "there.md").write_text("# Hello, world\n\n## The `run` command\n")
    doc = tmp_path / "doc.md"
    text = (
        "[ok](there.md) [ok](there.md#hello-world) [ok](there.md#the-run-command) "
        "[web](https://example.org/x) ![missing](pics/a.png) [gone](nowhere.md) "
        "[bad anchor](there.md#goodbye) `[code](skipped.md)`\n\n"
        "```\n[fenced](skipped-too.md)\n```\n\n[ref]: also-missing.md\n"
    )
    assert link_problems(doc, text) == [
        "pics/a.png: no such file",
        "nowhere.md: no such file",
        "there.md#goodbye: no such heading",
        "also-missing.md: no such file",
    ]


# --- promises about the code ----------------------------------------------------------


def django_imports(folder: Path) -> list[str]:
    """Modules under a folder that import Django, as 'file: module'."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            where = path.relative_to(folder)
            found += [f"{where}: {n}" for n in names if n.split(".")[0] == "django"]
    return found


@pytest.mark.parametrize("package", ["analysis", "io"])
def test_pure_packages_import_no_django(package: str) -> None:
    # docs/development.md promises this: researchers use them without a database.
    assert django_imports(SRC / package) == []


def test_the_django_scan_sees_an_import(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_text("import os\nfrom django.db import models\nimport django\n")
    assert django_imports(tmp_path) == ["mod.py: django.db", "mod.py: django"]
