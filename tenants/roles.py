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
# The client's list of candidates, one person with each agency's version (interviewers reach
# only the submissions they score).
SEE_EVERY_CANDIDATE: Final = frozenset(
    {ClientRole.ADMIN, ClientRole.HIRING_MANAGER, ClientRole.EXECUTIVE}
)
# Advance or reject candidates from a shortlist.
DECIDE_ON_SHORTLISTS: Final = frozenset({ClientRole.EXECUTIVE, ClientRole.ADMIN})
# Score an agency as a delivery partner (vendor scorecards): the people who see the whole
# hiring picture. Interviewers see single candidates only, so they do not judge the vendor.
REVIEW_AGENCIES: Final = frozenset(
    {ClientRole.ADMIN, ClientRole.HIRING_MANAGER, ClientRole.EXECUTIVE}
)
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
# Invite people, change their roles and remove them: client admins and hiring managers for the
# client's own people, agency admins for their agency's. Nobody grants or touches a role above
# their own (ROLE_RANK); only admins manage admins.
MANAGE_PEOPLE: Final = frozenset(
    {ClientRole.ADMIN, ClientRole.HIRING_MANAGER, AgencyRole.AGENCY_ADMIN}
)
# The roles a client admin can require two-factor sign-in for (accounts.SignInSettings).
TWO_FACTOR_POLICY_ROLES: Final = frozenset({ClientRole.ADMIN, ClientRole.EXECUTIVE})
# How far a role reaches when people are managed: higher may manage lower and equal.
ROLE_RANK: Final[dict[str, int]] = {
    ClientRole.ADMIN: 4,
    ClientRole.EXECUTIVE: 3,
    ClientRole.HIRING_MANAGER: 2,
    ClientRole.INTERVIEWER: 1,
    AgencyRole.AGENCY_ADMIN: 2,
    AgencyRole.RECRUITER: 1,
}


def role_within_reach(*, manager_role: str, role: str) -> bool:
    """Whether a person with `manager_role` may grant `role` or manage someone who holds it."""
    return ROLE_RANK.get(role, 99) <= ROLE_RANK.get(manager_role, 0)
