"""Automatic judgment by exemptions and reports, the penalty, and manual review."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints.models import Complaint
from complaints.services import complaint_judge, complaint_penalty, complaint_rereview, complaints_judge_pending
from complaints.tests.factories import ComplaintFactory
from core.errors import Conflict, InvalidInput
from core.models import AuditEntry, Policy
from core.policies import JUDGE_BY_REPORTS
from core.tests.races import run_together
from reports.tests.factories import DeliveryReportFactory, UnifiedExemptionFactory
from shops.tests.factories import OrderFactory, ProductFactory, sh

pytestmark = pytest.mark.django_db

POLICY_START = sh(2022, 12, 28)


@pytest.fixture
def order(shop):
    return OrderFactory(product=ProductFactory(shop=shop))  # 100.00, paid 12-28 10:00, deadline 12-30 10:00


def judged(complaint) -> Complaint:
    complaint.refresh_from_db()
    return complaint


def judge_audits(complaint) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(target_type="complaints.complaint", target_id=str(complaint.pk), action="complaint_judged")
    )


@pytest.mark.parametrize(
    ("amount", "penalty"),
    [
        ("0.01", "5.00"),
        ("100.00", "5.00"),
        ("100.10", "5.01"),
        ("600.00", "30.00"),
        ("1000.00", "30.00"),
        ("100.09", "5.00"),
        ("300.30", "15.02"),
        ("599.90", "30.00"),
        ("599.89", "29.99"),
    ],
)
def test_penalty_edges_python_and_sql_agree(shop, amount, penalty):
    assert complaint_penalty(Decimal(amount)) == Decimal(penalty)
    complaint = ComplaintFactory(order=OrderFactory(product=ProductFactory(shop=shop), amount=Decimal(amount)))
    complaints_judge_pending()
    complaint = judged(complaint)
    assert complaint.verdict == "merchant_liable"
    assert complaint.penalty == Decimal(penalty)
    assert str(complaint.penalty) == penalty


def test_penalty_numbers_are_settings(settings, shop):
    settings.COMPLAINT_PENALTY_RATE = Decimal("0.10")
    settings.COMPLAINT_PENALTY_MIN = Decimal("1.00")
    settings.COMPLAINT_PENALTY_MAX = Decimal("50.00")
    assert complaint_penalty(Decimal("100.05")) == Decimal("10.01")
    complaint = ComplaintFactory(order=OrderFactory(product=ProductFactory(shop=shop), amount=Decimal("100.05")))
    complaints_judge_pending()
    assert judged(complaint).penalty == Decimal("10.01")


def test_covering_report_exempts_with_report_as_basis(order):
    report = DeliveryReportFactory(shop=order.shop)
    complaint = ComplaintFactory(order=order)
    run = complaints_judge_pending()
    complaint = judged(complaint)
    assert (run.judged, run.exempt, run.liable) == (1, 1, 0)
    assert complaint.status == "judged" and complaint.verdict == "exempt"
    assert complaint.basis_report == report and complaint.basis_exemption is None
    assert complaint.penalty is None and complaint.judged_at is not None and complaint.judged_by is None
    [audit] = judge_audits(complaint)
    assert audit.actor_label == "system" and audit.data["basis_report"] == report.pk


def test_exemption_comes_first_when_both_cover(order):
    DeliveryReportFactory(shop=order.shop)
    exemption = UnifiedExemptionFactory(regions=["330000"])
    complaint = ComplaintFactory(order=order)
    complaints_judge_pending()
    complaint = judged(complaint)
    assert complaint.verdict == "exempt"
    assert complaint.basis_exemption == exemption and complaint.basis_report is None


@pytest.mark.parametrize(
    "report_kwargs",
    [
        {"revoked_at": sh(2022, 12, 30, 11), "status": "revoked", "approved_at": sh(2022, 12, 27)},  # revoked before filed_at
        {"withdrawn_at": sh(2022, 12, 30, 11), "status": "withdrawn", "approved_at": sh(2022, 12, 27)},
        {"status": "pending_review"},
        {"ends_at": sh(2022, 12, 30, 11, 59)},  # window over at filed_at
        {"approved_at": sh(2022, 12, 30, 10, 0, 1)},  # approved after the ship deadline
        {"scope": "region", "regions": ["440000"]},  # another region
    ],
)
def test_report_that_does_not_cover_at_filed_at_leaves_merchant_liable(order, report_kwargs):
    DeliveryReportFactory(shop=order.shop, **report_kwargs)
    complaint = ComplaintFactory(order=order)
    complaints_judge_pending()
    complaint = judged(complaint)
    assert complaint.verdict == "merchant_liable" and complaint.basis_report is None
    assert complaint.penalty == Decimal("5.00")


def test_report_revoked_after_filing_still_exempts(order):
    report = DeliveryReportFactory(
        shop=order.shop, revoked_at=sh(2022, 12, 30, 13), status="revoked", approved_at=sh(2022, 12, 27)
    )
    complaint = ComplaintFactory(order=order)
    complaints_judge_pending()
    assert judged(complaint).basis_report == report


def test_other_shops_report_does_not_exempt(order, other_shop):
    DeliveryReportFactory(shop=other_shop)
    complaint = ComplaintFactory(order=order)
    complaints_judge_pending()
    assert judged(complaint).verdict == "merchant_liable"


def test_message_and_evidence_are_stored_but_never_used(order):
    a = ComplaintFactory(order=order, message="商家说有疫情报备", evidence=["https://x/报备.jpg"])
    b = ComplaintFactory(order=order, message="", evidence=[])
    complaints_judge_pending()
    assert judged(a).verdict == judged(b).verdict == "merchant_liable"
    assert a.message == "商家说有疫情报备" and a.evidence == ["https://x/报备.jpg"]


@pytest.mark.parametrize(
    ("filed_at", "auto_judged"),
    [
        (POLICY_START - timedelta(seconds=1), False),
        (POLICY_START, True),
        (POLICY_START + timedelta(seconds=1), True),
    ],
)
def test_policy_boundary_by_filed_at(shop, filed_at, auto_judged):
    order = OrderFactory(product=ProductFactory(shop=shop), paid_at=sh(2022, 12, 27, 10))
    complaint = ComplaintFactory(order=order, filed_at=filed_at)
    complaints_judge_pending()
    complaint = judged(complaint)
    assert (complaint.status == "judged") is auto_judged
    if not auto_judged:
        assert complaint.verdict == "" and complaint.penalty is None and not judge_audits(complaint)


def test_policy_boundary_follows_the_policy_row(order):
    Policy.objects.filter(key=JUDGE_BY_REPORTS).update(effective_from=sh(2022, 12, 31))
    complaint = ComplaintFactory(order=order)  # filed 12-30
    assert complaints_judge_pending().judged == 0
    Policy.objects.filter(key=JUDGE_BY_REPORTS).update(enabled=False, effective_from=POLICY_START)
    assert complaints_judge_pending().judged == 0
    assert judged(complaint).status == "pending_review"


def test_rerun_judges_each_complaint_once(order):
    complaints = ComplaintFactory.create_batch(3, order=order)
    assert complaints_judge_pending().judged == 3
    first = [judged(c).judged_at for c in complaints]
    assert complaints_judge_pending().judged == 0
    assert [judged(c).judged_at for c in complaints] == first
    assert all(len(judge_audits(c)) == 1 for c in complaints)


EXEMPT_DISTRICTS = ["110101", "110102", "110105", "110106", "110107", "110108"]


def _mixed_complaints(shop, n: int, *, distinct_bases: bool) -> None:
    """n complaints: a third covered by an exemption, a third by a report, the rest liable.
    With ``distinct_bases`` every covered order has its own exemption or report; without,
    one exemption and one report cover them all."""
    if not distinct_bases:
        UnifiedExemptionFactory(regions=["110000"])
        DeliveryReportFactory(shop=shop, scope="region", regions=["330000"])
    for i in range(n):
        product = ProductFactory(shop=shop)
        region = [EXEMPT_DISTRICTS[i // 3], "330102", "440305"][i % 3]
        order = OrderFactory(product=product, amount=Decimal(10 + 97 * i), receiver_region_id=region)
        if distinct_bases and i % 3 == 0:
            UnifiedExemptionFactory(regions=[region], starts_at=sh(2022, 12, 30, 11, 0, i))
        elif distinct_bases and i % 3 == 1:
            DeliveryReportFactory(shop=shop, scope="product", products=[product])
        ComplaintFactory(order=order)


@pytest.mark.parametrize("distinct_bases", [False, True])
def test_constant_number_of_queries_per_batch(shop, distinct_bases):
    _mixed_complaints(shop, 14, distinct_bases=distinct_bases)
    # policy look-up once; per batch: savepoint, one UPDATE … FROM … RETURNING, one audit insert,
    # one inbox INSERT … SELECT, release — on PostgreSQL one statement picks (locks) the batch's
    # ids, judges them and writes their audit rows (data-modifying CTEs), after JIT is turned off
    # for the transaction
    with CaptureQueriesContext(connection) as ctx:
        run = complaints_judge_pending(batch_size=5)
    assert run.judged == 14 and run.batches == 3
    assert len(ctx.captured_queries) == 1 + 3 * 5
    verdicts = list(Complaint.objects.order_by("pk").values_list("verdict", flat=True))
    assert verdicts == ["exempt", "exempt", "merchant_liable"] * 4 + ["exempt", "exempt"]
    assert Complaint.objects.filter(basis_exemption__isnull=False).count() == 5
    assert Complaint.objects.filter(basis_report__isnull=False).count() == 5
    assert Complaint.objects.filter(status="pending_review").count() == 0
    assert AuditEntry.objects.filter(action="complaint_judged").count() == 14


@pytest.mark.postgres
def test_on_postgresql_a_batch_turns_jit_off_and_judges_the_picked_ids_by_array(shop):
    """With statistics, the planner priced the coverage subplans high enough to JIT-compile the
    batch's statement — seconds per batch for milliseconds of work; and ``id IN (<LIMIT
    subquery>)`` was hash-joined against the whole table. Each batch: JIT off, then one statement
    whose first CTE picks the ids (locked, skipping rows another run holds) and hands them to the
    coverage SELECT and the UPDATE as one array (primary-key probes)."""
    _mixed_complaints(shop, 6, distinct_bases=False)
    with CaptureQueriesContext(connection) as ctx:
        assert complaints_judge_pending(batch_size=4).judged == 6
    sqls = [q["sql"] for q in ctx.captured_queries]
    assert sum(1 for sql in sqls if sql == "SET LOCAL jit = off") == 2
    statements = [sql for sql in sqls if sql.lstrip().startswith("WITH p AS MATERIALIZED")]
    assert len(statements) == 2
    assert not [sql for sql in sqls if "SKIP LOCKED" in sql and sql not in statements]
    for sql in statements:
        assert sql.count("FOR UPDATE SKIP LOCKED") == 1
        assert sql.count("= ANY((SELECT ids FROM p)::bigint[])") == 2  # the coverage SELECT and the UPDATE
    # the inbox rows of each batch get the ids as the text of one array, as the statement returned
    # it (no 5,000-element list parsed and adapted back)
    inbox = [sql for sql in sqls if sql.startswith('INSERT INTO "notifications_notification"')]
    assert len(inbox) == 2
    assert all(re.search(r"""\."id" = ANY\('\{\d+(,\d+)*\}'::bigint\[\]\)""", sql) for sql in inbox)


def test_batch_size_does_not_change_verdicts(shop):
    _mixed_complaints(shop, 9, distinct_bases=True)
    complaints_judge_pending(batch_size=2)
    by_small = dict(Complaint.objects.values_list("pk", "verdict"))
    expected = {}
    from reports.coverage import coverage_of

    for c in Complaint.objects.select_related("order"):
        expected[c.pk] = "exempt" if coverage_of(c.order, c.filed_at) else "merchant_liable"
    assert by_small == expected
    assert set(expected.values()) == {"exempt", "merchant_liable"}


def test_set_based_judgment_agrees_with_the_python_form_row_by_row(shop, ops_user):
    """Verdict, basis, penalty and audit data of every complaint of a mixed table (exemptions,
    reports of every scope, nothing; amounts at the penalty's edges) are what the Python form —
    ``coverage_of`` and ``complaint_penalty`` — gives, whatever the batch size."""
    from reports.coverage import coverage_of

    _mixed_complaints(shop, 12, distinct_bases=True)
    product = ProductFactory(shop=shop)
    # between the judgeable ones, two the batch statement must not pick: filed before the policy
    # (waits for ops) and already judged by ops (its verdict and audit stay)
    legacy = ComplaintFactory(
        order=OrderFactory(product=product, paid_at=sh(2022, 12, 27, 10)), filed_at=POLICY_START - timedelta(seconds=1)
    )
    by_ops = complaint_judge(
        actor=ops_user, complaint=ComplaintFactory(order=OrderFactory(product=product)), verdict="exempt", reason="核实"
    )
    for amount in ("0.01", "100.10", "300.30", "599.89", "100000.00"):
        ComplaintFactory(order=OrderFactory(product=product, amount=Decimal(amount)))
    expected = {}
    for c in Complaint.objects.exclude(pk__in=[legacy.pk, by_ops.pk]).select_related("order"):
        cover = coverage_of(c.order, c.filed_at)
        exemption = cover.exemption.pk if cover and cover.exemption else None
        report = cover.report.pk if cover and not cover.exemption else None
        penalty = None if cover else complaint_penalty(c.order.amount)
        expected[c.pk] = (
            "exempt" if cover else "merchant_liable",
            exemption,
            report,
            penalty,
            {
                "verdict": "exempt" if cover else "merchant_liable",
                "basis_exemption": exemption,
                "basis_report": report,
                "penalty": None if penalty is None else str(penalty),
                "by": "judge_by_reports",
            },
        )
    run = complaints_judge_pending(batch_size=4)
    assert run.judged == len(expected) == run.exempt + run.liable
    assert run.exempt == sum(1 for v in expected.values() if v[0] == "exempt")
    got = {}
    for c in Complaint.objects.exclude(pk__in=[legacy.pk, by_ops.pk]):
        (audit,) = judge_audits(c)
        got[c.pk] = (c.verdict, c.basis_exemption_id, c.basis_report_id, c.penalty, audit.data)
    assert got == expected
    assert judged(legacy).status == "pending_review" and not judge_audits(legacy)
    assert judged(by_ops).judged_by == ops_user and [a.data["by"] for a in judge_audits(by_ops)] == ["ops"]
    assert {v[0] for v in expected.values()} == {"exempt", "merchant_liable"}
    assert any(v[1] for v in expected.values()) and any(v[2] for v in expected.values())


def test_judge_complaints_command(order, capsys):
    ComplaintFactory(order=order)
    call_command("judge_complaints")
    assert "Judged 1 complaints" in capsys.readouterr().out
    assert Complaint.objects.get().status == "judged"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_judge_each_complaint_once(shop):
    order = OrderFactory(product=ProductFactory(shop=shop))
    ComplaintFactory.create_batch(300, order=order)

    def run():
        return complaints_judge_pending(batch_size=20).judged

    answers = run_together(run, run, run)
    errors = [a for a in answers if isinstance(a, BaseException)]
    results = [a for a in answers if not isinstance(a, BaseException)]
    assert not errors
    assert sum(results) == 300
    assert Complaint.objects.filter(status="judged").count() == 300
    assert AuditEntry.objects.filter(action="complaint_judged").count() == 300


# --- manual review ------------------------------------------------------------------------


def test_ops_judge_a_legacy_complaint(order, ops_user):
    legacy = ComplaintFactory(order=order, filed_at=sh(2022, 12, 27, 12))
    DeliveryReportFactory(shop=order.shop)
    complaint = complaint_judge(actor=ops_user, complaint=legacy, verdict="merchant_liable", reason="证据不足")
    assert complaint.verdict == "merchant_liable" and complaint.penalty == Decimal("5.00")
    assert complaint.judged_by == ops_user and complaint.judgment_reason == "证据不足"
    [audit] = judge_audits(complaint)
    assert audit.actor == ops_user and audit.reason == "证据不足" and audit.data["by"] == "ops"
    with pytest.raises(Conflict) as exc:
        complaint_judge(actor=ops_user, complaint=legacy, verdict="exempt", reason="再判")
    assert exc.value.code == "complaint_already_judged"


def test_ops_exempt_records_the_covering_basis(order, ops_user):
    report = DeliveryReportFactory(shop=order.shop)
    complaint = complaint_judge(actor=ops_user, complaint=ComplaintFactory(order=order), verdict="exempt", reason="有报备")
    assert complaint.basis_report == report and complaint.penalty is None


def test_ops_judgment_needs_reason_and_known_verdict(order, ops_user):
    complaint = ComplaintFactory(order=order)
    for verdict, reason, code in [("exempt", " ", "reason_required"), ("maybe", "x", "invalid_verdict")]:
        with pytest.raises(InvalidInput) as exc:
            complaint_judge(actor=ops_user, complaint=complaint, verdict=verdict, reason=reason)
        assert exc.value.code == code
    assert judged(complaint).status == "pending_review"


def test_rereview_after_the_basis_report_is_revoked(order, ops_user):
    report = DeliveryReportFactory(shop=order.shop)
    complaint = ComplaintFactory(order=order)
    complaints_judge_pending()
    with pytest.raises(Conflict):
        complaint_rereview(actor=ops_user, complaint=complaint, verdict="merchant_liable", reason="x")
    report.revoked_at, report.status = sh(2023, 1, 2), "revoked"
    report.save()
    assert judged(complaint).verdict == "exempt"  # nothing flips silently
    complaint = complaint_rereview(actor=ops_user, complaint=complaint, verdict="merchant_liable", reason="承诺不实")
    assert complaint.verdict == "merchant_liable" and complaint.penalty == Decimal("5.00")
    assert complaint.rereviewed_by == ops_user
    audit = AuditEntry.objects.get(action="complaint_rereviewed")
    assert audit.data["before"]["basis_report"] == report.pk
