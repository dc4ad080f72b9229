"""Report services: auto-approval by the policy in force at submission, numbering, transitions."""

from datetime import UTC, datetime, timedelta

import pytest

from core.audit import audit_trail
from core.errors import IllegalTransition, InvalidInput
from core.tests.races import outcome, run_together
from reports import coverage, services
from reports.models import CommitmentLetter, DeliveryReport, ReportSequence
from reports.services.reports import ILLEGAL_MOVE_CODES, TRANSITIONS
from reports.tests.factories import UnifiedExemptionFactory
from shops.tests.factories import OrderFactory, ProductFactory, sh

pytestmark = pytest.mark.django_db

POLICY_START = sh(2022, 12, 21)


def submit(merchant, shop, at, **kwargs):
    values = {
        "scenario": "epidemic",
        "scope": "shop",
        "starts_at": at,
        "ends_at": at + timedelta(days=5),
        "commitment_accepted": True,
    }
    return services.report_submit(actor=merchant, draft=services.ReportDraft(shop=shop, **{**values, **kwargs}), at=at).report


@pytest.mark.parametrize(
    ("at", "scenario", "status"),
    [
        (POLICY_START - timedelta(seconds=1), "epidemic", "pending_review"),
        (POLICY_START - timedelta(seconds=1), "natural_disaster", "pending_review"),
        (POLICY_START, "epidemic", "approved"),
        (POLICY_START + timedelta(seconds=1), "epidemic", "approved"),
        (POLICY_START + timedelta(seconds=1), "natural_disaster", "approved"),
        (POLICY_START + timedelta(seconds=1), "major_event", "pending_review"),
        (POLICY_START + timedelta(seconds=1), "other_force_majeure", "pending_review"),
    ],
)
def test_auto_approval_is_judged_at_submission_time(merchant, shop, at, scenario, status):
    report = submit(merchant, shop, at, scenario=scenario)
    assert report.status == status
    if status == "approved":
        assert (report.approved_at, report.decided_by, report.decided_by_system) == (at, None, True)
    else:
        assert report.approved_at is None and not report.decided_by_system


def test_report_numbers_follow_the_shanghai_day(merchant, shop):
    # 15:59:59 UTC is still 23:59:59 in Shanghai; 16:00 UTC is the next day.
    late = submit(merchant, shop, datetime(2022, 12, 27, 15, 59, 59, tzinfo=UTC))
    next_day = submit(merchant, shop, datetime(2022, 12, 27, 16, 0, tzinfo=UTC))
    again = submit(merchant, shop, datetime(2022, 12, 27, 18, 0, tzinfo=UTC))
    assert [late.report_no, next_day.report_no, again.report_no] == [
        "BB2022122700001",
        "BB2022122800001",
        "BB2022122800002",
    ]
    assert ReportSequence.objects.get(day="2022-12-28").last == 2


def test_a_refused_submission_gives_no_number_away(merchant, shop):
    at = sh(2022, 12, 27, 9)
    with pytest.raises(InvalidInput):
        submit(merchant, shop, at, scope="region", regions=["999999"])
    assert submit(merchant, shop, at).report_no == "BB2022122700001"


def test_the_commitment_letter_version_is_kept(merchant, shop):
    report = submit(merchant, shop, sh(2022, 12, 27, 9))
    assert report.commitment_letter.version == "2022.12"
    assert report.commitment_accepted_at == sh(2022, 12, 27, 9) and report.commitment_accepted_by == merchant
    assert audit_trail(report)[0].data["commitment_letter"] == "2022.12"


def test_a_new_letter_version_applies_from_its_publication(merchant, shop):
    CommitmentLetter.objects.create(version="2023.01", text="新版承诺书", published_at=sh(2023, 1, 1))
    assert submit(merchant, shop, sh(2022, 12, 31, 23)).commitment_letter.version == "2022.12"
    assert submit(merchant, shop, sh(2023, 1, 1)).commitment_letter.version == "2023.01"
    with pytest.raises(InvalidInput) as exc:
        submit(merchant, shop, sh(2023, 1, 2), commitment_letter_version="2022.12")
    assert exc.value.code == "commitment_letter_outdated"
    assert submit(merchant, shop, sh(2022, 12, 1)).commitment_letter.version == "2022.12"  # before any publication


def test_withdraw_and_revoke_stop_coverage_from_their_time(merchant, ops_user, shop):
    order = OrderFactory(product=ProductFactory(shop=shop))  # paid 12-28 10:00, deadline 12-30 10:00
    report = submit(merchant, shop, sh(2022, 12, 28, 9))
    services.report_withdraw(actor=merchant, report=report, at=sh(2022, 12, 29, 12))
    assert coverage.covering_report(order, sh(2022, 12, 29, 11, 59, 59)) == report
    assert coverage.covering_report(order, sh(2022, 12, 29, 12)) is None
    other = submit(merchant, shop, sh(2022, 12, 28, 9, 30))
    services.report_revoke(actor=ops_user, report=other, reason="抽查不实", at=sh(2022, 12, 30))
    assert coverage.covering_report(order, sh(2022, 12, 29, 23)) == other
    assert coverage.covering_report(order, sh(2022, 12, 30)) is None
    other.refresh_from_db()
    assert (other.status, other.revoked_at, other.reason) == ("revoked", sh(2022, 12, 30), "抽查不实")


