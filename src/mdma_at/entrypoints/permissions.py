"""Which action each route is: one table for the pages and the API (issue 14, item 1; ADR 0130).

The roles that may do an action are declared once, in `domain.access.PERMISSIONS`. This table
names the action of every route, page or API, so the two can never disagree: a request whose
action none of the caller's roles grants is refused here, by role, before any form or body is
read, with the same 403 on a page and in the API; the use case then checks the role *at the
patient's site* (a record at a site where the caller holds no role stays "not found").

Pages use the same table to decide what to show: a link or a form appears only to roles that may
follow it (`may` in the templates), and the navigation is the list of work pages a role may open.

A route missing from this table is not refused here (its use case still checks), but the
agreement test (`tests/integration/test_permission_table.py`) fails, so a new route cannot be
forgotten.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from fastapi import FastAPI, Request, routing

from mdma_at.domain.access import PERMISSIONS, Action
from mdma_at.domain.errors import PermissionDenied
from mdma_at.domain.staff import Principal, Role
from mdma_at.services.audit import Actor, security_event


class Open(StrEnum):
    """Routes that are not one clinical action."""

    PUBLIC = "public"  # no sign-in: the sign-in form, the patient's link, health, API docs
    SIGNED_IN = "signed_in"  # any signed-in person; what it shows is filtered per action


A = Action
ROUTES: dict[tuple[str, str], Action | Open] = {
    # --- open ------------------------------------------------------------------------------
    ("GET", "/login"): Open.PUBLIC,
    ("POST", "/login"): Open.PUBLIC,
    ("GET", "/r/{token}"): Open.PUBLIC,
    ("POST", "/r/{token}"): Open.PUBLIC,
    ("GET", "/healthz"): Open.PUBLIC,
    ("GET", "/readyz"): Open.PUBLIC,
    ("GET", "/metrics"): Open.PUBLIC,
    ("GET", "/api/docs"): Open.PUBLIC,
    ("GET", "/openapi.json"): Open.PUBLIC,
    ("MOUNT", "/static"): Open.PUBLIC,
    # a calculator on the posted intake: stores nothing, reads no record
    ("POST", "/api/screening/evaluate"): Open.PUBLIC,
    ("POST", "/logout"): Open.SIGNED_IN,
    ("GET", "/"): Open.SIGNED_IN,
    ("GET", "/api/me"): Open.SIGNED_IN,
    # --- patients, enrolment, visits --------------------------------------------------------
    ("GET", "/patients"): A.VIEW_PATIENTS,
    ("GET", "/api/patients"): A.VIEW_PATIENTS,
    ("GET", "/patients/new"): A.REGISTER_PATIENT,
    ("POST", "/patients/new"): A.REGISTER_PATIENT,
    ("POST", "/api/patients"): A.REGISTER_PATIENT,
    ("GET", "/patients/{patient_id}"): A.VIEW_PATIENTS,
    ("GET", "/api/patients/{patient_id}"): A.VIEW_PATIENTS,
    ("POST", "/patients/{patient_id}/enrol"): A.ENROL,
    ("POST", "/api/patients/{patient_id}/enrolments"): A.ENROL,
    ("POST", "/patients/{patient_id}/visits/{visit_id}/held"): A.RECORD_VISIT,
    ("POST", "/api/visits/{visit_id}/held"): A.RECORD_VISIT,
    ("POST", "/patients/{patient_id}/visits/{visit_id}/reschedule"): A.RESCHEDULE_VISIT,
    ("POST", "/api/visits/{visit_id}/reschedule"): A.RESCHEDULE_VISIT,
    ("GET", "/patients/{patient_id}/visits/{visit_id}/booking"): A.BOOK_VISIT,
    ("POST", "/patients/{patient_id}/visits/{visit_id}/booking"): A.BOOK_VISIT,
    ("POST", "/api/visits/{visit_id}/booking"): A.BOOK_VISIT,
    ("GET", "/worklist"): A.VIEW_WORKLIST,
    ("GET", "/api/worklist"): A.VIEW_WORKLIST,
    ("POST", "/patients/{patient_id}/withdraw"): A.WITHDRAW,
    ("POST", "/api/patients/{patient_id}/withdrawal"): A.WITHDRAW,
    ("GET", "/api/audit/verify"): A.VERIFY_AUDIT,
    # --- data that leaves the system (issue 17) ----------------------------------------------
    ("GET", "/api/fhir/Patient/{patient_id}/$everything"): A.EXPORT_FHIR,
    # --- staff accounts ---------------------------------------------------------------------
    ("GET", "/admin/users"): A.MANAGE_STAFF,
    ("POST", "/admin/users/{username}/deactivate"): A.MANAGE_STAFF,
    ("POST", "/admin/users/{username}/reactivate"): A.MANAGE_STAFF,
    ("POST", "/admin/tokens/{token_id}/revoke"): A.MANAGE_STAFF,
    # --- dosing sessions --------------------------------------------------------------------
    ("GET", "/sessions/open"): A.VIEW_SESSION,
    ("GET", "/patients/{patient_id}/sessions"): A.VIEW_SESSION,
    ("GET", "/api/patients/{patient_id}/sessions"): A.VIEW_SESSION,
    ("POST", "/visits/{visit_id}/session"): A.RUN_SESSION,
    ("POST", "/api/visits/{visit_id}/session"): A.RUN_SESSION,
    ("GET", "/sessions/{session_id}"): A.VIEW_SESSION,
    ("GET", "/api/sessions/{session_id}"): A.VIEW_SESSION,
    ("GET", "/sessions/{session_id}/live"): A.VIEW_SESSION,
    ("GET", "/sessions/{session_id}/record"): A.VIEW_SESSION,
    ("GET", "/sessions/{session_id}/timeline.json"): A.VIEW_SESSION,
    ("GET", "/api/sessions/{session_id}/timeline"): A.VIEW_SESSION,
    # the kind of entry narrows it further in the use case (pre-dose checklist, override and
    # vital-sign acknowledgement are the physician's: `recording.py`)
    ("POST", "/sessions/{session_id}/entries/{kind}"): A.RUN_SESSION,
    ("POST", "/api/sessions/{session_id}/entries"): A.RUN_SESSION,
    # live alerts of sessions and measures: both lists are the clinical team's
    ("GET", "/alerts/live"): A.VIEW_SESSION,
    ("GET", "/alerts/count"): A.VIEW_SESSION,
    # --- screening and consent --------------------------------------------------------------
    ("GET", "/screening/awaiting"): A.SIGN_SCREENING,
    ("GET", "/patients/{patient_id}/screening/panel"): A.VIEW_PATIENTS,
    ("GET", "/patients/{patient_id}/screening/new"): A.SCREEN,
    ("POST", "/patients/{patient_id}/screening/evaluate"): A.SCREEN,
    ("POST", "/patients/{patient_id}/screening"): A.SCREEN,
    ("POST", "/api/patients/{patient_id}/screenings"): A.SCREEN,
    ("GET", "/api/patients/{patient_id}/screenings"): A.VIEW_PATIENTS,
    ("GET", "/patients/{patient_id}/screenings/{screening_id}"): A.VIEW_PATIENTS,
    ("GET", "/api/screenings/{screening_id}"): A.VIEW_PATIENTS,
    ("POST", "/patients/{patient_id}/screenings/{screening_id}/sign"): A.SIGN_SCREENING,
    ("POST", "/api/screenings/{screening_id}/signature"): A.SIGN_SCREENING,
    ("GET", "/api/patients/{patient_id}/first-dosing"): A.VIEW_PATIENTS,
    ("GET", "/patients/{patient_id}/consent"): A.VIEW_PATIENTS,
    ("GET", "/api/patients/{patient_id}/consent"): A.VIEW_PATIENTS,
    ("GET", "/api/patients/{patient_id}/dosing-consent"): A.VIEW_PATIENTS,
    ("POST", "/patients/{patient_id}/consent/sign"): A.RECORD_CONSENT,
    ("POST", "/api/patients/{patient_id}/consents"): A.RECORD_CONSENT,
    ("POST", "/patients/{patient_id}/consent/withdraw"): A.RECORD_CONSENT,
    ("POST", "/api/patients/{patient_id}/consent-withdrawal"): A.RECORD_CONSENT,
    ("GET", "/sites/{site_id}/consent-documents"): A.VIEW_PATIENTS,
    ("GET", "/api/sites/{site_id}/consent-documents"): A.VIEW_PATIENTS,
    ("POST", "/sites/{site_id}/consent-documents"): A.PUBLISH_CONSENT_DOCUMENT,
    ("POST", "/api/sites/{site_id}/consent-documents"): A.PUBLISH_CONSENT_DOCUMENT,
    # --- measures ---------------------------------------------------------------------------
    ("GET", "/measures/due"): A.VIEW_MEASURES,
    ("GET", "/api/measures/due"): A.VIEW_MEASURES,
    ("GET", "/alerts"): A.VIEW_MEASURES,
    ("GET", "/api/alerts"): A.VIEW_MEASURES,
    ("POST", "/alerts/{alert_id}/acknowledge"): A.ACKNOWLEDGE_SAFETY_ALERT,
    ("POST", "/api/alerts/{alert_id}/acknowledgement"): A.ACKNOWLEDGE_SAFETY_ALERT,
    ("GET", "/dashboard/measures"): A.VIEW_MEASURES,
    ("GET", "/patients/{patient_id}/measures"): A.VIEW_MEASURES,
    ("GET", "/api/patients/{patient_id}/administrations"): A.VIEW_MEASURES,
    ("POST", "/patients/{patient_id}/self-report-links"): A.ISSUE_SELF_REPORT_LINK,
    ("POST", "/api/patients/{patient_id}/self-report-links"): A.ISSUE_SELF_REPORT_LINK,
    ("POST", "/patients/{patient_id}/self-report-links/{link_id}/send"): A.SEND_SELF_REPORT_LINK,
    ("GET", "/ratings"): A.VIEW_RATINGS,
    ("GET", "/patients/{patient_id}/measures/{instrument}/new"): A.ENTER_CLINICIAN_INSTRUMENT,
    ("POST", "/patients/{patient_id}/measures/{instrument}/new"): A.ENTER_CLINICIAN_INSTRUMENT,
    ("POST", "/api/patients/{patient_id}/administrations"): A.ENTER_CLINICIAN_INSTRUMENT,
    # --- controlled-substance register ------------------------------------------------------
    ("GET", "/register"): A.VIEW_STOCK,
    ("GET", "/api/register/sites/{site_id}/stock"): A.VIEW_STOCK,
    ("GET", "/api/register/sites/{site_id}/discrepancies"): A.VIEW_STOCK,
    ("GET", "/api/register/sessions/{session_id}/tally"): A.VIEW_STOCK,
    ("POST", "/register/receive"): A.MANAGE_STOCK,
    ("POST", "/api/register/sites/{site_id}/receipts"): A.MANAGE_STOCK,
    ("POST", "/register/dispense"): A.MANAGE_STOCK,
    ("POST", "/api/register/containers/{container_id}/dispensings"): A.MANAGE_STOCK,
    ("POST", "/api/register/dispensings/{dispensing_id}/administrations"): A.ADMINISTER_DOSE,
    ("POST", "/api/register/dispensings/{dispensing_id}/returns"): A.MANAGE_STOCK,
    ("POST", "/register/waste"): A.MANAGE_STOCK,
    ("POST", "/api/register/containers/{container_id}/wastes"): A.MANAGE_STOCK,
    ("POST", "/api/register/containers/{container_id}/transfers"): A.MANAGE_STOCK,
    ("POST", "/api/register/transfers/{transfer_id}/receipt"): A.MANAGE_STOCK,
    ("POST", "/api/register/movements/{movement_id}/corrections"): A.MANAGE_STOCK,
    ("POST", "/register/count"): A.MANAGE_STOCK,
    ("POST", "/api/register/containers/{container_id}/counts"): A.MANAGE_STOCK,
    ("POST", "/api/register/sites/{site_id}/periods"): A.MANAGE_STOCK,
    ("POST", "/register/discrepancies/{discrepancy_id}/resolve"): A.SIGN_OFF_ADJUSTMENT,
    ("POST", "/api/register/discrepancies/{discrepancy_id}/resolution"): A.SIGN_OFF_ADJUSTMENT,
    ("POST", "/api/register/sessions/{session_id}/reconciliation"): A.RECONCILE_SESSION,
    ("GET", "/register/report.csv"): A.VIEW_UNBLINDED_STOCK,
    ("GET", "/register/report"): A.VIEW_UNBLINDED_STOCK,
    ("GET", "/api/register/sites/{site_id}/report"): A.VIEW_UNBLINDED_STOCK,
    ("POST", "/register/sessions/{session_id}/reconcile"): A.RECONCILE_SESSION,
    # --- screening work-up: the medication list and allergies ------------------------------
    ("GET", "/patients/{patient_id}/workup"): A.VIEW_PATIENTS,
    ("GET", "/patients/{patient_id}/workup/panel"): A.VIEW_PATIENTS,
    ("GET", "/api/patients/{patient_id}/medications"): A.VIEW_PATIENTS,
    ("GET", "/api/patients/{patient_id}/allergies"): A.VIEW_PATIENTS,
    ("POST", "/patients/{patient_id}/medications"): A.RECORD_CONCOMITANT_MEDICATION,
    ("POST", "/api/patients/{patient_id}/medications"): A.RECORD_CONCOMITANT_MEDICATION,
    (
        "POST",
        "/patients/{patient_id}/medications/{course_id}/stop",
    ): A.RECORD_CONCOMITANT_MEDICATION,
    (
        "POST",
        "/api/patients/{patient_id}/medications/{course_id}/stop",
    ): A.RECORD_CONCOMITANT_MEDICATION,
    ("POST", "/patients/{patient_id}/allergies"): A.RECORD_ALLERGY,
    ("POST", "/api/patients/{patient_id}/allergies"): A.RECORD_ALLERGY,
    # --- preparation and integration notes, check-ins after dosing ---------------------------
    ("GET", "/patients/{patient_id}/therapy"): A.VIEW_THERAPY_NOTES,
    ("GET", "/api/patients/{patient_id}/therapy-notes"): A.VIEW_THERAPY_NOTES,
    ("GET", "/patients/{patient_id}/visits/{visit_id}/note"): A.VIEW_THERAPY_NOTES,
    ("POST", "/patients/{patient_id}/visits/{visit_id}/note"): A.SIGN_THERAPY_NOTE,
    ("POST", "/api/patients/{patient_id}/therapy-notes"): A.SIGN_THERAPY_NOTE,
    ("POST", "/patients/{patient_id}/therapy-notes/{note_id}/addenda"): A.ADD_NOTE_ADDENDUM,
    ("POST", "/api/patients/{patient_id}/therapy-notes/{note_id}/addenda"): A.ADD_NOTE_ADDENDUM,
    ("GET", "/check-ins/due"): A.VIEW_CHECK_INS,
    ("GET", "/api/check-ins/due"): A.VIEW_CHECK_INS,
    ("GET", "/api/patients/{patient_id}/check-ins"): A.VIEW_CHECK_INS,
    ("GET", "/patients/{patient_id}/check-ins/new"): A.RECORD_CHECK_IN,
    ("POST", "/patients/{patient_id}/check-ins"): A.RECORD_CHECK_IN,
    ("POST", "/api/patients/{patient_id}/check-ins"): A.RECORD_CHECK_IN,
    # --- studies, randomisation and emergency unblinding ---------------------------------------
    ("GET", "/studies"): A.VIEW_STUDY,
    ("GET", "/api/studies"): A.VIEW_STUDY,
    ("GET", "/studies/{study_id}"): A.VIEW_STUDY,
    ("GET", "/studies/{study_id}/report"): A.VIEW_ALLOCATION,  # the trial report shows arms
    ("GET", "/api/studies/{study_id}"): A.VIEW_STUDY,
    ("POST", "/api/studies"): A.MANAGE_STUDY,
    ("POST", "/api/studies/{study_id}/schedule-seal"): A.SEAL_SCHEDULE,
    ("POST", "/studies/{study_id}/participants"): A.ENROL_IN_STUDY,
    ("POST", "/api/studies/{study_id}/participants"): A.ENROL_IN_STUDY,
    ("POST", "/studies/{study_id}/participants/{patient_id}/randomise"): A.RANDOMISE,
    ("POST", "/api/studies/{study_id}/participants/{patient_id}/randomisation"): A.RANDOMISE,
    ("GET", "/api/studies/{study_id}/allocations"): A.VIEW_ALLOCATION,
    # independent raters and the blinding assessment (issue 16, items 4-5)
    ("POST", "/studies/{study_id}/participants/{patient_id}/rater"): A.ASSIGN_RATER,
    ("POST", "/api/studies/{study_id}/participants/{patient_id}/rater-assignments"): (
        A.ASSIGN_RATER
    ),
    ("POST", "/api/studies/{study_id}/participants/{patient_id}/blinding-guesses"): (
        A.RECORD_BLINDING_GUESS
    ),
    ("GET", "/api/studies/{study_id}/retention"): A.VIEW_STUDY,
    ("GET", "/api/studies/{study_id}/blinding-index"): A.VIEW_ALLOCATION,
    ("POST", "/studies/{study_id}/participants/{patient_id}/blinding-guesses"): (
        A.RECORD_BLINDING_GUESS
    ),
    (
        "POST",
        "/api/studies/{study_id}/participants/{patient_id}/unblinding-requests",
    ): A.REQUEST_UNBLINDING,
    (
        "POST",
        "/api/studies/{study_id}/unblinding-requests/{request_id}/approval",
    ): A.APPROVE_UNBLINDING,
    # --- reports for regulators and ethics committees (issue 17, item 4) ------------------------
    ("GET", "/reports"): A.VIEW_REPORTS,
    ("GET", "/reports/{name}"): A.VIEW_REPORTS,
    ("GET", "/reports/{name}/pdf"): A.VIEW_REPORTS,
    ("POST", "/reports/expedited-safety/{entry_id}/submitted"): A.SUBMIT_SAFETY_REPORT,
    # --- a site's own protocol values ----------------------------------------------------------
    ("GET", "/admin/protocol"): A.SET_SITE_PROTOCOL,
    ("POST", "/admin/protocol/{code}/{key}"): A.SET_SITE_PROTOCOL,
}

#: The navigation: each role's own work, in this order; a link shows to the roles its page's
#: action grants (so a role is never offered a page that answers 403).
NAVIGATION: tuple[tuple[str, str], ...] = (
    ("Dashboard", "/"),
    ("Worklist", "/worklist"),
    ("Patients", "/patients"),
    ("My ratings", "/ratings"),
    ("Alerts", "/alerts"),
    ("Due", "/measures/due"),
    ("Sessions", "/sessions/open"),
    ("Screenings", "/screening/awaiting"),
    ("Studies", "/studies"),
    ("Register", "/register"),
    ("Reports", "/reports"),
    ("Staff accounts", "/admin/users"),
    ("Site protocol", "/admin/protocol"),
)


def route_keys(app: FastAPI) -> Iterable[tuple[tuple[str, str], object]]:
    """(method, path) of every route the app answers, with the route's endpoint (or the route)."""
    for route in routing.iter_route_contexts(app.routes):
        path = route.path
        if path is None:
            continue
        methods = route.methods
        if not methods:
            yield ("MOUNT", path), None  # static files: no endpoint, nothing to check
            continue
        for method in sorted(methods - {"HEAD"}):
            yield (method, path), route.endpoint


