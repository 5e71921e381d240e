"""Scoring pages on a client's workspace host.

The interviewer's queue, interviewer assignments, the scorecard form with its interview kit
(blind until the interviewer submits), the scorecards of a submission, the shortlist review
with decisions and floor overrides, and agency analytics.

WorkspaceAccessMiddleware has already let only members and engaged agencies in; each view
narrows further by role and answers the same 404 for "not for your role", "not yours" and "does
not exist". Reads go through scoring.selectors and hiring.selectors, writes through
scoring.services. No view issues queries per row: related rows are fetched in one go.
"""

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.actors import Actor
from audit.errors import ConflictError, NotFoundError
from hiring.forms import apply_service_errors
from hiring.models import InterviewAssignment, RoleBrief, Stage, Submission
from hiring.rubric import CATEGORY_CODES, CATEGORY_NAMES
from hiring.selectors import access_brief_by_id, access_submission_by_id
from hiring.stages import CLOSED_STAGES, NOT_RANKED_STAGES, OPEN_FOR_SCORING
from scoring.tasks import shortlists as shortlist_tasks
from scoring.analytics import FUNNEL
from scoring.charts import (
    FunnelStep,
    ScoreBar,
    category_profile_svg,
    funnel_svg,
    score_bars_svg,
)
from scoring.engine import DISAGREEMENT_POINTS
from scoring.forms import (
    AssignInterviewerForm,
    DecisionForm,
    FloorOverrideForm,
    ScorecardForm,
)
from scoring.kits import KitSection, interview_kit
from scoring.models import (
    AgencyAnalytics,
    DecisionKind,
    FloorOverride,
    Scorecard,
    ScorecardStatus,
    Shortlist,
    ShortlistDecision,
    ShortlistEntry,
)
from scoring.selectors import (
    agency_analytics_for,
    assignments_for_interviewer,
    latest_shortlist,
    own_scorecard,
    scorecards_visible,
    shortlist_entries,
)
from scoring.services import (
    ADVANCE_TO,
    EVIDENCE_REQUIRED_SCORES,
    assignment_create,
    decision_record,
    floor_override_set,
    scorecard_save,
)
from tenants import tasks as tenant_tasks
from tenants.models import ClientMembership, ClientRole, User
from tenants.roles import BE_ASSIGNED_TO_SCORE, DECIDE_ON_SHORTLISTS, MANAGE_HIRING, SEE_ALL_SCORES
from tenants.schema import current_schema_name
from tenants.selectors import WorkspaceAccess

# Who may do what on these pages (client roles; agencies only ever see their analytics row).
# Agencies see the average scores of their candidates only when at least this many scorecards
# make them up (docs/scoring.md, Agency analytics).
AGENCY_SCORES_MIN_SCORECARDS = 5
SHORTLIST_PAGE_SIZE = 50
CHART_TOP = 10
DONE_SHOWN = 50
STAGE_LABELS = dict(Stage.choices)


# --- who is asking ----------------------------------------------------------------------------


def _access(request: HttpRequest) -> WorkspaceAccess:
    access = getattr(request, "workspace_access", None)
    if access is None:
        raise Http404("No such page.")
    return access


def _require_client_role(access: WorkspaceAccess, *roles: str) -> None:
    if not access.has_client_role(*roles):
        raise Http404("No such page.")


def _user_id(request: HttpRequest) -> int:
    # The middleware lets only signed-in people into a workspace.
    user_id = request.user.pk
    if user_id is None:
        raise Http404("No such page.")
    return int(user_id)


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user)


def _submission_or_404(access: WorkspaceAccess, public_id: object) -> Submission:
    try:
        return access_submission_by_id(access, public_id)
    except NotFoundError:
        raise Http404("No such submission.") from None


def _brief_or_404(access: WorkspaceAccess, public_id: object) -> RoleBrief:
    try:
        return access_brief_by_id(access, public_id)
    except NotFoundError:
        raise Http404("No such brief.") from None


