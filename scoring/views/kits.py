"""Interview kit pages: a client admin adds, rewords and retires the questions of each
track's kit; every change is a new version and old versions stay readable."""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from hiring.models import Track
from hiring.rubric import CATEGORY_NAMES
from pages.access import Caller, workspace_page
from pages.forms import form_action
from scoring.kit_forms import KitQuestionAddForm, KitQuestionRetireForm, KitQuestionRewordForm
from scoring.kits import KINDS, TRACKS, WHEN, Question
from scoring.models import InterviewKitVersion
from scoring.selectors import kit_current, kit_version_by_number, kit_versions, kits_current
from scoring.services.kits import kit_question_add, kit_question_retire, kit_question_reword
from tenants.roles import ADMINISTER_WORKSPACE

TRACK_LABELS = dict(Track.choices)


@dataclass
class KitCategory:
    code: str
    name: str
    questions: list[Question]
    retired: list[Question]


def _categories(
    version: InterviewKitVersion, problems: dict[str, Any] | None = None
) -> list[KitCategory]:
    """The version's questions by category, with labels and (on a failed reword) the
    problem and the typed text next to the question it was for."""
    problems = problems or {}
    rows = []
    for code, name in CATEGORY_NAMES.items():
        in_category = [
            {
                **q,
                "kind_label": KINDS.get(q["kind"], q["kind"]),
                "when_label": WHEN.get(q["when"]),
                "problem": problems.get(q["key"]),
            }
            for q in version.questions
            if q["category"] == code
        ]
        rows.append(
            KitCategory(
                code=code,
                name=name,
                questions=[q for q in in_category if not q.get("retired")],
                retired=[q for q in in_category if q.get("retired")],
            )
        )
    return rows


def _track_or_404(track: str) -> str:
    if track not in TRACKS:
        raise Http404("No such page.")
    return track


@workspace_page(roles=ADMINISTER_WORKSPACE)
def kit_list(request: HttpRequest, caller: Caller) -> HttpResponse:
    kits = [
        {"track": kit.track, "label": TRACK_LABELS[kit.track], "version": kit}
        for kit in kits_current()
    ]
    return render(request, "scoring/kits/list.html", {"access": caller.access, "kits": kits})


@workspace_page(roles=ADMINISTER_WORKSPACE, methods=("GET", "POST"))
def kit_edit(request: HttpRequest, caller: Caller, track: str) -> HttpResponse:
    track = _track_or_404(track)
    add_form = KitQuestionAddForm()
    reword_errors: dict[str, Any] = {}
    page_error, status = "", 200
    if request.method == "POST":
        action = request.POST.get("action")
        done = None
        if action == "add":
            add_form = KitQuestionAddForm(request.POST)
            if add_form.is_valid():
                data = add_form.cleaned_data
                done = form_action(
                    add_form,
                    lambda: kit_question_add(
                        actor=caller.actor,
                        track=track,
                        category=data["category"],
                        kind=data["kind"],
                        when=data["when"],
                        text=data["text"],
                    ),
                )
                success = "Question added: the next scorecards of this track show it."
        elif action == "reword":
            reword = KitQuestionRewordForm(request.POST)
            if reword.is_valid():
                data = reword.cleaned_data
                done = form_action(
                    reword,
                    lambda: kit_question_reword(
                        actor=caller.actor, track=track, key=data["key"], text=data["text"]
                    ),
                )
                success = "Question reworded."
            if reword.errors or (done is not None and not done.ok):
                reword_errors[request.POST.get("key", "")] = {
                    "errors": [e for errors in reword.errors.values() for e in errors],
                    "text": request.POST.get("text", ""),
                }
        elif action == "retire":
            retire = KitQuestionRetireForm(request.POST)
            if retire.is_valid():
                key = retire.cleaned_data["key"]
                done = form_action(
                    retire,
                    lambda: kit_question_retire(actor=caller.actor, track=track, key=key),
                )
                success = "Question retired: scorecards no longer show it."
        else:
            page_error, status = "Choose what to change.", 400
        if done is not None and done.ok:
            messages.success(request, success)
            return redirect("scoring:kit_edit", track=track)
        if done is not None and done.conflict:
            page_error, status = done.conflict, done.status
        elif not page_error:
            page_error = "Nothing was changed: fix the marked fields and try again."
    current = kit_current(track=track)
    return render(
        request,
        "scoring/kits/edit.html",
        {
            "access": caller.access,
            "track": track,
            "track_label": TRACK_LABELS[track],
            "current": current,
            "categories": _categories(current, reword_errors),
            "versions": list(kit_versions(track=track)[:50]),
            "add_form": add_form,
            "page_error": page_error,
        },
        status=status,
    )


@workspace_page(roles=ADMINISTER_WORKSPACE)
def kit_version_detail(
    request: HttpRequest, caller: Caller, track: str, version: int
) -> HttpResponse:
    track = _track_or_404(track)
    found = kit_version_by_number(track=track, version=version)
    return render(
        request,
        "scoring/kits/version.html",
        {
            "access": caller.access,
            "track": track,
            "track_label": TRACK_LABELS[track],
            "version": found,
            "categories": _categories(found),
            "is_current": found.version == kit_current(track=track).version,
        },
    )
