"""Data that leaves the system (issue 17): the records an export reads, gathered as the user who
asks, audited, and cut to what that user may read (arms only for the unblinded). `records` gathers
a patient's chart for FHIR; `trial_records` a study participant's record for SDTM and research."""
