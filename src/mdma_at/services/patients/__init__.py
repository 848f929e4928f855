"""The patient's course: registration, consent, enrolment and the visit schedule."""
