"""Complaint and appeal writes (SPEC §5). Import from here: ``complaints.services.<name>``."""

from complaints.services.appeals import (
    appeal_accept,
    appeal_create,
    appeal_deadline,
    appeal_open_of,
    appeal_refusal,
    appeal_reject,
)
from complaints.services.filing import complaint_file, complaint_file_bulk, complaint_file_from_rows
from complaints.services.judgment import (
    JudgeRun,
    complaint_judge,
    complaint_penalty,
    complaint_rereview,
    complaints_judge_pending,
)

__all__ = [
    "JudgeRun",
    "appeal_accept",
    "appeal_create",
    "appeal_deadline",
    "appeal_open_of",
    "appeal_refusal",
    "appeal_reject",
    "complaint_file",
    "complaint_file_bulk",
    "complaint_file_from_rows",
    "complaint_judge",
    "complaint_penalty",
    "complaint_rereview",
    "complaints_judge_pending",
]
