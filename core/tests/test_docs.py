"""The docs travel with the code.

* Every repository file path and every dotted Python name written in ``docs/*.md`` and
  ``README.md`` (inside backticks or as a Markdown link) resolves: paths exist, dotted names
  import and ``getattr`` (``app.module.function``). A rename that forgets the docs fails here.
* Nothing in the repository points outside it (the product rules live in ``docs/rules.md``).
* ``docs/rules.md`` lists every error code the code raises, and no code the code has dropped.
"""

import ast
import importlib
import importlib.util
import re
from functools import cache
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]
DOCS = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
RULES = ROOT / "docs" / "rules.md"
SKIP_DIRS = {".git", ".venv", "var", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", "node_modules", "staticfiles"}

CODE_SPAN = re.compile(r"`([^`\n]+)`")
MD_LINK = re.compile(r"\]\(([^)\s]+)\)")
PATH_SHAPE = re.compile(r"^\.?[\w.-]+(?:/[\w.-]+)*/?(?:::\w+)?$")
FILE_SUFFIX = re.compile(r"\.(?:py|md|toml|txt|csv|cfg|ini|html|po|json|ya?ml|sh)$")
DOTTED_SHAPE = re.compile(r"^[a-z_]\w*(?:\.\w+)+$")

# Error codes that DRF itself answers with (through ``core.api.exception_handler``), so no
# ``raise`` of ours names them.
DRF_CODES = {
    "not_authenticated",
    "authentication_failed",
    "permission_denied",
    "method_not_allowed",
    "not_acceptable",
    "unsupported_media_type",
    "throttled",
    "parse_error",
    "required",
}


def top_level_entries() -> set[str]:
    return {p.name for p in ROOT.iterdir() if p.name not in SKIP_DIRS}


def packages() -> set[str]:
    return {p.parent.name for p in ROOT.glob("*/__init__.py")}


def doc_tokens(path: Path) -> list[tuple[int, str]]:
    """(line number, text) of every code span and every Markdown link target of a doc."""
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        found += [(number, m.group(1).strip()) for m in CODE_SPAN.finditer(line)]
        found += [(number, m.group(1)) for m in MD_LINK.finditer(line)]
    return found


def as_repo_path(token: str, doc: Path) -> str | None:
    """The repository path a token names, or ``None`` when it is not one (a URL, a MIME type,
    ``1/0/true/false``, a generic ``models.py``)."""
    token = token.split("#", 1)[0]
    if not token or "://" in token or token.startswith(("/", "mailto:")) or not PATH_SHAPE.match(token):
        return None
    file_part = token.split("::", 1)[0].rstrip("/")
    first = file_part.split("/", 1)[0]
    if "/" in file_part:
        return token if first in top_level_entries() or FILE_SUFFIX.search(file_part) else None
    return token if (ROOT / file_part).exists() or "::" in token else None


def is_link_target(token: str, doc: Path) -> bool:
    return any(m.group(1) == token for m in MD_LINK.finditer(doc.read_text(encoding="utf-8")))


@cache
def policy_keys() -> set[str]:
    from core import policies

    return {v for k, v in vars(policies).items() if k.isupper() and isinstance(v, str)}


@cache
def celery_task_names() -> set[str]:
    from backoffice.celery import app

    app.loader.import_default_modules()
    return set(app.tasks)


def resolve_dotted(name: str) -> bool:
    parts = name.split(".")
    if len(parts) == 2:
        try:  # an ``app_label.Model`` label, e.g. core.AuditEntry
            apps.get_model(name)
            return True
        except (LookupError, ValueError):
            pass
    for i in range(len(parts), 0, -1):
        module_name = ".".join(parts[:i])
        try:
            spec = importlib.util.find_spec(module_name)
        except ModuleNotFoundError:
            spec = None
        if spec is None:
            continue
        if i == len(parts):  # a module: found without running it (settings modules refuse to import twice)
            return True
        obj = importlib.import_module(module_name)
        for attr in parts[i:]:
            if not hasattr(obj, attr):
                return False
            obj = getattr(obj, attr)
        return True
    return False


def python_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def check_path(path: str) -> str | None:
    file_part, _, name = path.partition("::")
    target = ROOT / file_part
    if not target.exists():
        return f"{file_part} does not exist"
    if name and name not in python_names(target):
        return f"{file_part} defines no {name}"
    return None


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_path_and_dotted_name_in_the_docs_resolves(doc):
    problems = []
    for number, token in doc_tokens(doc):
        where = f"{doc.relative_to(ROOT)}:{number} `{token}`"
        if is_link_target(token, doc) and not token.startswith(("http://", "https://", "mailto:", "#")):
            target = (doc.parent / token.split("#", 1)[0]).resolve()
            if not target.is_relative_to(ROOT):
                problems.append(f"{where}: the link leaves the repository")
            elif not target.exists():
                problems.append(f"{where}: the link target does not exist")
            continue
        path = as_repo_path(token, doc)
        if path is not None:
            problem = check_path(path)
            if problem:
                problems.append(f"{where}: {problem}")
            continue
        name = token.split("(", 1)[0].rstrip(".")
        if not DOTTED_SHAPE.match(name) or name.split(".", 1)[0] not in packages():
            continue
        if name in policy_keys() or name in celery_task_names():
            continue
        if not resolve_dotted(name):
            problems.append(f"{where}: {name} does not import")
    assert not problems, "Docs name things that do not exist (fix the doc or the name):\n" + "\n".join(problems)


def test_the_checker_refuses_what_does_not_exist(tmp_path):
    """The checker is honest: a missing file, a missing function and a missing module fail."""
    assert check_path("reports/coverage.py") is None
    assert check_path("conftest.py::seed_reference_data") is None
    assert check_path("reports/no_such_module.py") is not None
    assert check_path("conftest.py::no_such_fixture") is not None
    assert resolve_dotted("reports.coverage.report_scope_matches")
    assert resolve_dotted("core.AuditEntry")
    assert not resolve_dotted("reports.coverage.no_such_function")
    assert not resolve_dotted("reports.no_such_module.anything")
    doc = ROOT / "docs" / "rules.md"
    assert as_repo_path("1/0/true/false", doc) is None
    assert as_repo_path("text/csv", doc) is None
    assert as_repo_path("/api/v1/reports/", doc) is None
    assert as_repo_path("shops/regions.py", doc) == "shops/regions.py"


def _text_files():
    for path in ROOT.rglob("*"):
        if any(part in SKIP_DIRS for part in path.relative_to(ROOT).parts) or not path.is_file():
            continue
        if path.suffix in {".mo", ".sqlite3", ".png", ".jpg", ".ico", ".woff", ".woff2", ".gz"}:
            continue
        if path.stat().st_size > 2_000_000:
            continue
        yield path


def test_nothing_in_the_repository_points_outside_it():
    outside = re.compile(r"\.\./" + "shared|/work/" + "shared")
    offenders = [
        str(p.relative_to(ROOT)) for p in _text_files() if outside.search(p.read_text(encoding="utf-8", errors="ignore"))
    ]
    assert not offenders, f"These files point outside the repository (use docs/rules.md): {offenders}"


# --- error codes ----------------------------------------------------------------------------

ERROR_CALLS = {"DomainError", "InvalidInput", "Conflict", "NotFound", "IllegalTransition", "AppealRefused", "refuse", "_refuse"}
GUARDS = {"guard_transition", "guard", "ValidationError"}


def _source_files():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0] in SKIP_DIRS | {"bench", "e2e"} or len(parts) == 1 or {"tests", "migrations"} & set(parts):
            continue
        yield path