def bind(app: FastAPI) -> None:
    """Index the table by endpoint, once, for the check on each request."""
    app.state.route_actions = {
        (method, endpoint): ROUTES[(method, path)]
        for (method, path), endpoint in route_keys(app)
        if (method, path) in ROUTES
    }


def roles_for(action: Action | Open) -> frozenset[Role]:
    """The roles that may use a route of this action (every role for an open route)."""
    return PERMISSIONS[action] if isinstance(action, Action) else frozenset(Role)


def permits(principal: Principal, action: Action | Open) -> bool:
    """Whether any of the principal's roles (at any site) grants the action."""
    return bool(principal.all_roles & roles_for(action))


def needed(action: Action) -> tuple[str, ...]:
    """The roles that grant `action`, in the roles' own order (for the 403 page)."""
    return tuple(role.value for role in Role if role in PERMISSIONS[action])


def check_route(request: Request, principal: Principal) -> None:
    """Refuse, by role, a request whose route's action none of the principal's roles grants.

    Raises:
        PermissionDenied: naming the action and the roles that would grant it (audited as
            ``access_denied`` with the action as the reason).
    """
    actions: dict[tuple[str, object], Action | Open] = getattr(
        request.app.state, "route_actions", {}
    )
    action = actions.get((request.method, request.scope.get("endpoint")))
    if not isinstance(action, Action) or permits(principal, action):
        return
    ctx = request.app.state.container  # the denial is audited, like the use cases' own
    actor = Actor(principal.user_id, principal.username)
    security_event(ctx.uow(), ctx.clock, actor, "access_denied", action.value)
    raise PermissionDenied(
        f"{principal.username} may not {action.value.replace('_', ' ')}",
        needs=needed(action),
    )


def may(principal: Principal, action: str) -> bool:
    """`may(session.principal, "register_patient")` in a template: whether to show the link."""
    return permits(principal, Action(action))


def navigation(principal: Principal) -> list[tuple[str, str]]:
    """The navigation links this person's roles may follow."""
    return [
        (label, href)
        for label, href in NAVIGATION
        if permits(principal, ROUTES.get(("GET", href), Open.SIGNED_IN))
    ]
