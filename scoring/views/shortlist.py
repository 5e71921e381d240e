"""The shortlist review: the computed ranking with charts, reasons and floors; decisions
and floor overrides; asking for a recompute."""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from audit.errors import ConflictError
from hiring.models import InterviewAssignment, RoleBrief, Stage, Submission
from hiring.rubric import CATEGORY_NAMES
from hiring.selectors import access_brief_by_id, access_submission_in_brief
from hiring.stages import CLOSED_STAGES, NOT_RANKED_STAGES
from pages.access import Caller, workspace_page
from pages.forms import form_action
from scoring.charts import (
    ScoreBar,
    ValuePoint,
    category_profile_svg,
    score_bars_svg,
    value_for_money_svg,
)
from scoring.forms import (
    DecisionForm,
    FloorOverrideForm,
)
from scoring.models import (
    DecisionKind,
    FloorOverride,
    Scorecard,
    ScorecardStatus,
    Shortlist,
    ShortlistDecision,
    ShortlistEntry,
)
from scoring.selectors import (
    blind_assignments,
    latest_shortlist,
    shortlist_calibration,
    shortlist_entries,
    shortlist_entries_uncalibrated,
)
from scoring.services.decisions import (
    ADVANCE_TO,
    DECIDABLE_BRIEF_STATUSES,
    decision_record,
    floor_override_set,
)
from scoring.tasks import shortlists as shortlist_tasks
from tenants.roles import DECIDE_ON_SHORTLISTS, SEE_ALL_SCORES
from tenants.selectors import WorkspaceAccess, user_names

SHORTLIST_PAGE_SIZE = 50
CHART_TOP = 10
SIDE_BY_SIDE = 10
UNRANKED_SHOWN = 10
STAGE_LABELS = dict(Stage.choices)


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
    rate: str
    # Advancing needs a reason and a confirmation: below a floor nobody overrode.
    advance_needs_confirm: bool


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
    names = user_names(
        {o.decided_by_user_id for o in overrides.values() if o.decided_by_user_id}
        | {d.decided_by_user_id for d in latest_decision.values() if d.decided_by_user_id}
    )
    floors = (shortlist.policy or {}).get("floors", {})
    can_decide = access.has_client_role(*DECIDE_ON_SHORTLISTS) and brief_is_decidable(brief)
    views = []
    for entry in entries:
        submission = entry.submission
        submission.brief = brief  # every entry is of this brief: no query per row for it
        public = str(submission.public_id)
        override = overrides.get(entry.submission_id)
        decision = latest_decision.get(entry.submission_id)
        stage = submission.stage
        advance_to = ADVANCE_TO.get(Stage(stage)) if can_decide else None
        name = submission.full_name
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
                rate=rate_text(submission),
                advance_needs_confirm=bool(entry.below_floor) and not entry.floor_overridden,
            )
        )
    return views


def brief_is_decidable(brief: RoleBrief) -> bool:
    return brief.status in DECIDABLE_BRIEF_STATUSES


