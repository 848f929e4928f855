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


_CLINICAL = frozenset({Role.PHYSICIAN, Role.THERAPIST, Role.COORDINATOR})

PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.VIEW_PATIENTS: _CLINICAL | {Role.PHARMACIST, Role.ADMIN},
    Action.REGISTER_PATIENT: frozenset({Role.COORDINATOR, Role.PHYSICIAN, Role.ADMIN}),
    Action.ENROL: frozenset({Role.COORDINATOR, Role.PHYSICIAN}),
    Action.RECORD_VISIT: _CLINICAL,
    Action.RESCHEDULE_VISIT: frozenset({Role.COORDINATOR, Role.PHYSICIAN}),
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
    raise PermissionDenied(f"{principal.username} may not {action.value.replace('_', ' ')} here")


def sites_for(principal: Principal, action: Action) -> frozenset[int]:
    """The sites at which `principal` may do `action` (for lists that span sites)."""
    allowed = PERMISSIONS[action]
    return frozenset(site for site, roles in principal.roles_by_site.items() if roles & allowed)
