"""Role groups: which client and agency roles may do what, each named for what it allows.

Pages, services and the header's links read them from here, so a role's reach is decided in
one place. The roles themselves are `tenants.models.ClientRole` and `AgencyRole`.
"""

from typing import Final

from tenants.models import AgencyRole, ClientRole

ANY_CLIENT_ROLE: Final = frozenset(ClientRole.values)
ANY_AGENCY_ROLE: Final = frozenset(AgencyRole.values)
NO_ROLE: Final[frozenset[str]] = frozenset()

# Write and open briefs, move submissions, assign interviewers, import for an agency.
MANAGE_HIRING: Final = frozenset({ClientRole.ADMIN, ClientRole.HIRING_MANAGER})
# Read every submitted scorecard, the shortlists and the agency analytics (unless assigned to
# score the submission themselves: then they score blind like any interviewer).
SEE_ALL_SCORES: Final = frozenset(
    {ClientRole.ADMIN, ClientRole.HIRING_MANAGER, ClientRole.EXECUTIVE}
)
# Advance or reject candidates from a shortlist.
DECIDE_ON_SHORTLISTS: Final = frozenset({ClientRole.EXECUTIVE, ClientRole.ADMIN})
# May be asked to score a submission.
BE_ASSIGNED_TO_SCORE: Final = frozenset(
    {ClientRole.INTERVIEWER, ClientRole.HIRING_MANAGER, ClientRole.ADMIN}
)
# Workspace settings: agencies and their engagements, API keys and webhooks, reminder rules,
# the retention period.
ADMINISTER_WORKSPACE: Final = frozenset({ClientRole.ADMIN})
# The agency's own settings: its API keys and webhooks, and the terms of its engagement.
ADMINISTER_AGENCY: Final = frozenset({AgencyRole.AGENCY_ADMIN})
# The workspace's audit trail: who did what, and who read whose personal data.
READ_AUDIT_TRAIL: Final = frozenset({ClientRole.ADMIN, ClientRole.EXECUTIVE})
# A person's requests about their data: the export of everything held about them (access
# request) and their erasure.
ANSWER_PRIVACY_REQUESTS: Final = frozenset({ClientRole.ADMIN})