def _user_names(user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    return {user.pk: user.display_name for user in User.objects.filter(pk__in=user_ids)}


def _with_own_scorecard(
    assignments: QuerySet[InterviewAssignment],
) -> QuerySet[InterviewAssignment]:
    """Each assignment with its interviewer's scorecard status, in the same query."""
    card = Scorecard.objects.filter(
        submission_id=OuterRef("submission_id"), interviewer_id=OuterRef("interviewer_id")
    )
    return assignments.annotate(
        card_status=Subquery(card.values("status")[:1]),
        card_updated_at=Subquery(card.values("updated_at")[:1]),
        card_submitted_at=Subquery(card.values("submitted_at")[:1]),
    )


# --- 1. the interviewer's queue ----------------------------------------------------------------


@require_GET
def scorecard_queue(request: HttpRequest) -> HttpResponse:
    access = _access(request)
    _require_client_role(access, *ClientRole.values)
    assignments = _with_own_scorecard(assignments_for_interviewer(user_id=_user_id(request)))
    not_submitted = Q(card_status__isnull=True) | Q(card_status=ScorecardStatus.DRAFT)
    to_score = list(assignments.filter(not_submitted, submission__stage__in=OPEN_FOR_SCORING))
    # Submitted, or closed before a scorecard was needed: the latest first, a bounded list.
    done = list(
        assignments.exclude(not_submitted, submission__stage__in=OPEN_FOR_SCORING).order_by(
            F("card_submitted_at").desc(nulls_last=True), "-due_at"
        )[:DONE_SHOWN]
    )
    now = timezone.now()
    return render(
        request,
        "scoring/queue.html",
        {
            "access": access,
            "to_score": to_score,
            "done": done,
            "overdue_count": sum(1 for a in to_score if a.due_at < now),
            "now": now,
            "stage_labels": STAGE_LABELS,
        },
    )


# --- 2. assigning interviewers -----------------------------------------------------------------


def _interviewer_choices(request: HttpRequest, exclude_user_ids: set[int]) -> list[tuple[str, str]]:
    memberships = (
        ClientMembership.objects.filter(
            client=request.tenant,  # type: ignore[attr-defined]
            role__in=BE_ASSIGNED_TO_SCORE,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user__name", "user__email")
    )
    return [
        (
            str(membership.user.public_id),
            f"{membership.user.display_name} ({membership.get_role_display().lower()}, "
            f"{membership.user.email})",
        )
        for membership in memberships
        if membership.user_id not in exclude_user_ids
    ]


@require_http_methods(["GET", "POST"])
def submission_interviewers(request: HttpRequest, public_id: str) -> HttpResponse:
    access = _access(request)
    _require_client_role(access, *MANAGE_HIRING)
    submission = _submission_or_404(access, public_id)
    assignments = list(
        _with_own_scorecard(
            InterviewAssignment.objects.filter(submission=submission).select_related("interviewer")
        ).order_by("due_at", "id")
    )
    choices = _interviewer_choices(request, {a.interviewer_id for a in assignments})
    form_kwargs = {
        "interviewer_choices": choices,
        "timezone_name": request.tenant.timezone,  # type: ignore[attr-defined]
    }
    page_error = ""
    status = 200
    if request.method == "POST":
        form = AssignInterviewerForm(request.POST, **form_kwargs)
        if form.is_valid():
            interviewer = User.objects.filter(
                public_id=form.cleaned_data["interviewer"], is_active=True
            ).first()
            try:
                if interviewer is None:
                    raise ValidationError({"interviewer": "Choose a person from the list."})
                assignment_create(
                    actor=_actor(request),
                    submission=submission,
                    interviewer=interviewer,
                    due_at=form.due_at(),
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            except ConflictError as error:
                page_error, status = error.message, 409
            else:
                messages.success(
                    request,
                    f"{interviewer.display_name} is asked to score this candidate. "
                    "The request is in their scorecard queue.",
                )
                return redirect("scoring:submission_interviewers", public_id=submission.public_id)
    else:
        form = AssignInterviewerForm(**form_kwargs)
    return render(
        request,
        "scoring/interviewers.html",
        {
            "access": access,
            "submission": submission,
            "assignments": assignments,
            "form": form,
            "open_for_scoring": submission.stage in OPEN_FOR_SCORING,
            "page_error": page_error,
            "now": timezone.now(),
        },
        status=status,
    )


# --- 3. the scorecard form ---------------------------------------------------------------------


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


@require_http_methods(["GET", "POST"])
def scorecard_form(request: HttpRequest, public_id: str) -> HttpResponse:
    access = _access(request)
    _require_client_role(access, *ClientRole.values)
    submission = _submission_or_404(access, public_id)
    assignment = InterviewAssignment.objects.filter(
        submission=submission, interviewer_id=_user_id(request)
    ).first()
    if assignment is None:
        raise Http404("No such page.")
    brief = submission.brief
    kit = interview_kit(track=brief.track, is_genai=brief.is_genai)
    scorecard = own_scorecard(user_id=_user_id(request), submission=submission)
    context: dict[str, Any] = {
        "access": access,
        "submission": submission,
        "brief": brief,
        "assignment": assignment,
        "scorecard": scorecard,
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
            try:
                scorecard_save(
                    actor=_actor(request),
                    submission=submission,
                    data=form.service_data(),
                    submit=submit,
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            except ConflictError as error:
                context["page_error"], status = error.message, 409
            else:
                if submit:
                    messages.success(
                        request,
                        "Scorecard submitted. The shortlist is updated in the background, and "
                        "the other interviewers' scorecards are now open to you below.",
                    )
                else:
                    messages.success(request, "Draft saved. Only you can see it until you submit.")
                return redirect("scoring:scorecard_form", public_id=submission.public_id)
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

    visible = list(
        scorecards_visible(access=access, user_id=_user_id(request), submission=submission)
    )
    others = [card for card in visible if card.interviewer_id != _user_id(request)]
    # Side by side with the interviewer's own scorecard, so the spread compares like with like.
    own = [card for card in visible if card.interviewer_id == _user_id(request)]
    context["others"] = _scorecard_columns(own + others) if others else None
    context["own_submitted"] = scorecard is not None and scorecard.status == (
        ScorecardStatus.SUBMITTED
    )
    return render(request, "scoring/scorecard_form.html", context, status=status)


# --- 4. the scorecards of a submission ---------------------------------------------------------


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


@require_GET
def submission_scorecards(request: HttpRequest, public_id: str) -> HttpResponse:
    access = _access(request)
    _require_client_role(access, *SEE_ALL_SCORES)
    submission = _submission_or_404(access, public_id)
    cards = list(
        scorecards_visible(
            access=access, user_id=_user_id(request), submission=submission
        ).order_by("submitted_at", "id")
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
            "is_assigned": any(a.interviewer_id == _user_id(request) for a in waiting)
            or _user_id(request) in submitted_ids,
            "disagreement_points": DISAGREEMENT_POINTS,
            "now": timezone.now(),
        },
    )


# --- 5. the shortlist --------------------------------------------------------------------------


@dataclass
class EntryView:
    """One candidate of the snapshot with everything the page shows and may do about them."""

    entry: ShortlistEntry
    name: str
    agency: str
    submission_id: str
    stage: str
    stage_label: str
    below_floor: list[str]
    missing: list[str]
    needs_debrief: list[str]
    profile_svg: str
    override: FloorOverride | None
    override_by: str
    decision: ShortlistDecision | None
    decision_by: str
    advance_to: str
    can_reject: bool
    can_override: bool
    # A refused action on this candidate: which form, its messages, and the text typed.
    error_form: str
    errors: list[str]
    reason: str


def _names(codes: list[str]) -> list[str]:
    return [f"{code} {CATEGORY_NAMES.get(code, code)}" for code in codes]


def _entry_views(
    *,
    brief: RoleBrief,
    shortlist: Shortlist,
    entries: list[ShortlistEntry],
    access: WorkspaceAccess,
    errors: dict[str, dict[str, list[str]]],
    values: dict[str, dict[str, str]],
) -> list[EntryView]:
    submission_ids = [entry.submission_id for entry in entries]
    overrides = {
        override.submission_id: override
        for override in FloorOverride.objects.filter(brief=brief, submission_id__in=submission_ids)
    }
    latest_decision: dict[int, ShortlistDecision] = {}
    for taken in (
        ShortlistDecision.objects.filter(shortlist__brief=brief, submission_id__in=submission_ids)
        .select_related("shortlist")
        .order_by("-decided_at", "-id")
    ):
        latest_decision.setdefault(taken.submission_id, taken)
    names = _user_names(
        {o.decided_by_user_id for o in overrides.values() if o.decided_by_user_id}
        | {d.decided_by_user_id for d in latest_decision.values() if d.decided_by_user_id}
    )
    floors = (shortlist.policy or {}).get("floors", {})
    can_decide = access.has_client_role(*DECIDE_ON_SHORTLISTS)
    views = []
    for entry in entries:
        submission = entry.submission
        public = str(submission.public_id)
        override = overrides.get(entry.submission_id)
        decision = latest_decision.get(entry.submission_id)
        stage = submission.stage
        advance_to = ADVANCE_TO.get(Stage(stage)) if can_decide else None
        name = submission.candidate.full_name
        views.append(
            EntryView(
                entry=entry,
                name=name,
                agency=submission.agency.name,
                submission_id=public,
                stage=stage,
                stage_label=STAGE_LABELS.get(stage, stage),
                below_floor=_names(list(entry.below_floor)),
                missing=_names(list(entry.missing)),
                needs_debrief=_names(list(entry.needs_debrief)),
                profile_svg=category_profile_svg(
                    entry.category_means,
                    floors,
                    title=f"Category profile of {name}: mean score per category",
                ),
                override=override,
                override_by=names.get(override.decided_by_user_id or 0, "") if override else "",
                decision=decision,
                decision_by=names.get(decision.decided_by_user_id or 0, "") if decision else "",
                advance_to=STAGE_LABELS[advance_to] if advance_to else "",
                can_reject=can_decide and stage not in CLOSED_STAGES,
                can_override=bool(entry.below_floor) and not entry.floor_overridden,
                error_form=values.get(public, {}).get("form", ""),
                errors=[text for texts in errors.get(public, {}).values() for text in texts],
                reason=values.get(public, {}).get("reason", ""),
            )
        )
    return views


def _render_shortlist(
    request: HttpRequest,
    access: WorkspaceAccess,
    brief: RoleBrief,
    *,
    errors: dict[str, dict[str, list[str]]] | None = None,
    values: dict[str, dict[str, str]] | None = None,
    page_error: str = "",
    status: int = 200,
) -> HttpResponse:
    shortlist = latest_shortlist(brief=brief)
    context: dict[str, Any] = {
        "access": access,
        "brief": brief,
        "shortlist": shortlist,
        "page_error": page_error,
        "error_entry": next(iter(errors or {}), ""),
        "can_decide": access.has_client_role(*DECIDE_ON_SHORTLISTS),
        "category_names": CATEGORY_NAMES,
    }
    if shortlist is None or shortlist.scorecard_count == 0:
        # Nothing to rank (yet): say why instead of showing an empty table.
        submitted = Q(status=ScorecardStatus.SUBMITTED)
        context.update(
            empty=True,
            submission_count=Submission.objects.filter(brief=brief).count(),
            recent_decisions=_recent_decisions(brief) if shortlist else [],
            **Scorecard.objects.filter(submission__brief=brief).aggregate(
                submitted_scorecards=Count("id", filter=submitted),
                rankable_scorecards=Count(
                    "id", filter=submitted & ~Q(submission__stage__in=NOT_RANKED_STAGES)
                ),
                draft_scorecards=Count("id", filter=Q(status=ScorecardStatus.DRAFT)),
            ),
        )
        return render(request, "scoring/shortlist.html", context, status=status)

    page = Paginator(shortlist_entries(shortlist=shortlist), SHORTLIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = _entry_views(
        brief=brief,
        shortlist=shortlist,
        entries=list(page.object_list),
        access=access,
        errors=errors or {},
        values=values or {},
    )
    if page.number == 1 and rows:
        context["score_chart"] = score_bars_svg(
            [
                ScoreBar(
                    rank=row.entry.rank,
                    label=row.name,
                    value=row.entry.balanced_score,
                    confidence=row.entry.confidence,
                    note="below floor"
                    if row.entry.below_floor and not row.entry.floor_overridden
                    else "",
                )
                for row in rows[:CHART_TOP]
            ],
            title=f"Balanced scores of the top {min(len(rows), CHART_TOP)} candidates",
        )
    context.update(
        page=page,
        rows=rows,
        floors=[
            (code, CATEGORY_NAMES[code], value)
            for code, value in sorted((shortlist.policy or {}).get("floors", {}).items())
            if value is not None
        ],
        weights=(shortlist.policy or {}).get("weights", {}),
        stale=Scorecard.objects.filter(
            submission__brief=brief,
            status=ScorecardStatus.SUBMITTED,
            submitted_at__gt=shortlist.computed_at,
        ).exists(),
        recent_decisions=_recent_decisions(brief),
    )
    return render(request, "scoring/shortlist.html", context, status=status)


def _recent_decisions(brief: RoleBrief) -> list[dict[str, Any]]:
    decisions = list(
        ShortlistDecision.objects.filter(shortlist__brief=brief)
        .select_related("shortlist", "submission__candidate")
        .order_by("-decided_at", "-id")[:20]
    )
    names = _user_names({d.decided_by_user_id for d in decisions if d.decided_by_user_id})
    return [
        {
            "decision": decision,
            "by": names.get(decision.decided_by_user_id or 0, "A former user"),
            "stage_label": STAGE_LABELS.get(decision.resulting_stage, decision.resulting_stage),
        }
        for decision in decisions
    ]


@require_GET
def brief_shortlist(request: HttpRequest, public_id: str) -> HttpResponse:
    access = _access(request)
    _require_client_role(access, *SEE_ALL_SCORES)
    brief = _brief_or_404(access, public_id)
    return _render_shortlist(request, access, brief)


def _shortlist_url(brief: RoleBrief, submission_public_id: str | None = None) -> str:
    url = reverse("scoring:brief_shortlist", kwargs={"public_id": brief.public_id})
    return f"{url}#entry-{submission_public_id}" if submission_public_id else url


def _brief_submission_or_404(brief: RoleBrief, public_id: uuid.UUID) -> Submission:
    submission = (
        Submission.objects.select_related("brief", "candidate")
        .filter(brief=brief, public_id=public_id)
        .first()
    )
    if submission is None:
        raise Http404("No such submission.")
    return submission


def _field_errors(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return dict(error.message_dict)
    return {"__all__": list(error.messages)}


@require_POST
def shortlist_decide(request: HttpRequest, public_id: str) -> HttpResponse:
    access = _access(request)
    _require_client_role(access, *DECIDE_ON_SHORTLISTS)
    brief = _brief_or_404(access, public_id)
    form = DecisionForm(request.POST)
    if not form.is_valid() or form.cleaned_data["decision"] not in DecisionKind.values:
        raise Http404("No such candidate on this shortlist.")
    shortlist = Shortlist.objects.filter(
        brief=brief, public_id=form.cleaned_data["shortlist"]
    ).first()
    if shortlist is None:
        raise Http404("No such shortlist.")
    submission = _brief_submission_or_404(brief, form.cleaned_data["submission"])
    key = str(submission.public_id)
    decision = form.cleaned_data["decision"]
    reason = form.cleaned_data["reason"]
    try:
        record = decision_record(
            actor=_actor(request),
            shortlist=shortlist,
            submission=submission,
            decision=decision,
            reason=reason,
        )
    except ValidationError as error:
        return _render_shortlist(
            request,
            access,
            brief,
            errors={key: _field_errors(error)},
            values={key: {"reason": reason, "form": "decision"}},
            page_error=f"Nothing was changed for {submission.candidate.full_name}.",
        )
    except ConflictError as error:
        return _render_shortlist(
            request,
            access,
            brief,
            errors={key: {"__all__": [error.message]}},
            values={key: {"reason": reason, "form": "decision"}},
            page_error=f"Nothing was changed for {submission.candidate.full_name}: {error.message}",
            status=409,
        )
    stage = STAGE_LABELS.get(record.resulting_stage, record.resulting_stage).lower()
    verb = "Advanced" if decision == DecisionKind.ADVANCE else "Rejected"
    messages.success(
        request,
        f"{verb} {submission.candidate.full_name}: now {stage}. The agency is told, and the "
        "shortlist is recomputed in the background.",
    )
    return redirect(_shortlist_url(brief, key))


@require_POST
def shortlist_floor_override(request: HttpRequest, public_id: str) -> HttpResponse:
    access = _access(request)
    _require_client_role(access, *SEE_ALL_SCORES)
    brief = _brief_or_404(access, public_id)
    form = FloorOverrideForm(request.POST)
    if not form.is_valid():
        raise Http404("No such candidate on this shortlist.")
    submission = _brief_submission_or_404(brief, form.cleaned_data["submission"])
    key = str(submission.public_id)
    reason = form.cleaned_data["reason"]
    try:
        floor_override_set(actor=_actor(request), brief=brief, submission=submission, reason=reason)
    except ValidationError as error:
        return _render_shortlist(
            request,
            access,
            brief,
            errors={key: _field_errors(error)},
            values={key: {"reason": reason, "form": "override"}},
            page_error=f"The floor override for {submission.candidate.full_name} was not saved.",
        )
    messages.success(
        request,
        f"{submission.candidate.full_name} may now compete despite the floor. The shortlist is "
        "recomputed in the background; reload in a few seconds to see the new ranking.",
    )
    return redirect(_shortlist_url(brief, key))


@require_POST
def shortlist_recompute(request: HttpRequest, public_id: str) -> HttpResponse:
    access = _access(request)
    _require_client_role(access, *SEE_ALL_SCORES)
    brief = _brief_or_404(access, public_id)
    if shortlist_tasks.shortlist_request(brief_public_id=str(brief.public_id)):
        messages.success(
            request,
            "Recompute queued. It runs in the background and takes a few seconds; reload this "
            "page to see the new version. If nothing changed since the last version, the "
            "version stays the same.",
        )
    else:
        messages.info(
            request,
            "A recompute of this shortlist is already queued. Reload this page in a few seconds.",
        )
    return redirect(_shortlist_url(brief))


# --- 6. agency analytics -----------------------------------------------------------------------


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _agency_row(row: AgencyAnalytics, *, for_client: bool) -> dict[str, Any]:
    figures: dict[str, Any] = row.figures or {}
    total = figures.get("submissions") or 0
    reached = figures.get("reached") or {}
    shares = figures.get("pass_through") or {}
    steps = [
        FunnelStep(
            label=STAGE_LABELS.get(stage, stage),
            count=int(reached.get(stage) or 0),
            share=shares.get(stage),
        )
        for stage in FUNNEL
    ]
    averages = figures.get("average_scores") or None
    if not for_client and int(figures.get("scorecards") or 0) < AGENCY_SCORES_MIN_SCORECARDS:
        # Averages over a handful of scorecards would tell an agency what one interviewer
        # scored; agencies see them only once they blend many scorecards.
        averages = None
    conflicts = figures.get("conflicts") or {}
    name = row.agency.name
    return {
        "agency": row.agency,
        "computed_at": row.computed_at,
        "submissions": total,
        "interviewed": int(reached.get(Stage.INTERVIEW) or 0),
        "hired": int(reached.get(Stage.HIRED) or 0),
        "median_hours": figures.get("median_hours_to_first_submission"),
        "averages": [(code, CATEGORY_NAMES[code], (averages or {}).get(code)) for code in "ABCDE"],
        "has_scores": bool(averages),
        "overall_average": _mean(
            [value for value in (averages or {}).values() if value is not None]
        ),
        "scorecards": figures.get("scorecards") or 0,
        "owned_elsewhere": int(conflicts.get("candidate_owned_by_another_agency") or 0),
        "duplicates": int(conflicts.get("duplicate_submission") or 0),
        "funnel_svg": funnel_svg(steps, title=f"Pass-through of {name}'s submissions by stage")
        if total
        else "",
        "profile_svg": category_profile_svg(
            {code: (averages or {}).get(code) for code in CATEGORY_CODES},
            title=f"Average scorecard scores of {name}'s candidates",
        )
        if averages
        else "",
    }


@require_GET
def agency_analytics(request: HttpRequest) -> HttpResponse:
    access = _access(request)
    if access.is_client:
        _require_client_role(access, *SEE_ALL_SCORES)
    rows = [_agency_row(row, for_client=access.is_client) for row in agency_analytics_for(access)]
    return render(
        request,
        "scoring/agency_analytics.html",
        {
            "access": access,
            "rows": rows,
            "computed_at": max((row["computed_at"] for row in rows), default=None),
            "oldest_computed_at": min((row["computed_at"] for row in rows), default=None),
            "can_refresh": access.is_client,
            "stage_labels": [STAGE_LABELS[stage] for stage in FUNNEL],
        },
    )


@require_POST
def agency_analytics_refresh(request: HttpRequest) -> HttpResponse:
    access = _access(request)
    _require_client_role(access, *SEE_ALL_SCORES)
    tenant_tasks.send_to_tenant(
        task_name="scoring.tasks.analytics.agency_analytics_refresh",
        schema_name=current_schema_name(),
    )
    messages.success(
        request,
        "Refresh queued. The figures are recomputed in the background within a minute; reload "
        "this page to see them.",
    )
    return redirect("scoring:agency_analytics")
