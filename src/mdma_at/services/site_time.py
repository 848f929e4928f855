"""Which time zone a page or a typed time belongs to: its site's (issue 13, item 2)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from mdma_at.domain.staff import Principal
from mdma_at.services.ports import UnitOfWork

UTC_ZONE = ZoneInfo("UTC")


def zone_of_site(uow: UnitOfWork, site_id: int) -> ZoneInfo:
    with uow:
        site = uow.sites.get(site_id)
    return ZoneInfo(site.timezone) if site else UTC_ZONE


def zone_of_patient(uow: UnitOfWork, patient_id: int) -> ZoneInfo:
    """The zone of the patient's site; UTC for an unknown patient (the service refuses it)."""
    with uow:
        patient = uow.patients.get(patient_id)
        return zone_of_site(uow, patient.site_id) if patient else UTC_ZONE


def zone_of_session(uow: UnitOfWork, session_id: int) -> ZoneInfo:
    """The zone of the session's site; UTC for an unknown session (the service refuses it)."""
    with uow:
        session = uow.dosing_sessions.get(session_id)
        return zone_of_patient(uow, session.patient_id) if session else UTC_ZONE


def zone_of_principal(uow: UnitOfWork, principal: Principal) -> ZoneInfo:
    """The zone of pages that span sites (dashboard, lists): the sites' zone when the person's
    sites share one, else UTC (each patient's own pages use the patient's site)."""
    with uow:
        zones = {s.timezone for s in uow.sites.list() if s.id in principal.site_ids}
    return ZoneInfo(zones.pop()) if len(zones) == 1 else UTC_ZONE
