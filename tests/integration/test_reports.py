"""The regulators' and ethics committee's reports (issue 17, item 4) over a small clinic built
here, so every expected count comes from what the test itself recorded (named at each assert)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from mdma_at.bootstrap import Container
from mdma_at.domain.dosing.records import DosingSession, EntryKind
from mdma_at.domain.errors import InvalidInput, NotFound, PermissionDenied
from mdma_at.domain.staff import Role
from mdma_at.services.access.auth import load_principal
from mdma_at.services.access.staff import add_user
from mdma_at.services.patients import schedule
from mdma_at.services.reports.monitoring import monitoring_forms
from mdma_at.services.reports.prescriber import authorised_prescriber_report
from mdma_at.services.reports.progress import progress_summary
from mdma_at.services.reports.safety import mark_submitted, open_clocks, safety_reports
from mdma_at.services.reports.visibility import shown
from mdma_at.services.sessions.recording import record_entry
from support.clinic import OPERATOR, PASSWORD, Clinic, register
from support.db import row_counts
from support.dosing_day import session_ready_to_dose

# The fixed clock's day (support/clock.py): the dose, both adverse events and the deviation.
TODAY = date(2026, 11, 22)
SECOND_HALF = (date(2026, 7, 1), date(2026, 12, 31))  # a TGA reporting period [S60]
FIRST_HALF = (date(2026, 1, 1), date(2026, 6, 30))  # before anything below happened
SERIOUS = {
    "term": "Chest pain or tightness",
    "category": "cardiovascular",
    "severity": "severe",
    "serious": True,
    "relatedness": "possible",
    "outcome": "resolving",
}
MILD = {
    "term": "Nausea",
    "category": "other",
    "severity": "mild",
    "relatedness": "probable",
    "outcome": "resolved",
}


@pytest.fixture
def dosed(ctx: Container, clinic: Clinic) -> DosingSession:
    """HC-0001 given 80 mg, then one serious and one mild adverse event; HC-0002 enrolled, with
    its first preparation visit recorded months outside its window (one deviation)."""
    session = session_ready_to_dose(ctx, clinic, "HC-0001")
    now = ctx.clock.now()
    for minutes, kind, raw in (
        (-1, EntryKind.REQUEST_INITIAL, {"mg": 80}),
        (0, EntryKind.ADVERSE_EVENT, SERIOUS),
        (0, EntryKind.ADVERSE_EVENT, MILD),
    ):
        at = (now + timedelta(minutes=minutes)).isoformat()
        record_entry(ctx.uow(), ctx.clock, clinic.therapist_a, session.id, kind, raw, at)
    other = register(ctx, clinic, study_id="HC-0002")
    _, visits = schedule.enrol(
        ctx.uow(), ctx.clock, clinic.coordinator_a, other.id, "mapp_v1", date(2026, 6, 1)
    )
    prep1 = next(v for v in visits if v.code == "prep1")
    schedule.record_visit(ctx.uow(), ctx.clock, clinic.coordinator_a, prep1.id, TODAY)
    return session


def test_the_authorised_prescriber_report_counts_the_period(
    ctx: Container, clinic: Clinic, dosed: DosingSession
) -> None:
    report = authorised_prescriber_report(ctx.uow(), ctx.clock, clinic.physician_a, *SECOND_HALF)
    # HC-0001 alone was dosed (once, today), for the first time ever; es1 is not the last
    # dosing session of mapp_v1's three, so no course is complete.
    assert (report.patients_treated, report.new_patients, report.courses_completed) == (1, 1, 0)
    assert [t.study_id for t in report.treated] == ["HC-0001"]
    # the two adverse events charted above, one of them serious
    assert (len(report.adverse_events), report.serious_adverse_events) == (2, 1)
    assert dict(report.adverse_events_by_category) == {"cardiovascular": 1, "other": 1}
    # HC-0002's preparation 1, held today, months after its window
    assert [(sid, d.visit_id is not None) for sid, d in report.deviations] == [("HC-0002", True)]
    assert report.generated_by == "DR.A (dr.a)"
    earlier = authorised_prescriber_report(ctx.uow(), ctx.clock, clinic.coordinator_a, *FIRST_HALF)
    # nothing above happened before July
    assert (earlier.patients_treated, len(earlier.adverse_events), earlier.deviations) == (0, 0, ())


def test_the_monitoring_form_holds_the_session(
    ctx: Container, clinic: Clinic, dosed: DosingSession
) -> None:
    (form,) = monitoring_forms(ctx.uow(), ctx.clock, clinic.coordinator_a, *SECOND_HALF).forms
    assert form.session_id == dosed.id and form.patient.study_id == "HC-0001"
    # the 80 mg initial dose recorded above, given without a kit (nothing was dispensed)
    assert [(d.which, d.mg, d.kit_number) for d in form.doses] == [("initial", 80.0, None)]
    # support/dosing_day.py records one set of vitals; the two adverse events above
    assert (len(form.vitals), len(form.adverse_events)) == (1, 2)
    # support/dosing_day.py: the physician confirmed the checklist, the therapist charted the rest
    assert {(name, role) for name, role, _ in form.providers} == {
        ("DR.A", "physician"),
        ("T.A", "therapist"),
    }
    # still in the clinic: no discharge, so no monitored duration yet
    assert (form.discharge, form.monitored) == (None, None)
    assert form.minimum_monitoring == timedelta(hours=8)  # FDA's proposed REMS [S35]


def test_a_serious_event_has_its_clocks_until_marked_submitted(
    ctx: Container, clinic: Clinic, dosed: DosingSession
) -> None:
    (report,) = safety_reports(ctx.uow(), ctx.clock, clinic.physician_a, *SECOND_HALF).reports
    assert report.event.details["term"] == "Chest pain or tightness"
    short, long = report.clocks
    # charted today (2026-11-22): 7 and 15 calendar days later [S61]
    assert (short.due, long.due) == (date(2026, 11, 29), date(2026, 12, 7))
    assert (short.days_left, long.days_left) == (7, 15)
    assert not short.applies and long.applies  # not fatal: the 7-day clock is the reporter's call
    assert [r.event.entry.id for r in open_clocks(ctx.uow(), ctx.clock, clinic.coordinator_a)] == [
        report.event.entry.id
    ]
    mark_submitted(
        ctx.uow(),
        ctx.clock,
        clinic.physician_a,
        report.event.entry.id,
        submitted_on=TODAY,
        submitted_to="TGA",
        reference="AER-2026-001",
    )
    assert open_clocks(ctx.uow(), ctx.clock, clinic.coordinator_a) == ()
    # one submission per event; a therapist may not mark one, nor see one at another site
    for who, refusal in (
        (clinic.physician_a, InvalidInput),
        (clinic.therapist_a, PermissionDenied),
        (clinic.therapist_b, NotFound),
    ):
        with pytest.raises(refusal):
            mark_submitted(
                ctx.uow(), ctx.clock, who, report.event.entry.id,
                submitted_on=TODAY, submitted_to="HREC", reference="again",
            )  # fmt: skip
    (sent,) = safety_reports(ctx.uow(), ctx.clock, clinic.physician_a, *SECOND_HALF).reports
    assert sent.submission is not None and sent.submission.reference == "AER-2026-001"
    summary = progress_summary(ctx.uow(), ctx.clock, clinic.coordinator_a, *SECOND_HALF)
    assert summary.reports_submitted == 1


def test_the_progress_summary(ctx: Container, clinic: Clinic, dosed: DosingSession) -> None:
    summary = progress_summary(
        ctx.uow(), ctx.clock, clinic.coordinator_a, *FIRST_HALF[:1], SECOND_HALF[1]
    )
    # both patients were enrolled on 2026-06-01 and are still active
    assert (summary.registered, summary.enrolled_in_period, summary.active_at_end) == (2, 2, 2)
    # one session charted with one dose; one visit held (HC-0002's prep1); one deviation
    assert (summary.sessions_charted, summary.doses_given, summary.visits_held) == (1, 1, 1)
    assert (len(summary.adverse_events), summary.serious, len(summary.deviations)) == (2, 1, 1)
    assert dict(summary.by_severity) == {"mild": 1, "moderate": 0, "severe": 1}
    assert summary.reports_submitted == 0


def test_a_period_ending_before_it_starts_is_refused_and_writes_nothing(
    ctx: Container, clinic: Clinic, migrated_database_url: str
) -> None:
    before = row_counts(migrated_database_url)
    for report in (
        authorised_prescriber_report,
        monitoring_forms,
        safety_reports,
        progress_summary,
    ):
        with pytest.raises(InvalidInput) as refused:
            report(ctx.uow(), ctx.clock, clinic.coordinator_a, date(2026, 7, 1), date(2026, 6, 30))
        assert refused.value.field == "to"
    assert row_counts(migrated_database_url) == before


def test_a_therapist_may_not_produce_reports(
    ctx: Container, clinic: Clinic, migrated_database_url: str
) -> None:
    before = row_counts(migrated_database_url, ignore=("audit_events",))
    with pytest.raises(PermissionDenied):
        authorised_prescriber_report(ctx.uow(), ctx.clock, clinic.therapist_a, *SECOND_HALF)
    assert row_counts(migrated_database_url, ignore=("audit_events",)) == before


def test_a_bad_submission_is_refused_and_stores_nothing(
    ctx: Container, clinic: Clinic, dosed: DosingSession, migrated_database_url: str
) -> None:
    (report,) = safety_reports(ctx.uow(), ctx.clock, clinic.physician_a, *SECOND_HALF).reports
    entry_id = report.event.entry.id
    before = row_counts(migrated_database_url)
    for submitted_on, to, field in (
        (TODAY + timedelta(days=1), "TGA", "submitted_on"),  # the future
        (TODAY - timedelta(days=1), "TGA", "submitted_on"),  # before the event was charted
        (TODAY, "  ", "submitted_to"),
    ):
        with pytest.raises(InvalidInput) as refused:
            mark_submitted(
                ctx.uow(),
                ctx.clock,
                clinic.physician_a,
                entry_id,
                submitted_on=submitted_on,
                submitted_to=to,
                reference="R",
            )
        assert refused.value.field == field
    assert row_counts(migrated_database_url) == before
    assert datetime(2026, 11, 22, tzinfo=UTC).date() == TODAY


def test_blinded_readers_get_no_lot_contents_or_arm(ctx: Container, clinic: Clinic) -> None:
    """ADR 0110, 0161 and 0165: only the pharmacist sees what a kit holds, only the statistician
    the arm."""
    member = add_user(
        ctx.uow(), ctx.clock, ctx.hasher, OPERATOR, username="ph.a", full_name="PH.A",
        password=PASSWORD, grants=[("SITE-A", Role.PHARMACIST)],
    )  # fmt: skip
    with ctx.uow() as uow:
        pharmacist = load_principal(uow, member.id)
    fields = {"kit_number": "K-1", "lot": "L-7", "contents": "placebo", "arm": "B"}
    site = clinic.site_a.id
    for blinded in (clinic.coordinator_a, clinic.physician_a, clinic.therapist_a):
        with ctx.uow() as uow:
            assert shown(uow, blinded, 1, site, fields) == {
                "kit_number": "K-1", "lot": None, "contents": None, "arm": None,
            }  # fmt: skip
    with ctx.uow() as uow:
        assert shown(uow, pharmacist, 1, site, fields) == {**fields, "arm": None}
