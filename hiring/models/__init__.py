from hiring.models.assignments import InterviewAssignment
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
from hiring.models.submissions import (
    CONSENT_EXPIRED,
    CONSENT_STATUS_CHOICES,
    ConsentState,
    Stage,
    StageChange,
    Submission,
)

__all__ = [
    "CONSENT_EXPIRED",
    "CONSENT_STATUS_CHOICES",
    "BriefShare",
    "BriefStatus",
    "Candidate",
    "CandidateOwnership",
    "ConsentState",
    "ImportJob",
    "ImportStatus",
    "InterviewAssignment",
    "Need",
    "RateUnit",
    "RemotePolicy",
    "RoleBrief",
    "Stage",
    "StageChange",
    "Submission",
    "Track",
]
