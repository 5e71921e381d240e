"""The workspace's settings hub (/settings/): one page that leads to every setting the person
may change. Each page it links to checks the role itself."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pages.access import Caller, workspace_page
from tenants.roles import ADMINISTER_AGENCY, ADMINISTER_WORKSPACE, READ_AUDIT_TRAIL


@workspace_page(roles=ADMINISTER_WORKSPACE | ADMINISTER_AGENCY | READ_AUDIT_TRAIL)
def settings_hub(request: HttpRequest, caller: Caller) -> HttpResponse:
    return render(
        request,
        "administration/hub.html",
        {
            "administer_workspace": caller.may(ADMINISTER_WORKSPACE),
            "administer_agency": caller.is_agency and caller.may(ADMINISTER_AGENCY),
            "read_audit_trail": caller.may(READ_AUDIT_TRAIL),
            "engagement": caller.engagement,
        },
    )
