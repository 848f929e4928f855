"""Self-report links end to end through the real services, on SQLite and PostgreSQL."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text

from mdma_at.adapters.db import tables as t
from mdma_at.bootstrap import Container
from mdma_at.domain.errors import InvalidInput, NotFound
from mdma_at.domain.measurement.links import LinkState
from mdma_at.services.access.auth import token_digest
from mdma_at.services.audit import verify_audit_chain
from mdma_at.services.measurement.self_report import (
    issue_self_report_link,
    open_self_report,
    submit_self_report,
)
from mdma_at.services.patients import schedule
from support.clinic import Clinic, register

ENROLLED = date(2026, 6, 1)  # the test clock reads 2026-11-22
PCL5 = [
    "3",
    "2",
    "1",
    "3",
    "2",
    "3",
    "2",
    "1",
    "0",
    "2",
    "3",
    "2",
    "1",
    "2",
    "3",
    "1",
    "2",
    "3",
    "2",
    "1",
]


def _count(ctx: Container, table: t.Table) -> int:
    with ctx.engine.connect() as db:
        return int(db.execute(select(func.count()).select_from(table)).scalar_one())


@pytest.fixture
def enrolled(ctx: Container, clinic: Clinic):  # type: ignore[no-untyped-def]
    patient = register(ctx, clinic)
    _, visits = schedule.enrol(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, "mapp_v1", ENROLLED
    )
    return patient, {v.code: v for v in visits}


def test_a_link_stores_only_the_hash_of_its_token_and_expires_after_seven_days(
    ctx, clinic, enrolled
) -> None:
    patient, visits = enrolled
    issued = issue_self_report_link(ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id)
    with ctx.engine.connect() as db:
        stored = db.execute(select(t.questionnaire_links)).one()
    assert stored.token_hash == token_digest(issued.token) != issued.token
    assert len(issued.token) >= 43  # 256 random bits, URL-safe base64
    assert issued.link.expires_at - issued.link.created_at == timedelta(days=7)
    assert issued.link.instruments == ("phq9", "gad7", "pcl5")
    # the most urgent visit with self-report questionnaires overdue: the first preparation visit
    assert issued.link.visit_id == visits["prep1"].id


def test_answers_at_a_link_are_stored_item_by_item_with_version_and_loinc_codes(
    ctx, clinic, enrolled
) -> None:
    patient, visits = enrolled
    issued = issue_self_report_link(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, visit_id=visits["baseline"].id
    )
    result = submit_self_report(ctx.uow(), ctx.clock, issued.token, {"pcl5": PCL5})
    assert result.verdict.usable
    (stored,) = result.stored
    administration = stored.administration
    assert administration.instrument == "pcl5"
    assert administration.score.total == 39
    assert administration.score.diagnosis is True
    assert administration.panel_loinc == "101697-1"
    assert administration.total_loinc == "101698-9"
    assert administration.visit_id == visits["baseline"].id
    with ctx.uow() as uow:
        answers = uow.administrations.answers(administration.id)
    assert [a.value for a in answers] == [int(x) for x in PCL5]
    assert [a.number for a in answers] == list(range(1, 21))
    assert administration.version


def test_phq9_answers_carry_their_item_and_answer_loinc_codes(ctx, clinic, enrolled) -> None:
    patient, _ = enrolled
    issued = issue_self_report_link(ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id)
    result = submit_self_report(
        ctx.uow(), ctx.clock, issued.token, {"phq9": ["1", "2", "0", "0", "1", "0", "0", "0", "0"]}
    )
    with ctx.uow() as uow:
        answers = uow.administrations.answers(result.stored[0].administration.id)
    assert answers[0].loinc == "44250-9"
    assert answers[0].answer_loinc == "LA6569-3"  # "Several days"
    assert answers[8].loinc == "44260-8"
    assert result.stored[0].administration.panel_loinc == "44249-1"
    assert result.stored[0].administration.total_loinc == "44261-6"


def test_a_link_works_once_a_reused_link_is_refused_and_nothing_more_is_stored(
    ctx, clinic, enrolled
) -> None:
    patient, _ = enrolled
    issued = issue_self_report_link(ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id)
    submit_self_report(ctx.uow(), ctx.clock, issued.token, {"pcl5": PCL5})
    again = submit_self_report(ctx.uow(), ctx.clock, issued.token, {"pcl5": PCL5})
    assert again.verdict.state is LinkState.USED
    assert "already been used" in again.verdict.reason
    assert again.stored == ()
    assert _count(ctx, t.instrument_administrations) == 1
    assert open_self_report(ctx.uow(), ctx.clock, issued.token).instruments == ()


def test_an_expired_link_is_refused_with_its_date_and_nothing_is_stored(
    ctx, clinic, enrolled
) -> None:
    patient, _ = enrolled
    issued = issue_self_report_link(ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id)
    ctx.clock.advance(days=7)
    result = submit_self_report(ctx.uow(), ctx.clock, issued.token, {"pcl5": PCL5})
    assert result.verdict.state is LinkState.EXPIRED
    assert "expired on 29 Nov 2026" in result.verdict.reason
    assert _count(ctx, t.instrument_administrations) == 0


def test_a_link_one_second_before_expiry_still_works(ctx, clinic, enrolled) -> None:
    patient, _ = enrolled
    issued = issue_self_report_link(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, days_valid=1
    )
    ctx.clock.advance(days=1, seconds=-1)
    assert open_self_report(ctx.uow(), ctx.clock, issued.token).verdict.usable


def test_an_unknown_token_is_refused(ctx, clinic, enrolled) -> None:
    result = submit_self_report(ctx.uow(), ctx.clock, "not-a-token", {"pcl5": PCL5})
    assert result.verdict.state is LinkState.UNKNOWN
    assert _count(ctx, t.instrument_administrations) == 0


def test_an_item_out_of_range_is_refused_naming_it_and_the_link_stays_usable(
    ctx, clinic, enrolled
) -> None:
    patient, _ = enrolled
    issued = issue_self_report_link(ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id)
    answers = {"pcl5": PCL5, "phq9": ["1", "1", "5", "0", "0", "0", "0", "0", "0"]}
    with pytest.raises(InvalidInput) as refused:
        submit_self_report(ctx.uow(), ctx.clock, issued.token, answers)
    assert refused.value.field == "phq9.items[3]"
    assert refused.value.reason == "5 is outside 0–3"
    assert _count(ctx, t.instrument_administrations) == 0
    assert open_self_report(ctx.uow(), ctx.clock, issued.token).verdict.usable


def test_a_non_numeric_answer_and_a_wrong_count_are_refused(ctx, clinic, enrolled) -> None:
    patient, _ = enrolled
    issued = issue_self_report_link(ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id)
    with pytest.raises(InvalidInput, match=r"'x' is not a number") as refused:
        submit_self_report(
            ctx.uow(), ctx.clock, issued.token, {"gad7": ["1", "x", "0", "0", "0", "0", "0"]}
        )
    assert refused.value.field == "gad7.items[2]"
    with pytest.raises(InvalidInput, match="GAD-7 has 7 items, got 3 answers"):
        submit_self_report(ctx.uow(), ctx.clock, issued.token, {"gad7": ["1", "1", "1"]})
    with pytest.raises(InvalidInput, match="no questions were answered"):
        submit_self_report(ctx.uow(), ctx.clock, issued.token, {"gad7": [""] * 7})
    assert _count(ctx, t.instrument_administrations) == 0


def test_a_link_used_for_another_patient_is_refused(ctx, clinic, enrolled) -> None:
    patient, _ = enrolled
    other = register(ctx, clinic, "HC-0002")
    issued = issue_self_report_link(ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id)
    with pytest.raises(InvalidInput, match="issued for another patient"):
        submit_self_report(
            ctx.uow(), ctx.clock, issued.token, {"pcl5": PCL5}, for_patient_id=other.id
        )
    assert _count(ctx, t.instrument_administrations) == 0


def test_a_link_cannot_be_issued_at_another_site_or_for_longer_than_thirty_days(
    ctx, clinic, enrolled
) -> None:
    patient, _ = enrolled
    with pytest.raises(NotFound):  # another site's patient is not there (issue 10)
        issue_self_report_link(ctx.uow(), ctx.clock, clinic.therapist_b, patient.id)
    with pytest.raises(InvalidInput, match="31 is outside 1–30 days"):
        issue_self_report_link(
            ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, days_valid=31
        )
    assert _count(ctx, t.questionnaire_links) == 0


def test_stored_answers_cannot_be_rewritten_and_the_audit_chain_holds(
    ctx, clinic, enrolled
) -> None:
    patient, _ = enrolled
    issued = issue_self_report_link(ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id)
    submit_self_report(ctx.uow(), ctx.clock, issued.token, {"pcl5": PCL5})
    with pytest.raises(Exception, match="append-only"), ctx.engine.begin() as db:
        db.execute(text("UPDATE instrument_item_answers SET value = 0"))
    assert verify_audit_chain(ctx.uow()).intact


def test_a_prorated_pcl5_is_stored_and_read_back_saying_so_and_provisional(
    ctx, clinic, enrolled
) -> None:
    """Issue 9, item 13: the stored result keeps prorated, missing_items and provisional."""
    patient, _ = enrolled
    issued = issue_self_report_link(ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id)
    answers = [*PCL5[:19], ""]  # item 20 left blank
    (stored,) = submit_self_report(ctx.uow(), ctx.clock, issued.token, {"pcl5": answers}).stored
    with ctx.uow() as uow:
        again = uow.administrations.get(stored.administration.id)
    assert again is not None
    # The 19 answered items of PCL5 sum to 39 - 1 = 38; 38 x 20 / 19 = 40 exactly.
    assert (again.score.total, again.score.prorated, again.score.missing_items) == (40, True, (20,))
    assert again.score.provisional is True
    assert again.score.to_dict()["missing_items"] == [20]
