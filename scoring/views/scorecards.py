"""The scorecard form with its interview kit (blind until the interviewer submits) and the
scorecards of a submission side by side."""

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from hiring.models import InterviewAssignment
from hiring.rubric import CATEGORY_NAMES
from hiring.selectors import access_submission_by_id
from pages.access import Caller, workspace_page
from pages.forms import form_action
from scoring.engine import DISAGREEMENT_POINTS
from scoring.forms import (
    ScorecardForm,
)
from scoring.kits import KitSection, brief_has_decision_impact, kit_sections
from scoring.models import (
    Scorecard,
    ScorecardStatus,
)
from scoring.selectors import (
    kit_current,
    own_scorecard,
    scorecards_visible,
)
from scoring.services.scorecards import EVIDENCE_REQUIRED_SCORES, scorecard_save
from tenants.roles import ANY_CLIENT_ROLE, MANAGE_HIRING, SEE_ALL_SCORES


@dataclass
class KitRow:
    """One category of the form: the kit's guidance with its bound fields."""

    section: KitSection
    score: Any
    evidence: Any
    score_value: int | None = None
    evidence_text: str = ""
    anchor_text: str = ""


def _kit_rows(form: ScorecardForm) -> list[KitRow]:
    return [
        KitRow(
            section=section,
            score=form[f"score_{section.code.lower()}"],
            evidence=form[f"evidence_{section.code.lower()}"],
        )
        for section in form.kit
    ]


def _read_only_rows(kit: list[KitSection], scorecard: Scorecard) -> list[KitRow]:
    rows = []
    for section in kit:
        code = section.code.lower()
        value = getattr(scorecard, f"score_{code}")
        rows.append(
            KitRow(
                section=section,
                score=None,
                evidence=None,
                score_value=value,
                evidence_text=getattr(scorecard, f"evidence_{code}"),
                anchor_text=section.anchors[value] if value is not None else "",
            )
        )
    return rows


def _or_phrase(values: list[int]) -> str:
    """[0, 1, 5] -> "0, 1 or 5"."""
    words = [str(value) for value in values]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