def raised_codes() -> dict[str, set[str]]:
    """Every error code the source raises: the first argument (or ``code=``) of a domain error or
    a serializer refusal, a module constant or dict of them, the ``code`` of an ``{"code",
    "detail"}`` answer, and the codes a ``*_refusal`` function ("why would X be refused?") returns."""
    found: dict[str, set[str]] = {}
    for path in _source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        consts: dict[str, str] = {}
        dicts: dict[str, list[str]] = {}
        for node in tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if not isinstance(target, ast.Name):
                        continue
                    if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                        consts[target.id] = node.value.value
                    if isinstance(node.value, ast.Dict):
                        dicts[target.id] = [
                            v.value for v in node.value.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
                        ]

        def values(node, consts=consts, dicts=dicts) -> list[str]:
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                return [node.value]
            if isinstance(node, ast.Name) and node.id in consts:
                return [consts[node.id]]
            if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id in dicts:
                return dicts[node.value.id]
            return []

        for node in ast.walk(tree):
            codes: list[str] = []
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                if name in ERROR_CALLS and node.args:
                    codes += values(node.args[0])
                codes += [
                    c
                    for k in node.keywords
                    if k.arg == "conflict_code" or (k.arg == "code" and name in ERROR_CALLS | GUARDS)
                    for c in values(k.value)
                ]
            elif isinstance(node, ast.Dict):
                keys = [k.value if isinstance(k, ast.Constant) else None for k in node.keys]
                if "code" in keys and "detail" in keys:
                    codes += values(node.values[keys.index("code")])
            elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Tuple | ast.Name):
                target, value = node.targets[0], node.value
                pairs = (
                    zip(target.elts, value.elts, strict=False)
                    if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple)
                    else [(target, value)]
                )
                codes += [c for t, v in pairs if isinstance(t, ast.Name) and t.id == "code" for c in values(v)]
            elif isinstance(node, ast.FunctionDef) and "refusal" in node.name:
                codes += [c for r in ast.walk(node) if isinstance(r, ast.Return) and r.value is not None for c in values(r.value)]
            for code in codes:
                found.setdefault(code, set()).add(str(path.relative_to(ROOT)))
    return found


