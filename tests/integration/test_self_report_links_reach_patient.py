"""Links that reach the patient (issue 14, item 7): each link names its visit and instruments;
a link with nothing due needs a reason; a link is sent by email through a real SMTP server
(aiosmtpd), the delivery recorded and audited, and the token never in the audit log."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import asdict
from datetime import date
from email import message_from_bytes
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from mdma_at.adapters.db import tables as t
from mdma_at.adapters.notify.email import SmtpNotifier
from mdma_at.bootstrap import Container, bootstrap
from mdma_at.domain.errors import Conflict, InvalidInput
from mdma_at.entrypoints.api.app import create_app
from mdma_at.services.measurement.self_report import (
    issue_self_report_link,
    send_self_report_link,
)
from mdma_at.services.patients import schedule
from support.clinic import Clinic, register
from support.db import row_counts
from support.receivers import Inbox, free_port, smtp_server
from support.web import signed_in

ENROLLED = date(2026, 6, 1)  # the test clock reads 2026-11-22: prep1's questionnaires overdue
URL = "https://clinic.example/r/"


@pytest.fixture
def smtp() -> Iterator[tuple[str, Inbox]]:
    with smtp_server() as running:
        yield running


def _audit_text(ctx: Container) -> str:
    with ctx.uow() as uow:
        return json.dumps([asdict(e.content) for e in uow.audit.events()], default=str)


def _actions(ctx: Container) -> list[str]:
    with ctx.uow() as uow:
        return [e.content.action for e in uow.audit.events()]


def test_a_link_for_a_patient_not_enrolled_is_refused_without_a_reason_and_stores_nothing(
    ctx: Container, clinic: Clinic
) -> None:
    patient = register(ctx, clinic)  # not enrolled: nothing is due, no visit to count for
    before = row_counts(ctx.settings.database_url)
    with pytest.raises(InvalidInput) as refused:
        issue_self_report_link(ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id)
    assert refused.value.field == "reason" and "not enrolled" in refused.value.reason
    assert row_counts(ctx.settings.database_url) == before

    issued = issue_self_report_link(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, reason="PHQ-9 before first call"
    )
    assert issued.link.visit_id is None and issued.visit_label is None
    assert issued.link.reason == "PHQ-9 before first call"
    with ctx.uow() as uow:
        (event,) = [e for e in uow.audit.events() if e.content.action == "self_report_link_issued"]
    assert event.content.reason == "PHQ-9 before first call"


def test_a_link_names_its_visit_and_instruments_and_needs_no_reason_when_something_is_due(
    ctx: Container, clinic: Clinic
) -> None:
    patient = register(ctx, clinic)
    _, visits = schedule.enrol(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, "mapp_v1", ENROLLED
    )
    issued = issue_self_report_link(ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id)
    prep1 = next(v for v in visits if v.code == "prep1")
    # mapp_v1's schedule: PHQ-9, GAD-7 and PCL-5 at the first preparation visit (overdue here)
    assert issued.link.visit_id == prep1.id and issued.visit_label == prep1.label
    assert issued.instrument_names == ("PHQ-9", "GAD-7", "PCL-5")
    assert issued.link.reason is None


def test_a_link_for_a_visit_with_nothing_due_needs_a_reason(ctx: Container, clinic: Clinic) -> None:
    patient = register(ctx, clinic)
    _, visits = schedule.enrol(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, "mapp_v1", ENROLLED
    )
    last = visits[-1]  # the last follow-up, months away: its window has not opened
    before = row_counts(ctx.settings.database_url)
    with pytest.raises(InvalidInput) as refused:
        issue_self_report_link(
            ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, visit_id=last.id
        )
    assert refused.value.field == "reason"
    assert row_counts(ctx.settings.database_url) == before


def test_a_link_is_sent_by_email_and_opens_the_self_report_page(
    ctx: Container, clinic: Clinic, smtp: Any
) -> None:
    patient = register(ctx, clinic)  # jr@example.org
    schedule.enrol(ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, "mapp_v1", ENROLLED)
    settings = ctx.settings.model_copy(update={"smtp_url": smtp[0]})
    server = bootstrap(settings, clock=ctx.clock)
    with TestClient(create_app(server)) as client:
        csrf = signed_in(client, "c.a")
        issued = client.post(f"/patients/{patient.id}/self-report-links", data={"csrf_token": csrf})
        assert issued.status_code == 201
        page = issued.text
        assert "<svg" in page and 'data-copy="link-url"' in page
        assert "Preparation" in page and "PHQ-9, GAD-7, PCL-5" in page
        action = re.search(r'action="(/patients/\d+/self-report-links/\d+/send)"', page)
        token = re.search(r'name="token" value="([^"]+)"', page)
        assert action and token
        sent = client.post(action.group(1), data={"csrf_token": csrf, "token": token.group(1)})
        assert sent.status_code == 200 and "Sent by email to jr@example.org" in sent.text

        (_, rcpt, content) = smtp[1].messages[0]
        message = message_from_bytes(content)
        assert rcpt == ["jr@example.org"]
        body = message.get_payload()
        assert isinstance(body, str) and "PHQ-9, GAD-7, PCL-5" in body
        link = re.search(r"https?://\S+/r/\S+", body)
        assert link and link.group(0).endswith(token.group(1))
        opened = client.get("/r/" + link.group(0).split("/r/", 1)[1])
        assert opened.status_code == 200 and "PHQ-9" in opened.text

        chart = client.get(f"/patients/{patient.id}/measures").text
        assert "sent by email to jr@example.org" in chart
    server.engine.dispose()
    with ctx.engine.connect() as db:
        (delivery,) = db.execute(select(t.questionnaire_link_deliveries)).all()
    assert (delivery.status, delivery.recipient, delivery.error) == ("sent", "jr@example.org", None)
    assert "self_report_link_sent" in _actions(ctx)
    assert token.group(1) not in _audit_text(ctx)  # the token is in the mail, never the log


def test_a_failed_send_is_recorded_with_its_reason_and_audited_without_the_token(
    ctx: Container, clinic: Clinic
) -> None:
    patient = register(ctx, clinic)
    schedule.enrol(ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, "mapp_v1", ENROLLED)
    issued = issue_self_report_link(ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id)
    down = SmtpNotifier(f"smtp://127.0.0.1:{free_port()}")  # nothing listens there
    _, delivery = send_self_report_link(
        ctx.uow(),
        ctx.clock,
        clinic.coordinator_a,
        issued.link.id,
        issued.token,
        down,
        URL + issued.token,
    )
    assert delivery.status == "failed" and delivery.error and "not sent" in delivery.error
    with ctx.uow() as uow:
        (event,) = [
            e for e in uow.audit.events() if e.content.action == "self_report_link_send_failed"
        ]
    assert event.content.reason == delivery.error
    assert issued.token not in _audit_text(ctx)


def test_a_send_is_refused_with_no_smtp_a_wrong_token_or_a_used_link(
    ctx: Container, clinic: Clinic, smtp: Any
) -> None:
    patient = register(ctx, clinic)
    schedule.enrol(ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, "mapp_v1", ENROLLED)
    issued = issue_self_report_link(ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id)
    other = issue_self_report_link(ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id)
    mailer = SmtpNotifier(smtp[0])
    before = row_counts(ctx.settings.database_url)
    with pytest.raises(Conflict, match="no SMTP server"):
        send_self_report_link(
            ctx.uow(), ctx.clock, clinic.coordinator_a, issued.link.id, issued.token, None, URL
        )
    with pytest.raises(InvalidInput) as refused:
        send_self_report_link(
            ctx.uow(), ctx.clock, clinic.coordinator_a, issued.link.id, other.token, mailer, URL
        )
    assert refused.value.field == "token"
    assert row_counts(ctx.settings.database_url) == before and not smtp[1].messages


def test_the_page_refuses_a_link_without_a_reason_and_says_when_email_is_not_set_up(
    ctx: Container, clinic: Clinic
) -> None:
    patient = register(ctx, clinic)  # not enrolled; no SMTP configured in this container
    with TestClient(create_app(ctx)) as client:
        csrf = signed_in(client, "c.a")
        before = row_counts(ctx.settings.database_url)
        refused = client.post(
            f"/patients/{patient.id}/self-report-links", data={"csrf_token": csrf}
        )
        assert refused.status_code == 422 and "say why the link is needed" in refused.text
        assert 'id="link-reason" name="reason"' in refused.text
        assert row_counts(ctx.settings.database_url) == before
        issued = client.post(
            f"/patients/{patient.id}/self-report-links",
            data={"csrf_token": csrf, "reason": "asked to fill in before enrolment"},
        )
        assert issued.status_code == 201
        assert "no visit" in issued.text and "asked to fill in before enrolment" in issued.text
        assert "no SMTP server is configured" in issued.text
        assert 'name="token"' not in issued.text  # no send form that cannot work
