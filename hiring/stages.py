"""Groups of submission stages that rules across the product refer to, defined once."""

from typing import Final

from hiring.models.submissions import Stage

# A submission here is finished: nothing moves it any more.
CLOSED_STAGES: Final = frozenset({Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN})
# The client owes the agency feedback (the feedback SLA counts from the stage change).
AWAITING_CLIENT_STAGES: Final = frozenset({Stage.SUBMITTED, Stage.SCREENING})
# Interviewers may be assigned and scorecards written only while the submission is live.
OPEN_FOR_SCORING: Final = (Stage.SUBMITTED, Stage.SCREENING, Stage.INTERVIEW, Stage.SHORTLISTED)
# Left out of the shortlist: the candidate is no longer in the running.
NOT_RANKED_STAGES: Final = (Stage.WITHDRAWN, Stage.REJECTED)
