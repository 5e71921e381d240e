"""Shortlist tools beside the ranking: comparing 2-4 candidates side by side, the shortlist as
CSV, and its history (every version, when and why it was computed, what changed between two).

Every page here shows what the shortlist shows, to the same roles (SEE_ALL_SCORES), and
closes like it while the reader is blind on any candidate of the brief (they are asked to
score one and have not submitted: docs/scoring.md "Blind scoring").
"""

import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hiring.models import RoleBrief, Submission
from hiring.rubric import CATEGORY_CODES, CATEGORY_NAMES
from hiring.selectors import access_brief_by_id
from pages.access import Caller, workspace_page
from pages.downloads import csv_download
from scoring.charts import ComparedCandidate, compare_bars_svg
from scoring.models import SCORE_FIELDS, Scorecard, ScorecardStatus, Shortlist, ShortlistEntry
from scoring.selectors import latest_shortlist, shortlist_entries
from scoring.views.shortlist import _refuse_while_blind, rate_text
from tenants.roles import SEE_ALL_SCORES

COMPARE_MIN, COMPARE_MAX = 2, 4
PROOF_LABELS = {
    "proof_shipped_solution": "Shipped AI solution",
    "proof_baseline": "Baseline before",
    "proof_improvement": "Improvement after",
    "proof_monitoring": "Monitoring in production",
    "proof_quality_dip": "How a quality dip was handled",
}
HISTORY_MOVES_SHOWN = 50


def _names(codes: list[str]) -> list[str]:
    return [f"{code} {CATEGORY_NAMES.get(code, code)}" for code in codes]


# --- compare -------------------------------------------------------------------------------------


@dataclass
class InterviewerScores:
    name: str
    recommendation: str
    summary: str
    # per category: (code, name, score or None, evidence)
    categories: list[tuple[str, str, int | None, str]]


@dataclass
class ComparedView:
    number: int
    entry: ShortlistEntry
    submission: Submission
    rate: str
    proof: list[tuple[str, str]]
    below_floor: list[str]
    missing: list[str]
    needs_debrief: list[str]
    interviewers: list[InterviewerScores]


def _picked_ids(request: HttpRequest) -> list[uuid.UUID]:
    picked: list[uuid.UUID] = []
    for raw in request.GET.getlist("s")[: COMPARE_MAX + 1]:
        try:
            value = uuid.UUID(str(raw))
        except ValueError:
            continue
        if value not in picked:
            picked.append(value)
    return picked


