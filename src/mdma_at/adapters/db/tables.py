"""The database schema (SQLAlchemy Core). Migrations in adapters/migrations mirror it."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from mdma_at.adapters.db.types import UtcDateTime
from mdma_at.adapters.sealed import SEALED_TABLE_NAMES

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

sites = Table(
    "sites",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(16), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    # --- bedside (issue 13): the site's local time and who is paged (migration 0010) ---
    Column("timezone", String(64), nullable=False, server_default="UTC"),
    Column("on_call_name", String(200)),
    Column("on_call_email", String(320)),
    Column("repage_minutes", Integer, nullable=False, server_default="5"),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("full_name", String(200), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
)

role_grants = Table(
    "role_grants",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("users.id"), nullable=False),
    Column("site_id", ForeignKey("sites.id"), nullable=False),
    Column("role", String(32), nullable=False),
    UniqueConstraint("user_id", "site_id", "role", name="uq_role_grants_user_site_role"),
)

login_sessions = Table(
    "login_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("users.id"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("users.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False),
    Column("address", String(64), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("succeeded", Boolean, nullable=False),
    Index("ix_login_attempts_username_at", "username", "at"),
    Index("ix_login_attempts_address_at", "address", "at"),
)

patients = Table(
    "patients",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", ForeignKey("sites.id"), nullable=False, index=True),
    Column("study_id", String(32), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("date_of_birth", Date, nullable=False),
    Column("sex", String(16), nullable=False),
    Column("phone", String(64), nullable=False, default=""),
    Column("email", String(200), nullable=False, default=""),
    Column("emergency_contact_name", String(200), nullable=False, default=""),
    Column("emergency_contact_phone", String(64), nullable=False, default=""),
)

enrolments = Table(
    "enrolments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", ForeignKey("patients.id"), nullable=False, index=True),
    Column("protocol", String(32), nullable=False),
    Column("enrolled_on", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("withdrawn_on", Date),
    Column("withdrawal_reason", Text),
)

visits = Table(
    "visits",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("enrolment_id", ForeignKey("enrolments.id"), nullable=False),
    Column("code", String(32), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("label", String(100), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("dosing_number", Integer),
    Column("target_date", Date, nullable=False),
    Column("window_start", Date, nullable=False),
    Column("window_end", Date, nullable=False),
    Column("planned_date", Date, nullable=False, index=True),
    Column("rescheduled", Boolean, nullable=False, default=False),
    Column("status", String(16), nullable=False),
    Column("held_on", Date),
    UniqueConstraint("enrolment_id", "code", name="uq_visits_enrolment_code"),
)

# --- the daily clinic worklist (issue 14, item 2; migration 0021, ADR 0142) ---
# A site's therapy and assessment rooms.
rooms = Table(
    "rooms",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", ForeignKey("sites.id"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    UniqueConstraint("site_id", "name", name="uq_rooms_site_name"),
)

# A visit's booked start and end (UTC), room and staff (user IDs, comma-separated); one per visit,
# changed in place when rebooked (the audit log keeps the earlier booking).
visit_bookings = Table(
    "visit_bookings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("visit_id", ForeignKey("visits.id"), nullable=False, unique=True),
    Column("starts_at", UtcDateTime, nullable=False, index=True),
    Column("ends_at", UtcDateTime, nullable=False),
    Column("room_id", ForeignKey("rooms.id"), nullable=False),
    Column("staff", String(200), nullable=False),
    Column("booked_by", ForeignKey("users.id"), nullable=False),
    Column("booked_at", UtcDateTime, nullable=False),
)

protocol_deviations = Table(
    "protocol_deviations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("enrolment_id", ForeignKey("enrolments.id"), nullable=False, index=True),
    Column("visit_id", ForeignKey("visits.id")),
    Column("kind", String(64), nullable=False),
    Column("description", Text, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("occurred_at", String(32), nullable=False),
    Column("actor_id", Integer),
    Column("actor", String(100), nullable=False),
    Column("role", String(32)),
    Column("site_id", Integer),
    Column("action", String(64), nullable=False),
    Column("entity_type", String(64), nullable=False),
    Column("entity_id", String(100)),
    Column("before", Text),
    Column("after", Text),
    Column("reason", Text),
    Column("sealed_rows", Text),  # digests of the append-only rows the write inserted (0005)
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_events_entity", "entity_type", "entity_id"),
)

# One row: the newest event's id and hash. Every append updates it, which serialises writers on
# PostgreSQL (row lock) and SQLite (one writer), so the chain never forks.
audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("last_id", Integer, nullable=False),
    Column("last_hash", String(64), nullable=False),
)

# --- instruments (issue 4) ---
# Self-report links: only the token's SHA-256 is stored; `used_at` makes a link single-use.
questionnaire_links = Table(
    "questionnaire_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", ForeignKey("patients.id"), nullable=False, index=True),
    Column("visit_id", ForeignKey("visits.id")),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("instruments", String(100), nullable=False),
    Column("created_by", ForeignKey("users.id")),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime),
    Column("reason", Text),  # why it was issued with nothing due (issue 14, item 7)
)

# Each attempt to send a link to the patient (issue 14, item 7): never the message, which holds
# the token, only where it went and what became of it.
questionnaire_link_deliveries = Table(
    "questionnaire_link_deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("link_id", ForeignKey("questionnaire_links.id"), nullable=False, index=True),
    Column("channel", String(16), nullable=False),
    Column("recipient", String(200), nullable=False),
    Column("status", String(16), nullable=False),
    Column("error", Text),
    Column("sent_by", ForeignKey("users.id")),
    Column("at", UtcDateTime, nullable=False),
)

# A completed instrument with its score; append-only (a correction is a new administration).
instrument_administrations = Table(
    "instrument_administrations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", ForeignKey("patients.id"), nullable=False, index=True),
    Column("visit_id", ForeignKey("visits.id")),
    Column("instrument", String(32), nullable=False),
    Column("version", String(100), nullable=False),
    Column("panel_loinc", String(16)),
    Column("total_loinc", String(16)),
    Column("completed_on", Date, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("entered_through", String(32), nullable=False),
    Column("entered_by", ForeignKey("users.id")),
    Column("link_id", ForeignKey("questionnaire_links.id")),
    Column("total", Integer),
    Column("severity", String(32)),
    Column("diagnosis", Boolean),
    Column("above_cutoff", Boolean),
    Column("prorated", Boolean, nullable=False),
    Column("criterion_f", Boolean),
    Column("criterion_g", Boolean),
    Column("result", Text, nullable=False),
)

# Item by item, with the item and answer LOINC codes of the definition that scored them.
instrument_item_answers = Table(
    "instrument_item_answers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "administration_id",
        ForeignKey("instrument_administrations.id"),
        nullable=False,
        index=True,
    ),
    Column("item_number", Integer, nullable=False),
    Column("item_label", String(8), nullable=False),
    Column("value", Integer),
    Column("item_loinc", String(16)),
    Column("answer_loinc", String(16)),
)

# Safety alerts raised by scores (append-only); open until an acknowledgement row exists.
instrument_alerts = Table(
    "instrument_alerts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", ForeignKey("patients.id"), nullable=False, index=True),
    Column("administration_id", ForeignKey("instrument_administrations.id"), nullable=False),
    Column("code", String(64), nullable=False),
    Column("level", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("item", Integer),
    Column("source", Text, nullable=False),
    Column("raised_at", UtcDateTime, nullable=False),
)

instrument_alert_acknowledgements = Table(
    "instrument_alert_acknowledgements",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("alert_id", ForeignKey("instrument_alerts.id"), nullable=False, unique=True),
    Column("acknowledged_by", ForeignKey("users.id"), nullable=False),
    Column("acknowledged_at", UtcDateTime, nullable=False),
    Column("action_taken", Text, nullable=False),
)

# --- screening (issue 3) ---
# A stored screening: the intake as screened and the verdict with every criterion (JSON text),
# never changed afterwards (append-only); a re-screening is a new row.
screenings = Table(
    "screenings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", ForeignKey("patients.id"), nullable=False, index=True),
    Column("protocol", String(32), nullable=False),
    Column("screening_date", Date, nullable=False),
    Column("intake", Text, nullable=False),
    Column("verdict", Text, nullable=False),
    Column("decision", String(32), nullable=False),
    Column("earliest_baseline", Date),
    Column("recorded_by", ForeignKey("users.id"), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
)

# The physician's signature on a screening (one per screening; append-only). `decision` is what
# was signed; `override_reason` is set when it differs from the engine's decision.
screening_signatures = Table(
    "screening_signatures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("screening_id", ForeignKey("screenings.id"), nullable=False, unique=True),
    Column("signed_by", ForeignKey("users.id"), nullable=False),
    Column("signed_at", UtcDateTime, nullable=False),
    Column("decision", String(32), nullable=False),
    Column("override_reason", Text),
)

# Versions of a site's consent document (append-only: a change is a new version).
consent_documents = Table(
    "consent_documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", ForeignKey("sites.id"), nullable=False, index=True),
    Column("title", String(200), nullable=False),
    Column("version", Integer, nullable=False),
    Column("effective_on", Date, nullable=False),
    Column("text", Text, nullable=False),
    Column("reference", String(500), nullable=False),
    Column("published_by", ForeignKey("users.id")),
    Column("published_at", UtcDateTime, nullable=False),
    UniqueConstraint("site_id", "version", name="uq_consent_documents_site_version"),
)

consent_signatures = Table(
    "consent_signatures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", ForeignKey("patients.id"), nullable=False, index=True),
    Column("document_id", ForeignKey("consent_documents.id"), nullable=False),
    Column("signed_name", String(200), nullable=False),
    Column("signed_at", UtcDateTime, nullable=False),
    Column("witness_id", ForeignKey("users.id"), nullable=False),
    Column("recorded_by", ForeignKey("users.id"), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
)

consent_withdrawals = Table(
    "consent_withdrawals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", ForeignKey("patients.id"), nullable=False, index=True),
    Column("withdrawn_at", UtcDateTime, nullable=False),
    Column("reason", Text, nullable=False),
    Column("recorded_by", ForeignKey("users.id"), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
)

# --- session (issue 5) ---
# One dosing session per dosing visit. The row holds what does not change once started, plus
# `status`/`closed_at`, set once by an allowed discharge. Locked FOR UPDATE by every entry so two
# writers on the same session queue up (SQLite already serialises writers with BEGIN IMMEDIATE).
dosing_sessions = Table(
    "dosing_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", ForeignKey("patients.id"), nullable=False, index=True),
    Column("visit_id", ForeignKey("visits.id"), nullable=False, unique=True),
    Column("protocol", String(32), nullable=False),
    Column("session_number", Integer, nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("started_by", ForeignKey("users.id")),
    Column("childbearing_potential", Boolean, nullable=False),
    Column("weight_kg", String(16)),
    Column("status", String(16), nullable=False),
    Column("closed_at", UtcDateTime),
)

# Everything that happened in a session, in the order it was recorded (append-only): vitals,
# dose and discharge requests with the rules' decision, overrides, acknowledgements, adverse
# events, notes, who was present, the pre-dose checklist. The session state is a fold over them.
dosing_session_events = Table(
    "dosing_session_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("session_id", ForeignKey("dosing_sessions.id"), nullable=False, index=True),
    Column("t", UtcDateTime, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("payload", Text, nullable=False),
    Column("allowed", Boolean),
    Column("reasons", Text),
    Column("recorded_by", ForeignKey("users.id")),
    Column("recorded_by_name", String(200), nullable=False),
    Column("role", String(32)),
    Column("recorded_at", UtcDateTime, nullable=False),
)


# --- bedside (issue 13): pages sent to the on-call physician, one row per channel ---
# Mutable on purpose: a page is pending, then sent or failed, and retried; each attempt is also
# an audit event, so the history survives in the audit chain (ADR 0121).
pages = Table(
    "pages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", ForeignKey("sites.id"), nullable=False, index=True),
    Column("patient_id", ForeignKey("patients.id"), nullable=False),
    Column("session_id", ForeignKey("dosing_sessions.id")),
    Column("safety_alert_id", ForeignKey("instrument_alerts.id")),
    Column("alert_key", String(120), nullable=False, index=True),
    Column("cause", String(32), nullable=False),
    Column("message", Text, nullable=False),
    Column("channel", String(16), nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("created_at", UtcDateTime, nullable=False),
    Column("next_attempt_at", UtcDateTime),
    Column("sent_at", UtcDateTime),
)

# --- controlled-substance register (issue 15) ---
# Every table here is append-only and sealed: containers as received, ledger movements (a
# correction is a new row linked to the one it reverses), counts, the discrepancies they open and
# their resolutions, closed periods and reconciled sessions. Balances are folded, never stored.
register_containers = Table(
    "register_containers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", ForeignKey("sites.id"), nullable=False, index=True),
    Column("kit_number", String(64), nullable=False),
    Column("supplier", String(200), nullable=False),
    Column("lot", String(64), nullable=False),
    Column("expiry", Date, nullable=False),
    Column("form", String(16), nullable=False),
    Column("strength", String(100), nullable=False),
    Column("contents", String(16), nullable=False),
    Column("location", String(200), nullable=False),
    Column("received_by", ForeignKey("users.id"), nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    UniqueConstraint("site_id", "kit_number", name="uq_register_containers_site_kit"),
)

register_movements = Table(
    "register_movements",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("container_id", ForeignKey("register_containers.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit", String(8), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("recorded_by", ForeignKey("users.id"), nullable=False),
    Column("session_id", ForeignKey("dosing_sessions.id"), index=True),
    Column("dispensing_id", ForeignKey("register_movements.id")),
    Column("linked_id", ForeignKey("register_movements.id")),
    Column("witness_id", ForeignKey("users.id")),
    Column("signed_off_by", ForeignKey("users.id")),
    Column("to_site_id", ForeignKey("sites.id")),
    Column("reason", Text, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
)

register_counts = Table(
    "register_counts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("container_id", ForeignKey("register_containers.id"), nullable=False, index=True),
    Column("counted", Integer, nullable=False),
    Column("expected", Integer, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("counted_by", ForeignKey("users.id"), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
)

register_discrepancies = Table(
    "register_discrepancies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("count_id", ForeignKey("register_counts.id"), nullable=False, unique=True),
    Column("container_id", ForeignKey("register_containers.id"), nullable=False, index=True),
    Column("difference", Integer, nullable=False),
    Column("opened_at", UtcDateTime, nullable=False),
)

register_resolutions = Table(
    "register_resolutions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("discrepancy_id", ForeignKey("register_discrepancies.id"), nullable=False, unique=True),
    Column("reason", Text, nullable=False),
    Column("resolved_by", ForeignKey("users.id"), nullable=False),
    Column("resolved_at", UtcDateTime, nullable=False),
    Column("adjustment_id", ForeignKey("register_movements.id")),
)

register_periods = Table(
    "register_periods",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", ForeignKey("sites.id"), nullable=False),
    Column("through", Date, nullable=False),
    Column("closed_by", ForeignKey("users.id"), nullable=False),
    Column("closed_at", UtcDateTime, nullable=False),
    UniqueConstraint("site_id", "through", name="uq_register_periods_site_through"),
)

# A dosing session whose study drug is all accounted for (dispensed = administered + returned +
# wasted); from then on nothing moves in or out of it.
register_session_closes = Table(
    "register_session_closes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("session_id", ForeignKey("dosing_sessions.id"), nullable=False, unique=True),
    Column("closed_by", ForeignKey("users.id"), nullable=False),
    Column("closed_at", UtcDateTime, nullable=False),
)

# --- site overrides of protocol defaults (issue 12, item 4; migration 0011) ---
# One row per change of a site's value for a protocol's site default; `value` NULL puts the
# protocol's own value back. The current value of a key is its latest row. Append-only and sealed.
site_protocol_values = Table(
    "site_protocol_values",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", ForeignKey("sites.id"), nullable=False, index=True),
    Column("protocol", String(32), nullable=False),
    Column("key", String(80), nullable=False),
    Column("value", Float),
    Column("reason", Text, nullable=False),
    Column("changed_by_id", ForeignKey("users.id")),
    Column("changed_by", String(200), nullable=False),
    Column("changed_at", UtcDateTime, nullable=False),
)

# The concomitant-medication list (issue 14, item 6; ADR 0137): one row per course; a restart is a
# new row. Only `stopped_on` is ever updated (stopping a course), and every write is audited.
concomitant_medications = Table(
    "concomitant_medications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", ForeignKey("patients.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("dose", String(200), nullable=False),
    Column("started_on", Date, nullable=False),
    Column("stopped_on", Date),
    Column("recorded_by", ForeignKey("users.id"), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
)

# Allergies (issue 14, item 3; ADR 0136): free text, or the coded "none_known" (code set, texts
# empty). Entries are added, never changed.
patient_allergies = Table(
    "patient_allergies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", ForeignKey("patients.id"), nullable=False, index=True),
    Column("code", String(32)),
    Column("substance", String(200), nullable=False),
    Column("reaction", String(200), nullable=False),
    Column("recorded_by", ForeignKey("users.id"), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
)


# --- therapy notes and check-ins (issue 14, items 4-5) ---
# A preparation or integration session's note, signed when stored and never changed (append-only,
# ADR 0138); one per visit. `present` holds the user IDs of the dyad, comma-separated.
therapy_notes = Table(
    "therapy_notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", ForeignKey("patients.id"), nullable=False, index=True),
    Column("visit_id", ForeignKey("visits.id"), nullable=False, unique=True),
    Column("session_on", Date, nullable=False),
    Column("themes", Text, nullable=False),
    Column("risks", Text, nullable=False),
    Column("plan", Text, nullable=False),
    Column("present", String(200), nullable=False),
    Column("duration_minutes", Integer, nullable=False),
    Column("signed_by", ForeignKey("users.id"), nullable=False),
    Column("signed_at", UtcDateTime, nullable=False),
)

# A later correction or completion of a note, with its reason (append-only).
therapy_note_addenda = Table(
    "therapy_note_addenda",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("note_id", ForeignKey("therapy_notes.id"), nullable=False, index=True),
    Column("reason", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("signed_by", ForeignKey("users.id"), nullable=False),
    Column("signed_at", UtcDateTime, nullable=False),
)

# A daily contact after a dosing session (append-only, ADR 0139); one per session and day. The
# C-SSRS screener it needed is an instrument administration of its own (the safety loop's path).
# Sleep is decimal text, like the session's weight, so both databases seal the same digest.
check_ins = Table(
    "check_ins",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", ForeignKey("patients.id"), nullable=False, index=True),
    Column("session_id", ForeignKey("dosing_sessions.id"), nullable=False),
    Column("day", Integer, nullable=False),
    Column("contact_on", Date, nullable=False),
    Column("mode", String(16), nullable=False),
    Column("suds", Integer, nullable=False),
    Column("sleep_hours", String(16), nullable=False),
    Column("suicidal_thoughts", Boolean, nullable=False),
    Column("ae_term", Text, nullable=False),
    Column("ae_severity", String(16)),
    Column("notes", Text, nullable=False),
    Column("screener_indicated", Boolean, nullable=False),
    Column("indication", Text, nullable=False),
    Column("administration_id", ForeignKey("instrument_administrations.id")),
    Column("recorded_by", ForeignKey("users.id"), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    UniqueConstraint("session_id", "day", name="uq_check_ins_session_day"),
)

# --- trials (issue 16, migration 0018) ---
# A study's design is one row; its schedule is the statistician's seed, stored only sealed
# (encrypted with the randomisation key, ADR 0160) beside a SHA-256 commitment. Participants,
# allocations and emergency unblindings are append-only and sealed: an allocation is irreversible.
studies = Table(
    "studies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(200), nullable=False, unique=True),
    Column("title", String(200), nullable=False),
    Column("protocol", String(64), nullable=False),
    Column("arms", Text, nullable=False),  # JSON [{"code", "name"}], in allocation order
    Column("target_size", Integer, nullable=False),
    Column("method", String(16), nullable=False),
    Column("block_sizes", String(64), nullable=False),  # "2,4"
    Column("factors", String(64), nullable=False),  # "site,caps5_band"
    Column("p_best", Float, nullable=False),
    Column("designated_physician_id", ForeignKey("users.id"), nullable=False),
    Column("sealed_seed", Text),
    Column("seed_commitment", String(64)),
    Column("created_by", ForeignKey("users.id"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

study_sites = Table(
    "study_sites",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("study_id", ForeignKey("studies.id"), nullable=False, index=True),
    Column("site_id", ForeignKey("sites.id"), nullable=False),
    UniqueConstraint("study_id", "site_id", name="uq_study_sites_study_site"),
)

study_participants = Table(
    "study_participants",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("study_id", ForeignKey("studies.id"), nullable=False, index=True),
    Column("patient_id", ForeignKey("patients.id"), nullable=False, index=True),
    Column("levels", Text, nullable=False),  # JSON {factor: level} at joining
    Column("joined_by", ForeignKey("users.id"), nullable=False),
    Column("joined_at", UtcDateTime, nullable=False),
    UniqueConstraint("study_id", "patient_id", name="uq_study_participants_study_patient"),
)

study_allocations = Table(
    "study_allocations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("study_id", ForeignKey("studies.id"), nullable=False, index=True),
    Column("participant_id", ForeignKey("study_participants.id"), nullable=False, unique=True),
    Column("position", Integer, nullable=False),
    Column("stratum", String(200), nullable=False),
    Column("arm", String(32), nullable=False),
    Column("allocated_by", ForeignKey("users.id"), nullable=False),
    Column("allocated_at", UtcDateTime, nullable=False),
    UniqueConstraint("study_id", "position", name="uq_study_allocations_study_position"),
)

unblinding_requests = Table(
    "unblinding_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("participant_id", ForeignKey("study_participants.id"), nullable=False, index=True),
    Column("reason", Text, nullable=False),
    Column("requested_by", ForeignKey("users.id"), nullable=False),
    Column("requested_at", UtcDateTime, nullable=False),
)

unblinding_approvals = Table(
    "unblinding_approvals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("request_id", ForeignKey("unblinding_requests.id"), nullable=False, unique=True),
    Column("approved_by", ForeignKey("users.id"), nullable=False),
    Column("approved_at", UtcDateTime, nullable=False),
)

# --- research exports (issue 17, item 3; migration 0025): each patient's research pseudonym and
# date shift, set once. Never exported: it is the key that links a research set back.
research_keys = Table(
    "research_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", ForeignKey("patients.id"), nullable=False, unique=True),
    Column("research_id", String(16), nullable=False, unique=True),
    Column("day_shift", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# --- raters and the blinding assessment (issue 16 items 4-5, migration 0022) ---
# A CAPS-5 rating of a participant's visit assigned to a rater off their therapy team; a later
# row for the same visit replaces the assignment (the rows are append-only and sealed). No arm here.
rating_assignments = Table(
    "rating_assignments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("study_id", ForeignKey("studies.id"), nullable=False, index=True),
    Column("participant_id", ForeignKey("study_participants.id"), nullable=False),
    Column("patient_id", ForeignKey("patients.id"), nullable=False),
    Column("visit_id", ForeignKey("visits.id"), nullable=False, index=True),
    Column("rater_id", ForeignKey("users.id"), nullable=False, index=True),
    Column("assigned_by", ForeignKey("users.id"), nullable=False),
    Column("assigned_at", UtcDateTime, nullable=False),
)

# One guess of the arm per person (`respondent_key`: "participant", "therapist:7", "rater:9")
# per participant and time point (a visit code: es1..es3, primary). The guess, never the arm.
blinding_guesses = Table(
    "blinding_guesses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("study_id", ForeignKey("studies.id"), nullable=False, index=True),
    Column("participant_id", ForeignKey("study_participants.id"), nullable=False),
    Column("time_point", String(32), nullable=False),
    Column("respondent", String(16), nullable=False),
    Column("respondent_id", ForeignKey("users.id")),
    Column("respondent_key", String(48), nullable=False),
    Column("guess", String(16), nullable=False),
    Column("confidence", String(16)),
    Column("recorded_by", ForeignKey("users.id"), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    UniqueConstraint(
        "participant_id", "time_point", "respondent_key", name="uq_blinding_guesses_person"
    ),
)


# The clinical tables the database keeps append-only (triggers; on PostgreSQL also no UPDATE or
# DELETE grant to the runtime role). Every row inserted into one is sealed into the audit chain
# (its digest goes into the event of the write), so `audit verify` detects a changed, deleted or
# smuggled-in row. audit_events itself is append-only too, and covered by its own hash chain.
# The list of names lives in adapters/sealed.py, shared with the in-memory store.
SEALED_TABLES = tuple(metadata.tables[name] for name in SEALED_TABLE_NAMES)
APPEND_ONLY_TABLES = (audit_events, *SEALED_TABLES)


# An expedited safety report marked submitted (issue 17, item 4; migration 0026): one per serious
# adverse event (its session entry); the dashboard's 7- and 15-day clocks stop when it exists.
safety_report_submissions = Table(
    "safety_report_submissions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("entry_id", ForeignKey("dosing_session_events.id"), nullable=False, unique=True),
    Column("submitted_on", Date, nullable=False),
    Column("submitted_to", String(200), nullable=False),
    Column("reference", String(200), nullable=False),
    Column("recorded_by", ForeignKey("users.id"), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
)
