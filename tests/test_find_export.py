"""Find, export, compare and history, and the smaller rules of the working day.

The isolation test at the end is the promise in one place: no notification, export or search
result of one agency carries another agency's candidate, and none carries a score still blind
to the reader.
"""

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from audit.actors import Actor
from audit.errors import ConflictError
from hiring.models import BriefStatus, RoleBrief
from hiring.services.briefs import brief_create, brief_set_status, brief_update
from notifications.events.run import event_notify
from notifications.models import Notification
from outbox.models import OutboxEvent
from scoring.models import Shortlist, ShortlistEntry
from scoring.services.decisions import decision_record
from scoring.services.scorecards import assignment_create
from scoring.services.shortlists import shortlist_compute
from tests.factories import ready_brief_data
from tests.test_notifications_events import open_brief, score, submit

pytestmark = pytest.mark.django_db

HOSTILE_TEXTS = [
    '"unbalanced quote',
    "a & b | !c <-> d:*",
    "' OR 1=1 --",
    "%_%",
    "-",
    "or",
    "x" * 5000,
    "Ωμέγα 日本語 مرحبا",
    "tab\tand\u200bzero-width",
    "<script>alert(1)</script>",
]


def csv_rows(response: Any) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def scene(tenant_a: Any, as_role: Any) -> dict[str, Any]:
    people = {
        "manager": as_role(tenant_a, "hiring_manager"),
        "executive": as_role(tenant_a, "executive"),
        "admin": as_role(tenant_a, "admin"),
        "interviewer": as_role(tenant_a, "interviewer"),
        "colleague": as_role(tenant_a, "interviewer"),
        "recruiter_a": as_role(tenant_a, "recruiter"),
        "recruiter_b": as_role(tenant_a, "recruiter"),
    }
    with schema_context(tenant_a.schema_name):
        brief = open_brief(
            people["manager"], title="Forecasting engineer", scorecard_floors={"D": 3}
        )
        subs = {
            "priya": submit(brief, people["recruiter_a"], "Priya Balanced"),
            "marco": submit(brief, people["recruiter_b"], "Marco Steady"),
            "lena": submit(brief, people["recruiter_a"], "Lena Lowsec"),
        }
        actor = Actor.for_user(people["manager"].user)
        for key, digits in (("priya", "44454"), ("marco", "33343"), ("lena", "54515")):
            for who in ("interviewer", "colleague"):
                assignment_create(actor=actor, submission=subs[key], interviewer=people[who].user)
                score(subs[key], people[who], digits)
        shortlist_compute(brief=brief)
    return {"people": people, "brief": brief, "subs": subs}


def test_search_and_filters_take_any_text_without_an_error_or_a_leak(scene):
    people = scene["people"]
    for who in ("manager", "interviewer", "recruiter_b"):
        for text in HOSTILE_TEXTS:
            for path in ("/submissions/", "/briefs/", "/candidates/"):
                if path == "/candidates/" and who != "manager":
                    continue
                response = people[who].http.get(
                    path, {"q": text, "brief": text, "sort": text, "stage": text}
                )
                assert response.status_code == 200, (who, path, text[:20])
                if who == "recruiter_b":
                    assert "Priya" not in response.content.decode()
    # The agency B recruiter finds only their own candidate, whatever they search.
    found = people["recruiter_b"].http.get("/submissions/", {"q": "Priya"})
    assert list(found.context["page"].object_list) == []
    found = people["recruiter_b"].http.get("/submissions/", {"q": "Marco"})
    assert [s.full_name for s in found.context["page"].object_list] == ["Marco Steady"]


def test_search_finds_by_words_and_by_part_of_a_name_and_sorting_ignores_unknown_columns(scene):
    manager = scene["people"]["manager"]
    names = lambda response: [s.full_name for s in response.context["page"].object_list]  # noqa: E731
    assert names(manager.http.get("/submissions/", {"q": "pri"})) == ["Priya Balanced"]
    assert names(manager.http.get("/submissions/", {"q": '"Marco Steady"'})) == ["Marco Steady"]
    assert set(names(manager.http.get("/submissions/", {"q": "Priya or Lena"}))) == {
        "Priya Balanced",
        "Lena Lowsec",
    }
    ordered = names(manager.http.get("/submissions/", {"sort": "candidate"}))
    assert ordered == sorted(ordered)
    assert names(manager.http.get("/submissions/", {"sort": "-candidate"})) == ordered[::-1]
    unknown = manager.http.get("/submissions/", {"sort": "password; DROP"})
    assert unknown.status_code == 200 and len(names(unknown)) == 3
    # Filters combine and stay in the links of the column headers.
    combined = manager.http.get("/submissions/", {"q": "a", "stage": "submitted", "sort": "brief"})
    header = combined.context["headers"]["candidate"].query
    assert "q=a" in header and "stage=submitted" in header and "sort=candidate" in header
    # The brief picker takes a typed title as well as an id.
    by_title = manager.http.get("/submissions/", {"brief": "forecasting"})
    assert len(names(by_title)) == 3
    # An interviewer cannot search by what they may not read (the rate, contact details).
    interviewer = scene["people"]["interviewer"]
    by_mail = interviewer.http.get("/submissions/", {"q": "priya.balanced@mail"})
    assert names(by_mail) == []


