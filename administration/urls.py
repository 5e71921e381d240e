"""Administration pages of a workspace host, in the "administration" namespace; included at
the root of config.urls_tenant.

- /settings/                         the settings hub
- /settings/privacy/                 the retention period
- /engagements/...                   agencies and engagements
- /engagements/invite/               invite a new agency by its admin's e-mail
- /agency-invitations/<id>/...       a pending agency invitation: send again, withdraw
- /accounts/agency-invitations/<token>/  the link the agency's admin opens (open page)
- /audit/, /audit/export.csv         the audit trail
- /candidates/<id>/privacy/          a person's requests: export and erasure
- /candidates/<id>/export/...        the export for an access request (page and JSON)
"""

from django.urls import path

from administration.views import agency_invitations, audit, engagements, hub, privacy
from pages.access import open_page

app_name = "administration"

urlpatterns = [
    path("settings/", hub.settings_hub, name="settings"),
    path("settings/privacy/", privacy.privacy_settings, name="privacy_settings"),
    path("engagements/", engagements.engagement_list, name="engagement_list"),
    path("engagements/new/", engagements.engagement_new, name="engagement_new"),
    path("engagements/invite/", agency_invitations.agency_invite, name="agency_invite"),
    path(
        "agency-invitations/<uuid:public_id>/resend/",
        agency_invitations.agency_invitation_resend_view,
        name="agency_invitation_resend",
    ),
    path(
        "agency-invitations/<uuid:public_id>/revoke/",
        agency_invitations.agency_invitation_revoke_view,
        name="agency_invitation_revoke",
    ),
    path(
        "accounts/agency-invitations/<str:token>/",
        open_page(
            because="the agency's admin is not a member of anything until they accept; the "
            "signed link is the authority"
        )(agency_invitations.agency_invitation_open),
        name="agency_invitation",
    ),
    path(
        "engagements/<uuid:public_id>/",
        engagements.engagement_detail,
        name="engagement_detail",
    ),
    path(
        "engagements/<uuid:public_id>/terms/",
        engagements.engagement_terms,
        name="engagement_terms",
    ),
    *(
        path(
            f"engagements/<uuid:public_id>/{change}/",
            engagements.engagement_change,
            {"change": change},
            name=f"engagement_{change}",
        )
        for change in ("pause", "resume", "end")
    ),
    path("audit/", audit.audit_trail, name="audit_trail"),
    path("audit/export.csv", audit.audit_trail_csv, name="audit_trail_csv"),
    path(
        "candidates/<uuid:public_id>/privacy/",
        privacy.candidate_privacy,
        name="candidate_privacy",
    ),
    path(
        "candidates/<uuid:public_id>/export/",
        privacy.candidate_export_page,
        name="candidate_export",
    ),
    path(
        "candidates/<uuid:public_id>/export/person.json",
        privacy.candidate_export_json,
        name="candidate_export_json",
    ),
]
