"""Outbox consumers survive a database restart (the fault drill, docs/operations.md): once an
event is stamped published nothing hands it over again, so a consumer that fails because the
database is restarting is retried, while a bug fails at once."""

from unittest import mock

import pytest
from celery import current_app
from django.db import OperationalError

from outbox.services import CONSUMER_TASK_OPTIONS, consumers_for


def registered_consumers() -> set[str]:
    from api.webhooks.events import WEBHOOK_EVENT_TYPES
    from notifications.events.notices import NOTIFIED_EVENT_TYPES
    from scoring.tasks.shortlists import RANKING_EVENT_TYPES

    names: set[str] = set()
    for event_type in {*WEBHOOK_EVENT_TYPES, *NOTIFIED_EVENT_TYPES, *RANKING_EVENT_TYPES}:
        names.update(consumers_for(event_type))
    return names - {"tests.reliability_consumer"}


def test_every_consumer_retries_database_failures():
    names = registered_consumers()
    assert {
        "api.tasks.webhooks.webhooks_fan_out",
        "notifications.tasks.notifications_on_event",
        "scoring.tasks.shortlists.shortlist_on_event",
    } <= names
    for name in names:
        task = current_app.tasks[name]
        assert task.acks_late, name
        assert OperationalError in task.autoretry_for, name
        assert task.max_retries == CONSUMER_TASK_OPTIONS["max_retries"], name


def test_a_consumer_that_meets_a_restarting_database_runs_again():
    task = current_app.tasks["api.tasks.webhooks.webhooks_fan_out"]
    calls = []

    def flaky(*, event_id: int) -> int:
        calls.append(event_id)
        if len(calls) == 1:
            raise OperationalError("terminating connection due to administrator command")
        return 1

    with mock.patch("api.tasks.webhooks.webhook_fan_out", side_effect=flaky):
        result = task.apply(kwargs={"event_id": 7})
    assert calls == [7, 7]
    assert result.get() == 1


def test_a_consumer_bug_is_not_retried():
    task = current_app.tasks["api.tasks.webhooks.webhooks_fan_out"]
    with (
        mock.patch("api.tasks.webhooks.webhook_fan_out", side_effect=KeyError("bug")) as run,
        pytest.raises(KeyError),
    ):
        task.apply(kwargs={"event_id": 7}, throw=True)
    assert run.call_count == 1
