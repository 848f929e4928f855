"""Who may do what, where: the clinic's access policy as data (ADR 0004).

A permission is granted by a role held *at the patient's site*: a therapist at site A holds no role
at site B, so nothing at site B is visible to them. Raters and statisticians get no identifiable
patient data here (blinded and analysis roles: their views come in later issues). This table is a
site default chosen for least privilege; no regulation prescribes it.
"""

from __future__ import annotations

from enum import StrEnum

from mdma_at.domain.errors import PermissionDenied
from mdma_at.domain.staff import Principal, Role


class Action(StrEnum):
    VIEW_PATIENTS = "view_patients"
    REGISTER_PATIENT = "register_patient"
    ENROL = "enrol"
    RECORD_VISIT = "record_visit"
    RESCHEDULE_VISIT = "reschedule_visit"
    BOOK_VISIT = "book_visit"
    VIEW_WORKLIST = "view_worklist"
    WITHDRAW = "withdraw"
    MANAGE_STAFF = "manage_staff"
    VERIFY_AUDIT = "verify_audit"
    # session (issue 5)
    VIEW_SESSION = "view_session"
    RUN_SESSION = "run_session"
    CONFIRM_PRE_DOSE = "confirm_pre_dose"
    OVERRIDE_SESSION_RULE = "override_session_rule"
    ACKNOWLEDGE_VITALS_ALERT = "acknowledge_vitals_alert"
    # screening (issue 3)
    SCREEN = "screen"
    SIGN_SCREENING = "sign_screening"
    RECORD_CONSENT = "record_consent"
    PUBLISH_CONSENT_DOCUMENT = "publish_consent_document"
    # instruments (issue 4)
    VIEW_MEASURES = "view_measures"
    ISSUE_SELF_REPORT_LINK = "issue_self_report_link"
    SEND_SELF_REPORT_LINK = "send_self_report_link"
    ENTER_CLINICIAN_INSTRUMENT = "enter_clinician_instrument"
    ACKNOWLEDGE_SAFETY_ALERT = "acknowledge_safety_alert"
    VIEW_RATINGS = "view_ratings"
    # controlled-substance register (issue 15)
    VIEW_STOCK = "view_stock"
    VIEW_UNBLINDED_STOCK = "view_unblinded_stock"
    MANAGE_STOCK = "manage_stock"
    ADMINISTER_DOSE = "administer_dose"
    WITNESS_WASTE = "witness_waste"
    SIGN_OFF_ADJUSTMENT = "sign_off_adjustment"
    RECONCILE_SESSION = "reconcile_session"
    # site overrides of protocol defaults (issue 12, item 4)
    SET_SITE_PROTOCOL = "set_site_protocol"
    # work-up (issue 14, items 3 and 6)
    RECORD_CONCOMITANT_MEDICATION = "record_concomitant_medication"
    RECORD_ALLERGY = "record_allergy"
    # preparation and integration notes, check-ins after dosing (issue 14, items 4-5)
    VIEW_THERAPY_NOTES = "view_therapy_notes"
    SIGN_THERAPY_NOTE = "sign_therapy_note"
    ADD_NOTE_ADDENDUM = "add_note_addendum"
    VIEW_CHECK_INS = "view_check_ins"
    RECORD_CHECK_IN = "record_check_in"
    # trials (issue 16)
    MANAGE_STUDY = "manage_study"
    VIEW_STUDY = "view_study"
    ENROL_IN_STUDY = "enrol_in_study"
    RANDOMISE = "randomise"
    SEAL_SCHEDULE = "seal_schedule"
    VIEW_ALLOCATION = "view_allocation"
    REQUEST_UNBLINDING = "request_unblinding"
    APPROVE_UNBLINDING = "approve_unblinding"
    # data that leaves the system (issue 17)
    EXPORT_SDTM = "export_sdtm"
    EXPORT_RESEARCH = "export_research"
    EXPORT_FHIR = "export_fhir"
    # reports for regulators and ethics committees (issue 17, item 4)
    VIEW_REPORTS = "view_reports"
    SUBMIT_SAFETY_REPORT = "submit_safety_report"
    # independent raters and the blinding assessment (issue 16, items 4-5)
    ASSIGN_RATER = "assign_rater"
    RECORD_BLINDING_GUESS = "record_blinding_guess"


_CLINICAL = frozenset({Role.PHYSICIAN, Role.THERAPIST, Role.COORDINATOR})

PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.VIEW_PATIENTS: _CLINICAL | {Role.PHARMACIST, Role.ADMIN},
    Action.REGISTER_PATIENT: frozenset({Role.COORDINATOR, Role.PHYSICIAN, Role.ADMIN}),
    Action.ENROL: frozenset({Role.COORDINATOR, Role.PHYSICIAN}),
    Action.RECORD_VISIT: _CLINICAL,
    Action.RESCHEDULE_VISIT: frozenset({Role.COORDINATOR, Role.PHYSICIAN}),
    # the day's clinic (issue 14, item 2; ADR 0142): whoever may move a visit books its time,
    # room and staff; the clinical team works from the worklist
    Action.BOOK_VISIT: frozenset({Role.COORDINATOR, Role.PHYSICIAN}),
    Action.VIEW_WORKLIST: _CLINICAL,
    Action.WITHDRAW: frozenset({Role.COORDINATOR, Role.PHYSICIAN}),
    Action.MANAGE_STAFF: frozenset({Role.ADMIN}),
    Action.VERIFY_AUDIT: frozenset({Role.ADMIN}),
    # session (issue 5): the dyad and the physician run the session; only a physician
    # confirms the pre-dose checklist, overrides a rule or acknowledges a vital-sign alert
    Action.VIEW_SESSION: _CLINICAL,
    Action.RUN_SESSION: frozenset({Role.PHYSICIAN, Role.THERAPIST}),
    Action.CONFIRM_PRE_DOSE: frozenset({Role.PHYSICIAN}),
    Action.OVERRIDE_SESSION_RULE: frozenset({Role.PHYSICIAN}),
    Action.ACKNOWLEDGE_VITALS_ALERT: frozenset({Role.PHYSICIAN}),
    # screening (issue 3): the intake is clinical work; only a physician signs (or overrides) the
    # verdict; consent is taken by clinical staff; the site's consent text by admins/coordinators
    Action.SCREEN: _CLINICAL,
    Action.SIGN_SCREENING: frozenset({Role.PHYSICIAN}),
    Action.RECORD_CONSENT: _CLINICAL,
    Action.PUBLISH_CONSENT_DOCUMENT: frozenset({Role.ADMIN, Role.COORDINATOR}),
    # instruments (issue 4): scores, trajectories and open alerts are part of the clinical record;
    # a rater rates the CAPS-5 (and C-SSRS) but sees no identifiable record here (ADR 0004);
    # only a physician closes a safety alert (issue 4, item 5)
    Action.VIEW_MEASURES: _CLINICAL,
    Action.ISSUE_SELF_REPORT_LINK: frozenset({Role.COORDINATOR, Role.PHYSICIAN, Role.THERAPIST}),
    # sending a link by email to the patient: whoever may issue it (issue 14, item 7)
    Action.SEND_SELF_REPORT_LINK: frozenset({Role.COORDINATOR, Role.PHYSICIAN, Role.THERAPIST}),
    Action.ENTER_CLINICIAN_INSTRUMENT: frozenset({Role.PHYSICIAN, Role.THERAPIST, Role.RATER}),
    Action.ACKNOWLEDGE_SAFETY_ALERT: frozenset({Role.PHYSICIAN}),
    # the blinded rater's worklist of CAPS-5 ratings (issue 14): study IDs and visits only;
    # clinicians reach the same forms from the chart
    Action.VIEW_RATINGS: frozenset({Role.RATER}),
    # register (issue 15): the pharmacist keeps the register and is the one unblinded role (the
    # others see kit numbers, never contents: ADR 0110); the dose is given by the session's
    # clinicians; any clinical colleague or pharmacist at the site may witness a waste; an
    # adjustment is signed off by a pharmacist or physician (issue 15, item 2)
    Action.VIEW_STOCK: frozenset({Role.PHARMACIST, Role.PHYSICIAN, Role.THERAPIST}),
    Action.VIEW_UNBLINDED_STOCK: frozenset({Role.PHARMACIST}),
    Action.MANAGE_STOCK: frozenset({Role.PHARMACIST}),
    Action.ADMINISTER_DOSE: frozenset({Role.PHYSICIAN, Role.THERAPIST}),
    Action.WITNESS_WASTE: _CLINICAL | {Role.PHARMACIST},
    Action.SIGN_OFF_ADJUSTMENT: frozenset({Role.PHARMACIST, Role.PHYSICIAN}),
    Action.RECONCILE_SESSION: frozenset({Role.PHARMACIST, Role.PHYSICIAN}),
    # a site's own values for the protocol's site defaults: the site's administrator (ADR 0090)
    Action.SET_SITE_PROTOCOL: frozenset({Role.ADMIN}),
    # work-up (issue 14): the medication list and allergies are kept by the clinical staff and
    # the pharmacist (medication reconciliation is pharmacy work); reading them is VIEW_PATIENTS
    Action.RECORD_CONCOMITANT_MEDICATION: _CLINICAL | {Role.PHARMACIST},
    Action.RECORD_ALLERGY: _CLINICAL | {Role.PHARMACIST},
    # notes and check-ins (issue 14, items 4-5): the clinical team reads them; only a therapist
    # of the dyad writes, signs and completes a session note (ADR 0138); a check-in is a clinical
    # contact that may need a C-SSRS screener, so the roles that enter one make it (ADR 0139)
    Action.VIEW_THERAPY_NOTES: _CLINICAL,
    Action.SIGN_THERAPY_NOTE: frozenset({Role.THERAPIST}),
    Action.ADD_NOTE_ADDENDUM: frozenset({Role.THERAPIST}),
    Action.VIEW_CHECK_INS: _CLINICAL,
    Action.RECORD_CHECK_IN: frozenset({Role.PHYSICIAN, Role.THERAPIST}),
    # trials (issue 16, ADR 0161): the coordinator sets a study up, enrols and randomises (a
    # physician may too); only the unblinded statistician seals the schedule and sees arms
    # (allocation list); any clinician may ask for an emergency unblinding, and only a physician
    # approves it (and then only the study's designated physician: checked in the service)
    Action.MANAGE_STUDY: frozenset({Role.COORDINATOR, Role.ADMIN}),
    Action.VIEW_STUDY: _CLINICAL | {Role.STATISTICIAN},
    Action.ENROL_IN_STUDY: frozenset({Role.COORDINATOR, Role.PHYSICIAN}),
    Action.RANDOMISE: frozenset({Role.COORDINATOR, Role.PHYSICIAN}),
    Action.SEAL_SCHEDULE: frozenset({Role.STATISTICIAN}),
    Action.VIEW_ALLOCATION: frozenset({Role.STATISTICIAN}),
    Action.REQUEST_UNBLINDING: _CLINICAL,
    Action.APPROVE_UNBLINDING: frozenset({Role.PHYSICIAN}),
    # exports (issue 17, ADR 0184): a study's SDTM datasets go to the sponsor's statistician and
    # the coordinator who prepares submissions; the de-identified research set to the same two.
    # What each receives is still cut to what they may read: arms and kit contents only for the
    # unblinded (ADR 0161)
    Action.EXPORT_SDTM: frozenset({Role.COORDINATOR, Role.STATISTICIAN}),
    Action.EXPORT_RESEARCH: frozenset({Role.COORDINATOR, Role.STATISTICIAN}),
    # FHIR export (issue 17, ADR 0182): the identified record for the hospital's EHR, so the
    # clinical roles that read the whole chart and hand it on (a physician, the coordinator who
    # produces the clinic's reports); what each part holds is still filtered by what the exporting
    # user may read, and arm and kit contents never leave for a blinded role
    Action.EXPORT_FHIR: frozenset({Role.PHYSICIAN, Role.COORDINATOR}),
    # reports (issue 17, item 4; ADR 0189): the coordinator produces regulatory reports
    # (DESIGN.md §1) and the physician (the Authorised Prescriber) signs them; a safety report is
    # marked submitted by either. Blinded roles read them redacted (services/reports/visibility)
    Action.VIEW_REPORTS: frozenset({Role.PHYSICIAN, Role.COORDINATOR}),
    Action.SUBMIT_SAFETY_REPORT: frozenset({Role.PHYSICIAN, Role.COORDINATOR}),
    # the coordinator assigns each CAPS-5 rating to a rater off the patient's therapy team (a
    # physician may stand in, as for randomising: ADR 0170); the participant's, each therapist's
    # and the rater's guess of the arm are recorded by whoever asks them (ADR 0171)
    Action.ASSIGN_RATER: frozenset({Role.COORDINATOR, Role.PHYSICIAN}),
    Action.RECORD_BLINDING_GUESS: _CLINICAL | {Role.RATER},
}


def authorize(principal: Principal, action: Action, site_id: int) -> Role:
    """The role under which `principal` may do `action` at `site_id` (recorded in the audit log).

    Raises:
        PermissionDenied: when none of the principal's roles at that site grants the action.
    """
    allowed = PERMISSIONS[action]
    held = principal.roles_at(site_id)
    for role in Role:  # the enum order is the order of preference for the audited role
        if role in held and role in allowed:
            return role
    raise PermissionDenied(
        f"{principal.username} may not {action.value.replace('_', ' ')} here",
        needs=tuple(role.value for role in Role if role in allowed),
    )


def sites_for(principal: Principal, action: Action) -> frozenset[int]:
    """The sites at which `principal` may do `action` (for lists that span sites)."""
    allowed = PERMISSIONS[action]
    return frozenset(site for site, roles in principal.roles_by_site.items() if roles & allowed)
