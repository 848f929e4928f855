"""FHIR R4 output of the clinic record (issue 17, item 1): resources, $everything, Bulk Data."""
