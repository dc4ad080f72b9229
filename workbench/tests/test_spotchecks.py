"""Spot checks (抽查): the daily sample (reproducible, idempotent) and the decision."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection

from complaints.selectors import complaints_to_rereview
from complaints.tests.factories import JudgedComplaintFactory
from core.errors import Conflict, InvalidInput
from core.models import AuditEntry
from notifications.models import Notification
from reports.models import DeliveryReport
from reports.services import report_withdraw
from reports.tests.factories import DeliveryReportFactory
from shops.tests.factories import OrderFactory, ProductFactory, ShopFactory, sh
from workbench.models import SpotCheck, SpotCheckDay
from workbench.spotchecks import spot_check_decide, spot_check_pick, spot_checks_sample

pytestmark = pytest.mark.django_db
DAY = date(2022, 12, 28)


def auto_approved(shop, n: int, *, at=None, **kwargs) -> list[DeliveryReport]:
    at = at or sh(2022, 12, 28, 10, 0)
    return [DeliveryReportFactory.create(shop=shop, approved_at=at, decided_at=at, **kwargs) for _ in range(n)]


def test_pick_is_reproducible_by_day_and_keeps_the_rate():
    population = [(pk, 1 + pk % 7) for pk in range(1, 401)]  # 400 reports of 7 shops
    first = spot_check_pick(population, day=DAY)
    assert first == spot_check_pick(list(population), day=DAY)  # same day, same sample
    assert 8 <= len(first) <= 8 + 7  # 2 % of 400, plus one for each shop (all had ≥ 5) none was drawn for
    assert {1 + pk % 7 for pk in first} == set(range(1, 8))
    assert spot_check_pick(population, day=DAY + timedelta(days=1)) != first  # another seed


def test_rate_is_rounded_up_and_is_a_setting(settings):
    population = [(pk, 1) for pk in range(1, 4)]  # 3 reports, one shop (< 5)
    assert len(spot_check_pick(population, day=DAY)) == 1  # ceil(0.06)
    settings.SPOT_CHECK_RATE = 1
    assert spot_check_pick(population, day=DAY) == [1, 2, 3]
    assert spot_check_pick([], day=DAY) == []


def test_every_shop_with_five_or_more_gets_one(settings):
    settings.SPOT_CHECK_RATE = 0  # only the per-shop rule picks
    population = [(pk, 1) for pk in range(1, 6)] + [(pk, 2) for pk in range(6, 10)] + [(pk, 3) for pk in range(10, 40)]
    picked = spot_check_pick(population, day=DAY)
    assert len(picked) == 2
    assert sum(1 for pk in picked if pk <= 5) == 1  # shop 1: exactly five
    assert not any(6 <= pk <= 9 for pk in picked)  # shop 2: four, none needed
    assert sum(1 for pk in picked if pk >= 10) == 1


def test_sample_takes_yesterdays_auto_approvals_only(shop, other_shop, settings):
    settings.SPOT_CHECK_RATE = 1  # sample everything: the population is what is tested
    inside = auto_approved(shop, 1, at=datetime(2022, 12, 27, 16, 0, tzinfo=UTC))  # 12-28 00:00 Shanghai
    last = auto_approved(other_shop, 1, at=datetime(2022, 12, 28, 15, 59, 59, tzinfo=UTC))
    auto_approved(shop, 1, at=datetime(2022, 12, 27, 15, 59, 59, tzinfo=UTC))  # the day before
    auto_approved(shop, 1, at=datetime(2022, 12, 28, 16, 0, tzinfo=UTC))  # the day after
    auto_approved(shop, 1, decided_by_system=False)  # approved by ops: not sampled
    run = spot_checks_sample(now=sh(2022, 12, 29, 0, 40))  # default: yesterday in Asia/Shanghai
    assert (run.day, run.created, run.population, run.sampled) == (DAY, True, 2, 2)
    assert set(SpotCheck.objects.values_list("report_id", flat=True)) == {inside[0].pk, last[0].pk}
    assert set(SpotCheck.objects.values_list("shop_id", flat=True)) == {shop.pk, other_shop.pk}
    assert AuditEntry.objects.filter(action="spot_check_sampled", to_status="pending").count() == 2
    day = SpotCheckDay.objects.get()
    assert (day.population, day.sampled, day.seed) == (2, 2, "spot-check:2022-12-28")


def test_sample_is_idempotent_per_day(shop):
    auto_approved(shop, 6)
    first = spot_checks_sample(day=DAY)
    assert first.created and first.sampled == 1
    again = spot_checks_sample(day=DAY)
    assert (again.created, again.sampled) == (False, 0)
    assert SpotCheck.objects.count() == 1 and SpotCheckDay.objects.count() == 1


def test_same_population_gives_same_sample_after_a_reset(shop, other_shop):
    auto_approved(shop, 30)
    auto_approved(other_shop, 70)
    spot_checks_sample(day=DAY)
    first = sorted(SpotCheck.objects.values_list("report_id", flat=True))
    SpotCheck.objects.all().delete()
    SpotCheckDay.objects.all().delete()
    spot_checks_sample(day=DAY)
    assert sorted(SpotCheck.objects.values_list("report_id", flat=True)) == first
    assert len(first) in (2, 3)  # ceil(2 % of 100), plus one if a shop (both had ≥ 5) got none
    assert set(DeliveryReport.objects.filter(pk__in=first).values_list("shop_id", flat=True)) == {shop.pk, other_shop.pk}


def test_command_and_beat_schedule(shop, settings):
    from io import StringIO

    auto_approved(shop, 5)
    out = StringIO()
    call_command("sample_spot_checks", "--date", "2022-12-28", stdout=out)
    assert "sampled 1 of 5" in out.getvalue()
    out = StringIO()
    call_command("sample_spot_checks", "--date", "2022-12-28", stdout=out)
    assert "already sampled" in out.getvalue()
    entry = settings.CELERY_BEAT_SCHEDULE["workbench-sample-spot-checks"]
    assert entry["task"] == "workbench.sample_spot_checks" and entry["options"]["expires"]


def test_task_is_thin(shop):
    from workbench.tasks import sample_spot_checks

    auto_approved(shop, 5)
    assert sample_spot_checks("2022-12-28") == {"day": "2022-12-28", "created": True, "population": 5, "sampled": 1}


# --- deciding ------------------------------------------------------------------------------


@pytest.fixture
def check(shop, merchant):
    auto_approved(shop, 1)
    spot_checks_sample(day=DAY)
    return SpotCheck.objects.get()


def test_confirm_records_audits_and_tells_the_shop(check, ops_user, merchant, other_merchant):
    decided = spot_check_decide(actor=ops_user, spot_check=check, result="confirmed", note="核实属实")
    assert (decided.status, decided.note, decided.decided_by, decided.report_revoked) == (
        "confirmed",
        "核实属实",
        ops_user,
        False,
    )
    assert DeliveryReport.objects.get(pk=check.report_id).status == "approved"
    audit = AuditEntry.objects.get(action="spot_check_decided")
    assert (audit.from_status, audit.to_status, audit.reason, audit.actor) == ("pending", "confirmed", "核实属实", ops_user)
    note = Notification.objects.get(user=merchant, kind="spot_check_result")
    assert note.title == f"报备 {check.report.report_no} 抽查结果：属实"
    assert note.body == "核实属实" and note.link == f"/reports/{check.report.report_no}/"
    assert not Notification.objects.filter(user=other_merchant).exists()


def test_false_revokes_through_the_service_and_fills_the_rereview_list(check, ops_user, merchant, shop):
    exempted = JudgedComplaintFactory(
        order=OrderFactory(product=ProductFactory(shop=shop)), verdict="exempt", penalty=None, basis_report=check.report
    )
    decided = spot_check_decide(actor=ops_user, spot_check=check, result="false", note="现场核查未封控")
    assert decided.status == "false" and decided.report_revoked
    report = DeliveryReport.objects.get(pk=check.report_id)
    assert report.status == "revoked" and report.revoked_at is not None
    assert report.reason == "抽查发现报备不实：现场核查未封控"
    assert AuditEntry.objects.filter(action="report_revoked", target_id=str(report.pk), actor=ops_user).exists()
    assert list(complaints_to_rereview()) == [exempted]
    kinds = set(Notification.objects.filter(user=merchant).values_list("kind", "title"))
    assert ("spot_check_result", f"报备 {report.report_no} 抽查结果：不实") in kinds
    assert ("report_decided", f"报备 {report.report_no} 已被撤销") in kinds


def test_false_on_a_withdrawn_report_records_without_revoking(check, ops_user, merchant):
    report_withdraw(actor=merchant, report=check.report)
    decided = spot_check_decide(actor=ops_user, spot_check=check, result="false", note="已撤回")
    assert decided.status == "false" and not decided.report_revoked
    assert DeliveryReport.objects.get(pk=check.report_id).status == "withdrawn"


@pytest.mark.parametrize(
    "result, note, code", [("maybe", "x", "invalid_result"), ("pending", "x", "invalid_result"), ("false", "  ", "note_required")]
)
def test_bad_input_is_400(check, ops_user, result, note, code):
    with pytest.raises(InvalidInput) as exc:
        spot_check_decide(actor=ops_user, spot_check=check, result=result, note=note)
    assert exc.value.code == code
    check.refresh_from_db()
    assert check.status == "pending"


def test_deciding_twice_is_409(check, ops_user):
    spot_check_decide(actor=ops_user, spot_check=check, result="confirmed", note="ok")
    with pytest.raises(Conflict) as exc:
        spot_check_decide(actor=ops_user, spot_check=check, result="false", note="改判")
    assert exc.value.code == "spot_check_already_decided"
    assert DeliveryReport.objects.get(pk=check.report_id).status == "approved"


# --- concurrency (PostgreSQL) --------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_sample_the_day_once(reference_data):
    shop = ShopFactory(code="race-shop")
    auto_approved(shop, 60)
    barrier = threading.Barrier(2, timeout=30)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(spot_checks_sample(day=DAY))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert sorted(r.created for r in results) == [False, True]
    assert SpotCheckDay.objects.count() == 1
    assert SpotCheck.objects.count() == 2  # ceil(2 % of 60) + at least one for the shop: already drawn
    assert AuditEntry.objects.filter(action="spot_check_sampled").count() == 2


def test_no_one_checks_their_own_shop(check, shop, ops_user):
    from core.duties import ConflictOfInterest

    shop.memberships.create(user=ops_user)  # the reviewer is also a member of the shop
    for result in ("confirmed", "false"):
        with pytest.raises(ConflictOfInterest) as exc:
            spot_check_decide(actor=ops_user, spot_check=check, result=result, note="自查")
        assert exc.value.code == "conflict_of_interest" and exc.value.status == 403
    check.refresh_from_db()
    assert check.status == "pending"
    assert DeliveryReport.objects.get(pk=check.report_id).status == "approved"
