"""Writes of interview kits: the workspace's versions of each track's kit.

Every change writes a new version holding the whole question list (scoring.kits describes a
question); earlier versions stay as they were, because submitted scorecards name the version
their interviewer scored with. Version 1 of a track is the standard kit, stored the first
time something needs it (an edit, or a scorecard saved on that track).
"""

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit.actors import Actor
from audit.errors import ConflictError, NotFoundError
from audit.services import audit_record
from hiring.rubric import CATEGORY_NAMES
from hiring.text import line_text_clean
from scoring.kits import (
    KINDS,
    QUESTION_MAX_CHARS,
    QUESTION_MIN_CHARS,
    TRACKS,
    WHEN,
    Question,
    standard_questions,
)
from scoring.models import InterviewKitVersion

STANDARD_CHANGE = "The standard kit of this track."


def _check_track(track: str) -> None:
    if track not in TRACKS:
        raise NotFoundError("No such track.")


def kit_version_current(*, track: str) -> InterviewKitVersion:
    """The track's latest stored version. A workspace with none stores the standard kits of
    all three tracks as their version 1 first (so the API lists every track from the first
    scorecard on). Race-safe: concurrent first callers end with the same rows."""
    _check_track(track)
    latest = InterviewKitVersion.objects.filter(track=track).order_by("-version").first()
    if latest is not None:
        return latest
    for each in TRACKS:
        if InterviewKitVersion.objects.filter(track=each).exists():
            continue
        try:
            with transaction.atomic():
                InterviewKitVersion.objects.create(
                    track=each,
                    version=1,
                    questions=standard_questions(each),
                    change=STANDARD_CHANGE,
                )
        except IntegrityError:
            pass  # another request stored it first: the same standard kit
    return InterviewKitVersion.objects.filter(track=track).order_by("-version").first()  # type: ignore[return-value]


def _clean_text(text: object) -> str:
    cleaned = " ".join(line_text_clean(text).split())
    if len(cleaned) < QUESTION_MIN_CHARS:
        raise ValidationError(
            {"text": f"Write the question out: at least {QUESTION_MIN_CHARS} characters."}
        )
    if len(cleaned) > QUESTION_MAX_CHARS:
        raise ValidationError({"text": f"Keep it under {QUESTION_MAX_CHARS} characters."})
    return cleaned


def _new_version(
    *,
    actor: Actor,
    track: str,
    change: str,
    edit: Any,
    action: str,
    details: dict[str, Any],
) -> InterviewKitVersion:
    """Lock the track's latest version, apply `edit` to a copy of its questions and store the
    result as the next version, audited."""
    kit_version_current(track=track)
    with transaction.atomic():
        locked = (
            InterviewKitVersion.objects.select_for_update()
            .filter(track=track)
            .order_by("-version")
            .first()
        )
        assert locked is not None
        # Another edit may have committed while we waited for the lock: build on the newest.
        latest = InterviewKitVersion.objects.filter(track=track).order_by("-version").first()
        assert latest is not None
        questions: list[Question] = [dict(q) for q in latest.questions]
        edit(questions)
        try:
            with transaction.atomic():
                version = InterviewKitVersion.objects.create(
                    track=track,
                    version=latest.version + 1,
                    questions=questions,
                    change=change[:300],
                    created_by_user_id=actor.user_id,
                )
        except IntegrityError:
            raise ConflictError(
                "Someone changed this kit at the same moment. Reload the page and try again.",
                code="kit_changed",
            ) from None
        audit_record(
            actor=actor,
            action=action,
            object_type="interview_kit",
            object_id=version.public_id,
            details={"track": track, "version": version.version, **details},
        )
    return version


def _find(questions: list[Question], key: str) -> Question:
    for question in questions:
        if question.get("key") == key:
            return question
    raise NotFoundError("No such question in this kit.")


def kit_question_add(
    *, actor: Actor, track: str, category: str, kind: str, when: str, text: str
) -> InterviewKitVersion:
    """Add the workspace's own question (or red flag) to a track's kit: a new version."""
    _check_track(track)
    errors: dict[str, str] = {}
    if category not in CATEGORY_NAMES:
        errors["category"] = "Choose a category, A to E."
    if kind not in KINDS:
        errors["kind"] = "Choose a question or a red flag."
    if when not in WHEN:
        errors["when"] = "Choose which briefs it applies to."
    if errors:
        raise ValidationError(errors)
    cleaned = _clean_text(text)
    key = f"ws-{uuid.uuid4().hex[:12]}"

    def edit(questions: list[Question]) -> None:
        if any(
            not q.get("retired") and q["text"].casefold() == cleaned.casefold() for q in questions
        ):
            raise ValidationError({"text": "The kit already has this question."})
        questions.append(
            {
                "key": key,
                "category": category,
                "kind": kind,
                "when": when,
                "text": cleaned,
                "origin": "workspace",
                "retired": False,
                "tag": "",
            }
        )

    return _new_version(
        actor=actor,
        track=track,
        change=f"Added to {category}: {cleaned}",
        edit=edit,
        action="interview_kit.question_added",
        details={"question": key, "category": category},
    )


def kit_question_reword(*, actor: Actor, track: str, key: str, text: str) -> InterviewKitVersion:
    """Change the wording of a question that is in use: a new version (the question keeps its
    key, so its history reads as one question)."""
    _check_track(track)
    cleaned = _clean_text(text)

    def edit(questions: list[Question]) -> None:
        question = _find(questions, key)
        if question.get("retired"):
            raise ConflictError("This question is retired; add a new one instead.", code="retired")
        if question["text"] == cleaned:
            raise ValidationError({"text": "This is the current wording."})
        question["text"] = cleaned

    return _new_version(
        actor=actor,
        track=track,
        change=f"Reworded: {cleaned}",
        edit=edit,
        action="interview_kit.question_reworded",
        details={"question": key},
    )


def kit_question_retire(*, actor: Actor, track: str, key: str) -> InterviewKitVersion:
    """Stop asking a question: a new version in which it is marked retired (kept, so the
    kit's page can show what was retired; no scorecard shows it any more)."""
    _check_track(track)
    label = _find([dict(q) for q in kit_version_current(track=track).questions], key)["text"]

    def edit(questions: list[Question]) -> None:
        question = _find(questions, key)
        if question.get("retired"):
            raise ConflictError("This question is already retired.", code="retired")
        question["retired"] = True

    return _new_version(
        actor=actor,
        track=track,
        change=f"Retired: {label}",
        edit=edit,
        action="interview_kit.question_retired",
        details={"question": key},
    )