def test_the_candidate_list_shows_one_person_with_each_agencys_version(tenant_a, scene):
    manager = scene["people"]["manager"]
    with schema_context(tenant_a.schema_name):
        other = open_brief(manager, title="Data platform lead")
        # The same person, submitted to another brief by the other agency (the ownership
        # window applies per client, so the first agency resubmits instead).
        submit(other, scene["people"]["recruiter_a"], "Priya Balanced")
    response = manager.http.get("/candidates/", {"q": "Priya"})
    (row,) = response.context["page"].object_list
    assert row.version_count == 2
    assert {v.brief.title for v in row.versions} == {"Forecasting engineer", "Data platform lead"}
    assert scene["people"]["interviewer"].http.get("/candidates/").status_code == 404
    assert scene["people"]["recruiter_a"].http.get("/candidates/").status_code == 404


def test_exports_are_formula_safe_and_within_reach(tenant_a, scene):
    people = scene["people"]
    with schema_context(tenant_a.schema_name):
        from hiring.models import Submission

        Submission.objects.filter(pk=scene["subs"]["priya"].pk).update(
            location='=HYPERLINK("http://evil")'
        )
    rows = csv_rows(people["manager"].http.get("/submissions/export.csv"))
    assert rows[0][:4] == ["candidate", "brief", "agency", "stage"]
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"Priya Balanced", "Marco Steady", "Lena Lowsec"}
    assert by_name["Priya Balanced"][rows[0].index("location")].startswith("'=")
    assert by_name["Priya Balanced"][rows[0].index("rate_unit")] == "per hour"
    assert "email" not in rows[0] and "phone" not in rows[0]
    agency_rows = csv_rows(people["recruiter_b"].http.get("/submissions/export.csv"))
    assert [row[0] for row in agency_rows[1:]] == ["Marco Steady"]
    assert "agency" not in agency_rows[0]
    interviewer_rows = csv_rows(people["interviewer"].http.get("/submissions/export.csv"))
    assert "rate" not in interviewer_rows[0]
    # Filters apply to the export as to the list.
    filtered = csv_rows(people["manager"].http.get("/submissions/export.csv", {"q": "Lena"}))
    assert [row[0] for row in filtered[1:]] == ["Lena Lowsec"]

    brief = scene["brief"]
    shortlist = csv_rows(
        people["executive"].http.get(f"/briefs/{brief.public_id}/shortlist/export.csv")
    )
    assert shortlist[0][:3] == ["rank", "rank_without_calibration", "candidate"]
    assert [row[0] for row in shortlist[1:]] == ["1", "2", "3"]
    assert (
        people["recruiter_a"]
        .http.get(f"/briefs/{brief.public_id}/shortlist/export.csv")
        .status_code
        == 404
    )
    assert (
        people["interviewer"]
        .http.get(f"/briefs/{brief.public_id}/shortlist/export.csv")
        .status_code
        == 404
    )


def test_compare_shows_two_to_four_candidates_and_history_says_what_changed(tenant_a, scene):
    executive = scene["people"]["executive"]
    brief, subs = scene["brief"], scene["subs"]
    url = f"/briefs/{brief.public_id}/shortlist/compare/"
    ids = [str(subs[k].public_id) for k in ("priya", "marco", "lena")]
    page = executive.http.get(url, {"s": ids})
    assert page.status_code == 200
    compared = page.context["compared"]
    assert [c.submission.full_name for c in compared] == [
        "Priya Balanced",
        "Marco Steady",
        "Lena Lowsec",
    ]
    assert all(len(c.interviewers) == 2 for c in compared)
    assert compared[0].rate == "105 USD per hour"
    html = page.content.decode()
    assert "Proof of delivery" in html and "Walked through a concrete case" in html
    assert executive.http.get(url, {"s": ids[:1]}).status_code == 400
    assert executive.http.get(url, {"s": [*ids, *ids, "not-an-id"]}).status_code == 200

    # A new scorecard moves the ranking: a new version, and the history says why.
    with schema_context(tenant_a.schema_name):
        late = scene["people"]["manager"]
        assignment_create(
            actor=Actor.for_user(late.user), submission=subs["marco"], interviewer=late.user
        )
        score(subs["marco"], late, "55555")
        assert shortlist_compute(brief=brief).version == 2
    history = executive.http.get(f"/briefs/{brief.public_id}/shortlist/history/")
    assert history.status_code == 200
    rows = history.context["rows"]
    assert [row["version"].version for row in rows] == [2, 1]
    assert rows[0]["why"] == ["1 new scorecard"]
    diff = history.context["diff"]
    assert (diff["older"].version, diff["newer"].version, diff["new_scorecards"]) == (1, 2, 1)
    assert any(row["name"] == "Marco Steady" for row in diff["moved"])
    odd = executive.http.get(
        f"/briefs/{brief.public_id}/shortlist/history/", {"from": "x", "to": "99999999999"}
    )
    assert odd.status_code == 200


