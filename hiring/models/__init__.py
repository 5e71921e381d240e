from hiring.models.audit import AuditEntry
from hiring.models.briefs import (
    BriefShare,
    BriefStatus,
    Need,
    RateUnit,
    RemotePolicy,
    RoleBrief,
    Track,
)
from hiring.models.candidates import Candidate, CandidateOwnership
from hiring.models.imports import ImportJob, ImportStatus
from hiring.models.notifications import Notification, ReminderLog, ReminderSettings
from hiring.models.outbox import OutboxEvent
from hiring.models.submissions import Stage, StageChange, Submission

__all__ = [
    "AuditEntry",
    "BriefShare",
    "BriefStatus",
    "Candidate",
    "CandidateOwnership",
    "ImportJob",
    "ImportStatus",
    "Need",
    "Notification",
    "OutboxEvent",
    "RateUnit",
    "ReminderLog",
    "ReminderSettings",
    "RemotePolicy",
    "RoleBrief",
    "Stage",
    "StageChange",
    "Submission",
    "Track",
]