@workspace_page(roles=SEE_ALL_SCORES)
def shortlist_compare(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    """2-4 candidates of the latest version side by side: category means against the floors,
    each interviewer's scores and evidence, proof, rate, flags and reasons."""
    access = caller.access
    brief = access_brief_by_id(access, public_id)
    _refuse_while_blind(access, brief)
    shortlist = latest_shortlist(brief=brief)
    picked = _picked_ids(request)
    context: dict[str, Any] = {"brief": brief, "shortlist": shortlist, "access": access}
    entries: list[ShortlistEntry] = []
    if shortlist is not None and picked:
        found = {
            entry.submission.public_id: entry
            for entry in shortlist_entries(shortlist=shortlist).filter(
                submission__public_id__in=picked[:COMPARE_MAX]
            )
        }
        entries = [found[p] for p in picked[:COMPARE_MAX] if p in found]
    if not COMPARE_MIN <= len(entries) <= COMPARE_MAX or len(picked) > COMPARE_MAX:
        context["picked"] = len(picked)
        return render(request, "scoring/compare.html", context, status=400 if picked else 200)

    cards = (
        Scorecard.objects.filter(
            submission_id__in=[e.submission_id for e in entries], status=ScorecardStatus.SUBMITTED
        )
        .select_related("interviewer")
        .order_by("submitted_at", "id")
    )
    by_submission: dict[int, list[InterviewerScores]] = {}
    for card in cards:
        by_submission.setdefault(card.submission_id, []).append(
            InterviewerScores(
                name=card.interviewer.display_name,
                recommendation=card.get_recommendation_display() if card.recommendation else "",
                summary=card.summary,
                categories=[
                    (
                        code,
                        CATEGORY_NAMES[code],
                        getattr(card, field),
                        getattr(card, f"evidence_{code.lower()}"),
                    )
                    for code, field in zip(CATEGORY_CODES, SCORE_FIELDS, strict=True)
                ],
            )
        )
    compared = []
    for number, entry in enumerate(entries, start=1):
        submission = entry.submission
        submission.brief = brief
        compared.append(
            ComparedView(
                number=number,
                entry=entry,
                submission=submission,
                rate=rate_text(submission),
                proof=[
                    (label, getattr(submission, field))
                    for field, label in PROOF_LABELS.items()
                    if getattr(submission, field)
                ],
                below_floor=_names(list(entry.below_floor)),
                missing=_names(list(entry.missing)),
                needs_debrief=_names(list(entry.needs_debrief)),
                interviewers=by_submission.get(entry.submission_id, []),
            )
        )
    floors = (shortlist.policy or {}).get("floors", {}) if shortlist else {}
    context.update(
        compared=compared,
        categories=[(code, CATEGORY_NAMES[code]) for code in CATEGORY_CODES],
        floors={code: value for code, value in floors.items() if value is not None},
        chart=compare_bars_svg(
            [
                ComparedCandidate(
                    number=c.number, label=c.submission.full_name, means=c.entry.category_means
                )
                for c in compared
            ],
            floors,
            title="Category means of the compared candidates against the brief's floors",
        ),
    )
    return render(request, "scoring/compare.html", context)


# --- export --------------------------------------------------------------------------------------


@workspace_page(roles=SEE_ALL_SCORES)
def shortlist_export(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    """The latest version as CSV (formula-safe: pages.downloads), every candidate in rank
    order, with the ranking's figures and reasons. No contact details."""
    access = caller.access
    brief = access_brief_by_id(access, public_id)
    _refuse_while_blind(access, brief)
    shortlist = latest_shortlist(brief=brief)
    header: list[object] = [
        "rank",
        "rank_without_calibration",
        "candidate",
        "agency",
        "stage",
        "balanced_score",
        "weighted_score",
        "confidence",
        *[f"{code}_{CATEGORY_NAMES[code].lower().replace(' ', '_')}" for code in CATEGORY_CODES],
        "below_floor",
        "floor_overridden",
        "not_scored",
        "needs_debrief",
        "scorecards",
        "rate",
        "reason",
        "submission_id",
    ]
    rows: list[list[object]] = [header]
    if shortlist is not None:
        for entry in shortlist_entries(shortlist=shortlist).iterator(chunk_size=500):
            submission = entry.submission
            submission.brief = brief
            means = entry.category_means or {}
            rows.append(
                [
                    entry.rank,
                    entry.uncalibrated_rank or "",
                    submission.full_name,
                    submission.agency.name,
                    submission.get_stage_display(),
                    f"{entry.balanced_score:.2f}",
                    f"{entry.weighted_score:.2f}",
                    f"{entry.confidence:.2f}",
                    *[
                        "" if means.get(code) is None else f"{means[code]:.2f}"
                        for code in CATEGORY_CODES
                    ],
                    " ".join(entry.below_floor),
                    "yes" if entry.floor_overridden else "",
                    " ".join(entry.missing),
                    " ".join(entry.needs_debrief),
                    entry.scorecard_count,
                    rate_text(submission),
                    entry.reason,
                    str(submission.public_id),
                ]
            )
    version = f"-v{shortlist.version}" if shortlist else ""
    return csv_download(rows, f"shortlist-{brief.public_id}{version}.csv")


# --- history -------------------------------------------------------------------------------------


def _why(version: Any, previous: Any | None) -> list[str]:
    """Why a version was computed, from what differs from the one before it."""
    if previous is None:
        return ["First version: the first submitted scorecards."]
    reasons = []
    cards = version.scorecard_count - previous.scorecard_count
    if cards > 0:
        reasons.append(f"{cards} new scorecard{'s' if cards != 1 else ''}")
    elif cards < 0:
        reasons.append(
            f"{-cards} scorecard{'s' if cards != -1 else ''} fewer (candidates rejected or "
            "withdrawn leave the ranking)"
        )
    entries = version.entry_count - previous.entry_count
    if entries < 0 and cards >= 0:
        reasons.append(f"{-entries} candidate{'s' if entries != -1 else ''} left the ranking")
    if (version.policy or {}).get("weights") != (previous.policy or {}).get("weights"):
        reasons.append("the brief's weights changed")
    if (version.policy or {}).get("floors") != (previous.policy or {}).get("floors"):
        reasons.append("the brief's floors changed")
    if version.overridden_count != previous.overridden_count:
        reasons.append("a floor override")
    was = previous.calibration or {}
    now = version.calibration or {}
    if was.get("method") != now.get("method"):
        reasons.append("the ranking method was updated")
    elif was.get("workspace_evidence") != now.get("workspace_evidence"):
        reasons.append(
            "workspace evidence was turned " + ("on" if now.get("workspace_evidence") else "off")
        )
    if not reasons:
        reasons.append("a scorecard was changed or another brief's evidence moved the calibration")
    return [reasons[0][0].upper() + reasons[0][1:], *reasons[1:]]


def _versions(brief: RoleBrief) -> list[Any]:
    return list(
        Shortlist.objects.filter(brief=brief)
        .annotate(
            entry_count=Count("entries"),
            overridden_count=Count("entries", filter=Q(entries__floor_overridden=True)),
        )
        .order_by("-version")
    )


def _diff(older: Shortlist, newer: Shortlist) -> dict[str, Any]:
    """What changed between two versions: entries that moved, came or went."""

    def ranks(shortlist: Shortlist) -> dict[int, tuple[int, float, str]]:
        return {
            submission_id: (rank, score, name)
            for submission_id, rank, score, name in ShortlistEntry.objects.filter(
                shortlist=shortlist
            ).values_list("submission_id", "rank", "balanced_score", "submission__full_name")
        }

    before, after = ranks(older), ranks(newer)
    moved = sorted(
        (
            {
                "name": after[s][2],
                "from": before[s][0],
                "to": after[s][0],
                "change": before[s][0] - after[s][0],
                "score_from": before[s][1],
                "score_to": after[s][1],
            }
            for s in set(before) & set(after)
            if before[s][0] != after[s][0] or abs(before[s][1] - after[s][1]) >= 0.005
        ),
        key=lambda row: (-abs(row["change"]), row["to"]),  # type: ignore[arg-type]
    )
    return {
        "older": older,
        "newer": newer,
        "moved": moved[:HISTORY_MOVES_SHOWN],
        "moved_count": len(moved),
        "new": sorted(
            ({"name": after[s][2], "rank": after[s][0]} for s in set(after) - set(before)),
            key=lambda row: row["rank"],
        ),
        "gone": sorted(
            ({"name": before[s][2], "rank": before[s][0]} for s in set(before) - set(after)),
            key=lambda row: row["rank"],
        ),
        "new_scorecards": newer.scorecard_count - older.scorecard_count,
    }


@workspace_page(roles=SEE_ALL_SCORES)
def shortlist_history(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    """Every version with when and why it was computed; with `from` and `to`, what changed
    between two versions (an unknown version is ignored)."""
    access = caller.access
    brief = access_brief_by_id(access, public_id)
    _refuse_while_blind(access, brief)
    versions = _versions(brief)
    rows = [
        {
            "version": version,
            "why": _why(version, versions[index + 1] if index + 1 < len(versions) else None),
        }
        for index, version in enumerate(versions)
    ]
    by_number = {version.version: version for version in versions}

    def chosen(name: str) -> Shortlist | None:
        raw = request.GET.get(name, "")
        return by_number.get(int(raw)) if raw.isdigit() and len(raw) < 9 else None

    older, newer = chosen("from"), chosen("to")
    if newer is None and len(versions) >= 2 and older is None:
        newer, older = versions[0], versions[1]
    diff = None
    if older is not None and newer is not None and older.version != newer.version:
        if older.version > newer.version:
            older, newer = newer, older
        diff = _diff(older, newer)
    return render(
        request,
        "scoring/shortlist_history.html",
        {"brief": brief, "access": access, "rows": rows, "diff": diff, "versions": versions},
    )