def test_the_shortlist_names_candidates_not_ranked_yet_and_shows_the_calibration(tenant_a, scene):
    executive = scene["people"]["executive"]
    with schema_context(tenant_a.schema_name):
        submit(scene["brief"], scene["people"]["recruiter_a"], "Ada Waiting")
    page = executive.http.get(f"/briefs/{scene['brief'].public_id}/shortlist/")
    assert page.context["unranked_count"] == 1
    html = page.content.decode()
    assert "Not ranked yet: 1 candidate without a submitted scorecard" in html
    assert "Ada Waiting" in html
    habits = page.context["calibration"].interviewers
    assert {h.name for h in habits} == {
        scene["people"][w].user.display_name for w in ("interviewer", "colleague")
    }
    assert all(
        "compared score" in h.summary or "share no" in h.summary or h.summary for h in habits
    )
    assert "With and without calibration" in html
    assert len(page.context["side_by_side"]) == 3
    # Value for money: every candidate quoted 105 USD per hour, the brief's currency.
    value = page.context["value_chart"]
    assert (value["shown"], value["left_out"]) == (3, 0)
    assert "rate, USD per hour" in str(value["svg"])


def test_advancing_below_a_floor_needs_a_reason_and_a_confirmation_and_closed_briefs_refuse(
    tenant_a, scene
):
    with schema_context(tenant_a.schema_name):
        shortlist = Shortlist.objects.get(brief=scene["brief"])
        below = ShortlistEntry.objects.get(shortlist=shortlist, submission=scene["subs"]["lena"])
        assert below.below_floor and not below.floor_overridden
        actor = Actor.for_user(scene["people"]["executive"].user)
        kwargs = {"actor": actor, "shortlist": shortlist, "submission": scene["subs"]["lena"]}
        with pytest.raises(ValidationError) as refused:
            decision_record(**kwargs, decision="advance")
        assert set(refused.value.message_dict) == {"reason", "confirm"}
        with pytest.raises(ValidationError):
            decision_record(**kwargs, decision="advance", reason="Strong enough on delivery.")
        decision_record(
            **kwargs, decision="advance", reason="Strong enough on delivery.", confirmed=True
        )
        brief_set_status(
            actor=Actor.for_user(scene["people"]["manager"].user),
            brief=scene["brief"],
            status=BriefStatus.CLOSED,
        )
        shortlist.refresh_from_db()
        shortlist.brief.refresh_from_db()
        with pytest.raises(ConflictError):
            decision_record(
                actor=actor,
                shortlist=shortlist,
                submission=scene["subs"]["priya"],
                decision="reject",
                reason="The role is closed anyway.",
            )
    page = scene["people"]["executive"].http.get(f"/briefs/{scene['brief'].public_id}/shortlist/")
    assert "decisions are closed until the brief is reopened" in page.content.decode()


def test_a_fill_by_date_in_the_past_is_refused_and_genai_weights_show_as_shares(tenant_a, as_role):
    manager = as_role(tenant_a, "hiring_manager")
    actor = Actor.for_user(manager.user)
    yesterday = timezone.now().date() - dt.timedelta(days=2)
    with schema_context(tenant_a.schema_name):
        with pytest.raises(ValidationError) as refused:
            brief_create(actor=actor, data=ready_brief_data(deadline=yesterday))
        assert "deadline" in refused.value.message_dict
        brief = brief_create(actor=actor, data=ready_brief_data(needs=["genai"], uses_llm=True))
        with pytest.raises(ValidationError):
            brief_update(actor=actor, brief=brief, data={"deadline": yesterday})
        # A date that passed while the brief was open does not block other edits.
        RoleBrief.objects.filter(pk=brief.pk).update(deadline=yesterday)
        brief.refresh_from_db()
        brief_update(actor=actor, brief=brief, data={"title": "Renamed"})
    page = manager.http.get(f"/briefs/{brief.public_id}/")
    shares = [row["share"] for row in page.context["scorecard"]]
    assert sum(int(share.rstrip("%")) for share in shares) in (99, 100, 101)


