"""Job runs: one row per periodic execution; the 任务运行 admin page flags late jobs."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core import jobs
from core.jobs import job_overview, job_periods, job_run, recorded_job
from core.models import JobRun

pytestmark = pytest.mark.django_db


def test_a_successful_run_records_its_counts():
    @recorded_job("tickets.sweep_overdue")
    def sweep():
        return {"overdue": 3, "skipped": [1]}

    assert sweep() == {"overdue": 3, "skipped": [1]}
    run = JobRun.objects.get()
    assert (run.name, run.outcome, run.counts) == ("tickets.sweep_overdue", "success", {"overdue": 3})
    assert run.finished_at >= run.started_at


def test_a_failed_run_records_the_error_and_reraises():
    with pytest.raises(RuntimeError), job_run("complaints.judge_pending"):
        raise RuntimeError("db gone")
    run = JobRun.objects.get()
    assert run.outcome == "failure" and run.error == "RuntimeError: db gone" and run.finished_at


def test_old_runs_are_pruned(monkeypatch):
    monkeypatch.setattr(jobs, "JOB_RUNS_KEPT", 3)
    for _ in range(5):
        with job_run("core.outbox_drain"):
            pass
    with job_run("other"):
        pass
    assert JobRun.objects.filter(name="core.outbox_drain").count() == 3
    assert JobRun.objects.filter(name="other").count() == 1


def test_periods_come_from_the_beat_schedule():
    periods = job_periods()
    assert periods["tickets.sweep_overdue"] == timedelta(minutes=1)
    assert periods["complaints.judge_pending"] == timedelta(minutes=5)
    assert periods["tickets.rollup_service_metrics"] == timedelta(minutes=15)  # the shorter of its two entries
    assert periods["badges.run_scheduled"] == timedelta(days=1)
    assert periods["core.outbox_drain"] == timedelta(seconds=10)


def test_a_job_is_late_after_twice_its_period_without_success():
    now = timezone.now()
    JobRun.objects.create(
        name="tickets.sweep_overdue",
        started_at=now - timedelta(seconds=119),
        finished_at=now - timedelta(seconds=119),
        outcome="success",
    )
    JobRun.objects.create(
        name="complaints.judge_pending",
        started_at=now - timedelta(minutes=11),
        finished_at=now - timedelta(minutes=11),
        outcome="success",
    )
    JobRun.objects.create(
        name="complaints.judge_pending", started_at=now - timedelta(minutes=1), finished_at=now, outcome="failure", error="x"
    )
    overview = {job.name: job for job in job_overview(now=now)}
    assert overview["tickets.sweep_overdue"].late is False
    assert overview["complaints.judge_pending"].late is True  # its last success is 11 min old; the last run failed
    assert overview["complaints.judge_pending"].last_run.outcome == "failure"
    assert overview["badges.run_scheduled"].late is True and overview["badges.run_scheduled"].last_success_at is None


def test_jobs_page_lists_each_job_with_its_flag(client, ops_user, django_assert_max_num_queries):
    now = timezone.now()
    JobRun.objects.create(name="tickets.sweep_overdue", started_at=now, finished_at=now, outcome="success", counts={"overdue": 2})
    client.force_login(ops_user)
    response = client.get(reverse("admin:core_jobrun_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "任务运行" in html and "tickets.sweep_overdue" in html and "overdue=2" in html
    assert 'class="job-ok"' in html and 'class="job-late"' in html  # badge run never ran
    assert client.get(reverse("admin:core_jobrun_history")).status_code == 200


def test_jobs_page_is_for_ops_only(client, merchant):
    client.force_login(merchant)
    assert client.get(reverse("admin:core_jobrun_changelist")).status_code in (302, 403)