def documented_codes() -> set[str]:
    """The first column of the table in docs/rules.md's "Error codes" section (rows ``| `code` | …``)."""
    row = re.compile(r"^\|\s*`([a-z][a-z0-9_]*)`\s*\|")
    codes, inside = set(), False
    for line in RULES.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            inside = "Error codes" in line
        elif inside and (m := row.match(line)):
            codes.add(m.group(1))
    return codes


def test_the_rules_document_lists_every_error_code_the_code_raises():
    missing = {code: sorted(files) for code, files in raised_codes().items() if code not in documented_codes()}
    assert not missing, (
        "docs/rules.md's error-code table lacks these codes (add a row: code, HTTP status, meaning):\n"
        + "\n".join(f"  {code}  (raised in {', '.join(files)})" for code, files in sorted(missing.items()))
    )


def test_every_documented_error_code_still_exists():
    source = "\n".join(p.read_text(encoding="utf-8") for p in _source_files())
    stale = sorted(c for c in documented_codes() - DRF_CODES if f'"{c}"' not in source and f"'{c}'" not in source)
    assert not stale, f"docs/rules.md documents error codes no code raises any more: {stale}"


def test_the_code_extractor_finds_codes_in_every_form():
    codes = raised_codes()
    assert "report_not_pending" in codes  # a dict of codes (ILLEGAL_MOVE_CODES[target])
    assert "link_unsupported" in codes  # a module constant
    assert "server_error" in codes  # an {"code", "detail"} answer
    assert "request_too_large" in codes  # code, detail = …
    assert "report_approved_after_judgment" in codes  # returned by a *_refusal check
    assert {"report_not_pending", "appeal_window_closed", "datetime_out_of_range"} <= documented_codes()
    assert "approved" not in documented_codes()  # status tables elsewhere in the doc are not error codes