def rate_text(submission: Submission) -> str:
    """The agency's rate with its unit of time ("105 USD per hour"), or "" when none."""
    if submission.rate_amount is None:
        return ""
    amount = f"{submission.rate_amount:,.2f}".removesuffix(".00")
    unit = submission.brief.get_rate_unit_display()
    return f"{amount} {submission.rate_currency} {unit}".strip()


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
    outstanding = _blind_assignments(access, brief)
    if outstanding:
        # Blind scoring: the ranking is built from the other interviewers' scores.
        context.update(blind=True, outstanding=outstanding, can_decide=False)
        return render(request, "scoring/shortlist.html", context, status=status)
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
        bars = [
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
        ]
        chart_title = f"Balanced scores of the top {min(len(rows), CHART_TOP)} candidates"
        context["score_chart"] = score_bars_svg(bars, title=chart_title)
        # The phone layout of the same chart (one of the two is shown, by screen width).
        context["score_chart_compact"] = score_bars_svg(bars, title=chart_title, compact=True)
    if page.number == 1 and rows:
        context["value_chart"] = _value_chart(brief, rows)
        context["side_by_side"] = _side_by_side(shortlist, rows[:SIDE_BY_SIDE])
    if shortlist.calibration:
        context["calibration"] = shortlist_calibration(shortlist=shortlist)
    unranked = (
        Submission.objects.filter(brief=brief)
        .exclude(stage__in=NOT_RANKED_STAGES)
        .exclude(pk__in=ShortlistEntry.objects.filter(shortlist=shortlist).values("submission_id"))
    )
    context.update(
        unranked_count=unranked.count(),
        unranked=list(unranked.order_by("created_at", "id")[:UNRANKED_SHOWN]),
        decidable=brief_is_decidable(brief),
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


def _value_chart(brief: RoleBrief, rows: list[EntryView]) -> dict[str, Any] | None:
    """Balanced score against rate for the page's candidates quoted in the brief's currency
    (rates in other currencies cannot share an axis; the page says how many are left out)."""
    points = [
        ValuePoint(
            rank=row.entry.rank,
            label=row.name,
            score=row.entry.balanced_score,
            rate=float(row.entry.submission.rate_amount),
        )
        for row in rows
        if row.entry.submission.rate_amount is not None
        and row.entry.submission.rate_currency.upper() == brief.rate_currency.upper()
    ]
    if not points:
        return None  # nobody on this page quoted a rate in the brief's currency
    return {
        "svg": value_for_money_svg(
            points,
            rate_label=f"rate, {brief.rate_currency} {brief.get_rate_unit_display()}",
            title="Value for money: balanced score against rate",
        ),
        "shown": len(points),
        "left_out": len(rows) - len(points),
        "points": sorted(points, key=lambda p: p.rank),
    }


def _side_by_side(shortlist: Shortlist, top: list[EntryView]) -> list[dict[str, Any]]:
    """The top of the ranking with calibration (this page's order) beside the order the same
    rules give on the raw scores (scoring.selectors.shortlist_entries_uncalibrated)."""
    raw = [
        entry
        for entry in shortlist_entries_uncalibrated(shortlist=shortlist)[: len(top)]
        if entry.uncalibrated_rank is not None
    ]
    rows = []
    for position, row in enumerate(top):
        other = raw[position] if position < len(raw) else None
        rows.append(
            {
                "position": position + 1,
                "calibrated": row,
                "raw": other,
                "raw_name": other.submission.full_name if other else "",
                "moved": (row.entry.uncalibrated_rank or 0) - row.entry.rank
                if row.entry.uncalibrated_rank
                else None,
            }
        )
    return rows


def _blind_assignments(access: WorkspaceAccess, brief: RoleBrief) -> list[InterviewAssignment]:
    return list(
        blind_assignments(user_id=access.user_id)
        .filter(submission__brief=brief)
        .select_related("submission")
        .order_by("due_at", "id")
    )


def _refuse_while_blind(access: WorkspaceAccess, brief: RoleBrief) -> None:
    if _blind_assignments(access, brief):
        raise ConflictError(
            "Submit your own scorecards for this brief first: until then its shortlist, and "
            "deciding from it, stay closed to you so that your scores stay your own.",
            code="blind_scoring",
        )


def _recent_decisions(brief: RoleBrief) -> list[dict[str, Any]]:
    decisions = list(
        ShortlistDecision.objects.filter(shortlist__brief=brief)
        .select_related("shortlist", "submission__candidate")
        .order_by("-decided_at", "-id")[:20]
    )
    names = user_names({d.decided_by_user_id for d in decisions if d.decided_by_user_id})
    return [
        {
            "decision": decision,
            "by": names.get(decision.decided_by_user_id or 0, "A former user"),
            "stage_label": STAGE_LABELS.get(decision.resulting_stage, decision.resulting_stage),
        }
        for decision in decisions
    ]


@workspace_page(roles=SEE_ALL_SCORES)
def brief_shortlist(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    access = caller.access
    brief = access_brief_by_id(access, public_id)
    return _render_shortlist(request, access, brief)


def _shortlist_url(brief: RoleBrief, submission_public_id: str | None = None) -> str:
    url = reverse("scoring:brief_shortlist", kwargs={"public_id": brief.public_id})
    return f"{url}#entry-{submission_public_id}" if submission_public_id else url


def _form_errors(form: forms.BaseForm, *, conflict: str) -> dict[str, list[str]]:
    """A refused action's messages, shown next to the candidate it was about."""
    errors = {
        field: [str(message) for message in messages] for field, messages in form.errors.items()
    }
    if conflict:
        errors.setdefault("__all__", []).append(conflict)
    return errors


@workspace_page(roles=DECIDE_ON_SHORTLISTS, methods=("POST",))
def shortlist_decide(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    access = caller.access
    brief = access_brief_by_id(access, public_id)
    _refuse_while_blind(access, brief)
    form = DecisionForm(request.POST)
    if not form.is_valid() or form.cleaned_data["decision"] not in DecisionKind.values:
        raise Http404("No such candidate on this shortlist.")
    shortlist = Shortlist.objects.filter(
        brief=brief, public_id=form.cleaned_data["shortlist"]
    ).first()
    if shortlist is None:
        raise Http404("No such shortlist.")
    submission = access_submission_in_brief(
        access, brief=brief, public_id=form.cleaned_data["submission"]
    )
    key = str(submission.public_id)
    decision = form.cleaned_data["decision"]
    reason = form.cleaned_data["reason"]
    done = form_action(
        form,
        lambda: decision_record(
            actor=caller.actor,
            shortlist=shortlist,
            submission=submission,
            decision=decision,
            reason=reason,
            confirmed=form.cleaned_data["confirm"],
        ),
    )
    name = submission.full_name
    if not done.ok or done.value is None:
        return _render_shortlist(
            request,
            access,
            brief,
            errors={key: _form_errors(form, conflict=done.conflict)},
            values={key: {"reason": reason, "form": "decision"}},
            page_error=f"Nothing was changed for {name}"
            + (f": {done.conflict}" if done.conflict else "."),
            status=done.status,
        )
    record = done.value
    stage = STAGE_LABELS.get(record.resulting_stage, record.resulting_stage).lower()
    verb = "Advanced" if decision == DecisionKind.ADVANCE else "Rejected"
    messages.success(
        request,
        f"{verb} {submission.full_name}: now {stage}. The agency sees the new stage on "
        "its submission, and the shortlist is recomputed in the background.",
    )
    return redirect(_shortlist_url(brief, key))


@workspace_page(roles=SEE_ALL_SCORES, methods=("POST",))
def shortlist_floor_override(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    access = caller.access
    brief = access_brief_by_id(access, public_id)
    _refuse_while_blind(access, brief)
    form = FloorOverrideForm(request.POST)
    if not form.is_valid():
        raise Http404("No such candidate on this shortlist.")
    submission = access_submission_in_brief(
        access, brief=brief, public_id=form.cleaned_data["submission"]
    )
    key = str(submission.public_id)
    reason = form.cleaned_data["reason"]
    done = form_action(
        form,
        lambda: floor_override_set(
            actor=caller.actor, brief=brief, submission=submission, reason=reason
        ),
    )
    if not done.ok:
        return _render_shortlist(
            request,
            access,
            brief,
            errors={key: _form_errors(form, conflict=done.conflict)},
            values={key: {"reason": reason, "form": "override"}},
            page_error=f"The floor override for {submission.full_name} was not saved.",
            status=done.status,
        )
    messages.success(
        request,
        f"{submission.full_name} may now compete despite the floor. The shortlist is "
        "recomputed in the background; reload in a few seconds to see the new ranking.",
    )
    return redirect(_shortlist_url(brief, key))


@workspace_page(roles=SEE_ALL_SCORES, methods=("POST",))
def shortlist_recompute(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    access = caller.access
    brief = access_brief_by_id(access, public_id)
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