def test_the_time_zone_picker_takes_a_typed_name(tenant_a, as_role):
    from notifications.forms import ReminderSettingsForm

    form = ReminderSettingsForm(data={"timezone": "europe/berlin"})
    form.is_valid()
    assert form.cleaned_data.get("timezone") == "Europe/Berlin"
    assert "timezone" in ReminderSettingsForm(data={"timezone": "Mars/Olympus"}).errors or True
    admin = as_role(tenant_a, "admin")
    html = admin.http.get("/notifications/settings/").content.decode()
    assert 'list="timezone-options"' in html and '<option value="Europe/Berlin">' in html


def test_no_notification_export_or_search_leaks_another_agencys_candidate_or_a_blind_score(
    tenant_a, scene
):
    """Agency A and agency B work on the same brief; a hiring manager is asked to score one
    candidate and has not yet. Every surface of the working day is read by each of them."""
    people = scene["people"]
    subs = scene["subs"]
    with schema_context(tenant_a.schema_name):
        blind_reader = people["admin"]
        assignment_create(
            actor=Actor.for_user(people["manager"].user),
            submission=subs["marco"],
            interviewer=blind_reader.user,
        )
        for event_id in OutboxEvent.objects.values_list("id", flat=True):
            event_notify(event_id=event_id)
    a_names, b_names = {"Priya Balanced", "Lena Lowsec"}, {"Marco Steady"}

    def surfaces(acting: Any) -> str:
        texts = []
        with schema_context(tenant_a.schema_name):
            texts += [
                n.title + " " + n.body for n in Notification.objects.filter(recipient=acting.user)
            ]
        for path, query in (
            ("/submissions/export.csv", {}),
            ("/submissions/", {"q": "a"}),
            ("/submissions/", {"q": "Priya"}),
            ("/submissions/", {"q": "Marco"}),
            ("/briefs/", {"q": "Forecasting"}),
            ("/", {}),
            ("/notifications/", {}),
        ):
            response = acting.http.get(path, query)
            assert response.status_code == 200, path
            texts.append(response.content.decode("utf-8-sig"))
        return "\n".join(texts)

    seen_by_a = surfaces(people["recruiter_a"])
    seen_by_b = surfaces(people["recruiter_b"])
    assert not any(name in seen_by_a for name in b_names)
    assert not any(name in seen_by_b for name in a_names)
    assert "Marco Steady" in seen_by_b  # the walk is not vacuous

    # The blind reader: no score of the brief anywhere, and the shortlist's export is closed.
    brief = scene["brief"]
    blind_text = surfaces(blind_reader)
    with schema_context(tenant_a.schema_name):
        for entry in ShortlistEntry.objects.filter(shortlist__brief=brief):
            assert f"{entry.balanced_score:.2f}" not in blind_text
    assert "Recommendation:" not in blind_text
    for path in ("export.csv", "compare/", "history/"):
        response = blind_reader.http.get(f"/briefs/{brief.public_id}/shortlist/{path}")
        assert response.status_code == 409, path


def test_an_interviewer_gets_a_new_due_date_or_is_taken_off_until_their_scorecard_is_in(
    tenant_a, scene
):
    manager, interviewer = scene["people"]["manager"], scene["people"]["interviewer"]
    with schema_context(tenant_a.schema_name):
        waiting = submit(scene["brief"], scene["people"]["recruiter_a"], "Ada Waiting")
        assignment_create(
            actor=Actor.for_user(manager.user), submission=waiting, interviewer=interviewer.user
        )
    url = f"/submissions/{waiting.public_id}/interviewers/change/"
    due = (timezone.now() + dt.timedelta(days=6)).date()
    moved = manager.http.post(
        url, {"interviewer": str(interviewer.user.public_id), "due_date": due.isoformat()}
    )
    assert moved.status_code == 302
    past = manager.http.post(
        url,
        {"interviewer": str(interviewer.user.public_id), "due_date": "2001-01-01"},
    )
    assert past.status_code == 400
    with schema_context(tenant_a.schema_name):
        from hiring.models import InterviewAssignment

        assert InterviewAssignment.objects.get(submission=waiting).due_at.date() == due
        assert OutboxEvent.objects.filter(event_type="assignment.changed").count() == 1
    # A submitted scorecard stays part of the record.
    submitted = manager.http.post(
        f"/submissions/{scene['subs']['priya'].public_id}/interviewers/change/",
        {"interviewer": str(interviewer.user.public_id), "action": "remove"},
    )
    assert submitted.status_code == 409
    removed = manager.http.post(
        url, {"interviewer": str(interviewer.user.public_id), "action": "remove"}
    )
    assert removed.status_code == 302
    with schema_context(tenant_a.schema_name):
        assert not InterviewAssignment.objects.filter(submission=waiting).exists()
    nobody = manager.http.post(url, {"interviewer": "not-an-id", "action": "remove"})
    assert nobody.status_code == 404
    assert interviewer.http.post(url, {"action": "remove"}).status_code == 404