@workspace_page(roles=ANY_CLIENT_ROLE, methods=("GET", "POST"))
def scorecard_form(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    access = caller.access
    submission = access_submission_by_id(access, public_id)
    assignment = InterviewAssignment.objects.filter(
        submission=submission, interviewer_id=caller.user.pk
    ).first()
    if assignment is None:
        raise Http404("No such page.")
    brief = submission.brief
    scorecard = own_scorecard(user_id=caller.user.pk, submission=submission)
    # A submitted scorecard shows the kit version its interviewer scored with; a draft or a
    # new scorecard the workspace's current kit of the track.
    submitted = scorecard is not None and scorecard.status == ScorecardStatus.SUBMITTED
    kit_version = (
        scorecard.kit_version
        if submitted and scorecard is not None and scorecard.kit_version is not None
        else kit_current(track=brief.track)
    )
    kit = kit_sections(
        kit_version.questions,
        is_genai=brief.is_genai,
        decision_impact=brief_has_decision_impact(brief),
    )
    context: dict[str, Any] = {
        "access": access,
        "submission": submission,
        "brief": brief,
        "assignment": assignment,
        "scorecard": scorecard,
        "kit_version": kit_version,
        "evidence_scores": _or_phrase(sorted(EVIDENCE_REQUIRED_SCORES)),
        "disagreement_points": DISAGREEMENT_POINTS,
        "now": timezone.now(),
        "page_error": "",
    }
    status = 200
    if scorecard is not None and scorecard.status == ScorecardStatus.SUBMITTED:
        if request.method == "POST":
            context["page_error"] = "This scorecard was submitted and can no longer change."
            status = 409
        context["read_only_rows"] = _read_only_rows(kit, scorecard)
    elif request.method == "POST":
        form = ScorecardForm(request.POST, kit=kit)
        submit = request.POST.get("action") == "submit"
        if form.is_valid():
            done = form_action(
                form,
                lambda: scorecard_save(
                    actor=caller.actor,
                    submission=submission,
                    data=form.service_data(),
                    submit=submit,
                ),
            )
            if done.ok:
                if submit:
                    messages.success(
                        request,
                        "Scorecard submitted. The shortlist is updated in the background, and "
                        "the other interviewers' scorecards are now open to you below.",
                    )
                else:
                    messages.success(request, "Draft saved. Only you can see it until you submit.")
                return redirect("scoring:scorecard_form", public_id=submission.public_id)
            context["page_error"], status = done.conflict, done.status
        if form.errors:
            context["page_error"] = context["page_error"] or (
                "Nothing was saved: fix the marked fields and try again."
            )
            # The form is long: point at the categories that need attention.
            context["error_sections"] = [
                section
                for section in kit
                if form[f"score_{section.code.lower()}"].errors
                or form[f"evidence_{section.code.lower()}"].errors
            ]
        context["form"] = form
        context["kit_rows"] = _kit_rows(form)
    else:
        form = ScorecardForm(initial=ScorecardForm.initial_from(scorecard), kit=kit)
        context["form"] = form
        context["kit_rows"] = _kit_rows(form)

    visible = list(scorecards_visible(access=access, user_id=caller.user.pk, submission=submission))
    others = [card for card in visible if card.interviewer_id != caller.user.pk]
    # Side by side with the interviewer's own scorecard, so the spread compares like with like.
    own = [card for card in visible if card.interviewer_id == caller.user.pk]
    context["others"] = _scorecard_columns(own + others) if others else None
    context["own_submitted"] = scorecard is not None and scorecard.status == (
        ScorecardStatus.SUBMITTED
    )
    return render(request, "scoring/scorecard_form.html", context, status=status)


@dataclass
class CategoryRow:
    code: str
    name: str
    cells: list[dict[str, Any]]
    spread: int | None
    mean: float | None

    @property
    def disagree(self) -> bool:
        return self.spread is not None and self.spread >= DISAGREEMENT_POINTS


@dataclass
class ScorecardColumns:
    cards: list[Scorecard]
    rows: list[CategoryRow] = field(default_factory=list)

    @property
    def disagreements(self) -> list[CategoryRow]:
        return [row for row in self.rows if row.disagree]


def _scorecard_columns(cards: list[Scorecard]) -> ScorecardColumns:
    """Scores by category (rows) and interviewer (columns). Spread and mean count submitted
    scorecards only: a draft can still change."""
    columns = ScorecardColumns(cards=cards)
    for code, name in CATEGORY_NAMES.items():
        lower = code.lower()
        cells = [
            {
                "card": card,
                "score": getattr(card, f"score_{lower}"),
                "evidence": getattr(card, f"evidence_{lower}"),
            }
            for card in cards
        ]
        submitted = [
            cell["score"]
            for cell in cells
            if cell["score"] is not None and cell["card"].status == ScorecardStatus.SUBMITTED
        ]
        columns.rows.append(
            CategoryRow(
                code=code,
                name=name,
                cells=cells,
                spread=(max(submitted) - min(submitted)) if len(submitted) >= 2 else None,
                mean=(sum(submitted) / len(submitted)) if submitted else None,
            )
        )
    return columns


@workspace_page(roles=SEE_ALL_SCORES)
def submission_scorecards(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    access = caller.access
    submission = access_submission_by_id(access, public_id)
    cards = list(
        scorecards_visible(access=access, user_id=caller.user.pk, submission=submission).order_by(
            "submitted_at", "id"
        )
    )
    submitted_ids = {c.interviewer_id for c in cards if c.status == ScorecardStatus.SUBMITTED}
    waiting = list(
        InterviewAssignment.objects.filter(submission=submission)
        .exclude(interviewer_id__in=submitted_ids)
        .select_related("interviewer")
        .order_by("due_at")
    )
    return render(
        request,
        "scoring/submission_scorecards.html",
        {
            "access": access,
            "submission": submission,
            "columns": _scorecard_columns(cards),
            "submitted_count": len(submitted_ids),
            "waiting": waiting,
            "can_assign": access.has_client_role(*MANAGE_HIRING),
            "is_assigned": any(a.interviewer_id == caller.user.pk for a in waiting)
            or caller.user.pk in submitted_ids,
            "disagreement_points": DISAGREEMENT_POINTS,
            "now": timezone.now(),
        },
    )