def test_every_illegal_move_is_a_409_with_its_code(merchant, ops_user, shop):
    moves = {
        "approved": lambda r: services.report_approve(actor=ops_user, report=r),
        "rejected": lambda r: services.report_reject(actor=ops_user, report=r, reason="x"),
        "revoked": lambda r: services.report_revoke(actor=ops_user, report=r, reason="x"),
        "withdrawn": lambda r: services.report_withdraw(actor=merchant, report=r),
    }
    reach = {
        "pending_review": [],
        "approved": ["approved"],
        "rejected": ["rejected"],
        "withdrawn": ["withdrawn"],
        "revoked": ["approved", "revoked"],
    }
    for source, path in reach.items():
        for target, move in moves.items():
            report = submit(merchant, shop, sh(2022, 12, 20, 9), scenario="major_event")
            for step in path:
                moves[step](report)
            if target in TRANSITIONS[source]:
                assert move(report).status == target
                continue
            with pytest.raises(IllegalTransition) as exc:
                move(report)
            assert (exc.value.status, exc.value.code) == (409, ILLEGAL_MOVE_CODES[target])
            assert DeliveryReport.objects.get(pk=report.pk).status == source


def test_every_decision_is_audited_with_who_and_why(merchant, ops_user, shop):
    report = submit(merchant, shop, sh(2022, 12, 20, 9), scenario="major_event")
    services.report_reject(actor=ops_user, report=report, reason="材料不足")
    rows = [(e.action, e.from_status, e.to_status, e.actor_label, e.reason) for e in audit_trail(report)]
    assert rows == [
        ("report_submitted", "", "pending_review", "merchant-a", ""),
        ("report_rejected", "pending_review", "rejected", "ops-reviewer", "材料不足"),
    ]


def test_exemption_update_keeps_prefixes_and_audits(ops_user):
    exemption = UnifiedExemptionFactory(regions=["330000"])
    services.exemption_update(
        actor=ops_user,
        exemption=exemption,
        title="改",
        scenario="epidemic",
        applies_to="either",
        regions=["330100", "420102"],
        starts_at=exemption.starts_at,
        ends_at=exemption.ends_at,
    )
    assert sorted(exemption.region_links.values_list("region_id", "prefix")) == [("330100", "3301"), ("420102", "420102")]
    entry = audit_trail(exemption).get()
    assert entry.action == "exemption_changed" and entry.data["before"]["regions"] == ["330000"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_distinct_consecutive_numbers(merchant, shop):
    at = sh(2022, 12, 27, 9)

    def worker():
        return submit(merchant, shop, at).report_no

    answers = run_together(*[worker] * 8)
    errors = [a for a in answers if isinstance(a, BaseException)]
    numbers = [a for a in answers if not isinstance(a, BaseException)]
    assert errors == []
    assert sorted(numbers) == [f"BB20221227{n:05d}" for n in range(1, 9)]


def test_no_letter_at_all_is_refused(merchant, shop):
    CommitmentLetter.objects.all().delete()
    with pytest.raises(InvalidInput) as exc:
        submit(merchant, shop, sh(2022, 12, 27, 9))
    assert exc.value.code == "commitment_letter_missing"
    assert not DeliveryReport.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_deciding_at_once_end_in_one_decision(merchant, ops_user, ops_admin_user, shop):
    report = submit(merchant, shop, sh(2022, 12, 27, 9), scenario="major_event")

    def decide(service, user, **kwargs):
        return service(actor=user, report=report, **kwargs).status

    results = run_together(
        lambda: decide(services.report_approve, ops_user),
        lambda: decide(services.report_reject, ops_admin_user, reason="x"),
    )
    outcomes = [outcome(r, IllegalTransition) for r in results]
    assert sorted(outcomes) in (["approved", "report_not_pending"], ["rejected", "report_not_pending"])
    report.refresh_from_db()
    assert report.status in ("approved", "rejected")
    assert len(audit_trail(report)) == 2  # submitted + one decision


def test_commitment_letter_publish_is_audited(ops_admin_user):
    from core.models import AuditEntry
    from reports.services import commitment_letter_publish

    letter = commitment_letter_publish(actor=ops_admin_user, version="v9", text="承诺", published_at=sh(2023, 1, 1))
    assert AuditEntry.objects.get(action="commitment_letter_published", target_id=str(letter.pk)).data == {"version": "v9"}
