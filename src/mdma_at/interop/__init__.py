"""FHIR R4 and CDISC SDTM output shapes: pure functions of domain data (later issues)."""
