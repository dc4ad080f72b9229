"""What the Chinese UI shows is Chinese: every domain-error detail, audit label and system
audit reason has a zh_Hans translation. A new English message without one fails here."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from core.audit_labels import ACTION_LABELS, REASON_LABELS, reason_label

ROOT = Path(settings.BASE_DIR)
ERRORS = {"DomainError", "InvalidInput", "Conflict", "NotFound", "IllegalTransition", "AppealRefused"}
GETTEXT = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy", "ngettext"}
APPS = sorted(p.parent.name for p in ROOT.glob("*/apps.py"))
SKIP_DIRS = {"tests", "migrations", "management"}
SAME_IN_CHINESE = {"PID"}  # an acronym ops use as is
# API-only syntax errors about the paging query parameters: never shown in the Chinese UI (the
# portal pages itself), and API clients match their English (core/tests/test_api_robustness.py).
API_ONLY_ENGLISH = {"core/api/pagination.py"}


def _sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if not SKIP_DIRS & set(path.parts) and path.name != "demo.py":
                if str(path.relative_to(ROOT)) not in API_ONLY_ENGLISH:
                    yield path


def _name(node) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def _msgid(node) -> tuple[str, str] | None:
    """``(context, msgid)`` of a gettext call (or ``msgid % values``), else None."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        node = node.left
    if isinstance(node, ast.Call) and _name(node.func) in GETTEXT:
        args = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if _name(node.func).startswith("pgettext") and len(args) >= 2:
            return args[0], args[1]
        if args:
            return "", args[0]
    return None


def domain_error_details():
    """Every ``SomeDomainError(code, detail)`` in the apps: ``(where, detail node)``."""
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and _name(node.func) in ERRORS:
                detail = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "detail"), None)
                if detail is not None:
                    yield f"{path.relative_to(ROOT)}:{node.lineno}", detail


def _translated(context: str, msgid: str) -> bool:
    with translation.override("zh-hans"):
        shown = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
    return shown != msgid


def test_domain_error_details_are_marked_for_translation_and_translated():
    english, untranslated = [], []
    for where, detail in domain_error_details():
        if isinstance(detail, ast.Constant | ast.JoinedStr) or (
            isinstance(detail, ast.BinOp) and isinstance(detail.left, ast.Constant | ast.JoinedStr)
        ):
            english.append(where)
        elif (found := _msgid(detail)) is not None and not _translated(*found):
            untranslated.append(f"{where} {found[1]!r}")
    assert english == [], "domain-error details not marked for translation"
    assert untranslated == [], "no zh_Hans translation"


def test_the_scan_sees_the_domain_errors():
    found = {where.split(":")[0] for where, _ in domain_error_details()}
    assert {"shops/services.py", "badges/services.py", "core/transitions.py", "complaints/services/appeals.py"} <= found


def _lazy_translated(text) -> bool:
    with translation.override("en"):
        english = str(text)
    with translation.override("zh-hans"):
        return str(text) != english


@pytest.mark.parametrize("action", sorted(ACTION_LABELS))
def test_every_audit_action_label_is_translated(action):
    assert _lazy_translated(ACTION_LABELS[action]), action


@pytest.mark.parametrize("pattern", [p for p, _ in REASON_LABELS], ids=lambda p: p.pattern)
def test_every_system_audit_reason_is_translated(pattern):
    assert _lazy_translated(dict(REASON_LABELS)[pattern]), pattern.pattern


def test_system_reasons_read_chinese():
    with translation.override("zh-hans"):
        waived = reason_label("no complaint: taobao shop under tickets.no_auto_complaint_taobao")
        skipped = reason_label("badges.fast_pickup_48h not in force on 2022-12-28")
        typed = reason_label("材料不足")
    assert re.search(r"[\u4e00-\u9fff]", waived) and "tickets.no_auto_complaint_taobao" in waived
    assert re.search(r"[\u4e00-\u9fff]", skipped) and "2022-12-28" in skipped
    assert typed == "材料不足"  # what people typed is shown as typed


def marked_strings():
    """Every string the apps mark for translation: ``(where, context, msgid)``."""
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and (found := _msgid(node)) is not None:
                yield f"{path.relative_to(ROOT)}:{node.lineno}", *found


def test_every_marked_string_has_a_chinese_translation():
    """The zh_Hans catalogues are complete: a string marked in code but missing from every
    catalogue would reach a Chinese page in English."""
    missing = [
        f"{where} {msgid!r}"
        for where, context, msgid in marked_strings()
        if isinstance(msgid, str) and re.search("[A-Za-z]", msgid) and msgid not in SAME_IN_CHINESE
        if not _translated(context, msgid)
    ]
    assert missing == []
