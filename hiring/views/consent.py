"""The candidate's consent page: `/consent/<token>/` on the workspace's host, no sign-in.

The signed link in the e-mail (hiring.services.consent_request) is the authority. GET shows
who asks to represent the person, for which client and role, and the two answers; only a POST
answers (mail scanners open links; they must not confirm anything for anybody).
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from audit.errors import ConflictError, NotFoundError
from hiring.services.consent import ANSWER_CONFIRM, ANSWER_DECLINE, consent_answer
from hiring.services.consent_request import consent_submission_for_token
from pages.access import open_page
from tenants.schema import current_client


@open_page(because="the candidate is no member: the signed, expiring link is the authority")
@never_cache
@require_http_methods(["GET", "POST"])
def consent_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        submission = consent_submission_for_token(token)
    except NotFoundError:
        return render(request, "hiring/consent.html", {"invalid": True}, status=404)
    context = {
        "submission": submission,
        "client_name": current_client().name,
        "answered_now": "",
        "page_error": "",
    }
    status = 200
    if request.method == "POST":
        answer = request.POST.get("answer", "")
        if answer not in (ANSWER_CONFIRM, ANSWER_DECLINE):
            raise Http404("No such answer.")
        try:
            submission = consent_answer(submission=submission, answer=answer)
            context["answered_now"] = answer
        except ConflictError as conflict:
            context["page_error"], status = conflict.message, 409
        context["submission"] = submission
    context["status"] = submission.consent_status
    # The token is in the path; the site's Referrer-Policy (same-origin) keeps it from other
    # sites. Not "no-referrer": browsers then send "Origin: null" with the answer, which the
    # CSRF check refuses.
    return render(request, "hiring/consent.html", context, status=status)
