"""The register report as CSV (issue 15, item 4): one row per opening balance, movement and
closing balance of every container, then the discrepancies, with who did what."""

from __future__ import annotations

import csv
import io

from mdma_at.services.register.ledger import RegisterReport

HEADER = (
    "section", "kit_number", "lot", "contents", "expiry", "form", "strength", "unit", "entry_id",
    "kind", "at", "quantity", "stock_change", "balance", "session_id", "dispensing_id",
    "linked_id", "recorded_by", "witness", "signed_off_by", "reason",
)  # fmt: skip


def report_csv(report: RegisterReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    who = report.people
    for line in report.containers:
        c = line.container
        label = [c.kit_number, c.lot, c.contents.value, c.expiry.isoformat(), c.form.value,
                 c.strength, c.unit.value]  # fmt: skip
        blank = [""] * 13
        writer.writerow(["opening", *label, "", "", report.start.isoformat(), "", "",
                         line.opening, *blank[:7]])  # fmt: skip
        balance = line.opening
        for m, change in line.movements:
            balance += change
            writer.writerow([
                "movement", *label, m.id, m.kind.value, m.at.isoformat(), m.quantity, change,
                balance, m.session_id or "", m.dispensing_id or "", m.linked_id or "",
                who.get(m.recorded_by, m.recorded_by),
                who.get(m.witness_id, "") if m.witness_id else "",
                who.get(m.signed_off_by, "") if m.signed_off_by else "", m.reason,
            ])  # fmt: skip
        writer.writerow(["closing", *label, "", "", report.end.isoformat(), "", "",
                         line.closing, *blank[:7]])  # fmt: skip
    kits = {line.container.id: line.container for line in report.containers}
    for d in report.discrepancies:
        c = kits[d.container_id]
        state = (
            "open" if d.open else f"resolved {d.resolved_at.isoformat() if d.resolved_at else ''}"
        )
        writer.writerow([
            "discrepancy", c.kit_number, c.lot, c.contents.value, c.expiry.isoformat(),
            c.form.value, c.strength, c.unit.value, d.id, state, d.opened_at.isoformat(), "",
            d.difference, "", "", "", d.count_id,
            "", "", who.get(d.resolved_by, "") if d.resolved_by else "", d.resolution or "",
        ])  # fmt: skip
    return out.getvalue()
