"""The trial simulator (issue 19): simulated participants, calibrated to the published Phase 3
results (`calibration.toml`), driven through the real use cases like an entrypoint would drive
them (`trial_run`), and the same calibration simulated directly for operating characteristics
(`operating`). Nothing inside the services imports it."""
