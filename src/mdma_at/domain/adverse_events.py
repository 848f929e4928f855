"""The adverse-event vocabulary: what the console records about an event (issue 5, item 5;
issue 9) and what the safety analysis counts."""

from __future__ import annotations

from enum import StrEnum


class AeSeverity(StrEnum):
    """How intense an adverse event is (not a substance use disorder's: `SudSeverity`)."""

    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


class Relatedness(StrEnum):
    NOT_RELATED = "not_related"
    UNLIKELY = "unlikely"
    POSSIBLE = "possible"
    PROBABLE = "probable"
    DEFINITE = "definite"


class AeAction(StrEnum):
    """Action taken with the study drug or the session because of the event."""

    NONE = "none"
    SUPPLEMENTAL_WITHHELD = "supplemental_withheld"
    TREATMENT_GIVEN = "treatment_given"
    SESSION_STOPPED = "session_stopped"
    OTHER = "other"


class AeOutcome(StrEnum):
    RESOLVED = "resolved"
    RESOLVING = "resolving"
    NOT_RESOLVED = "not_resolved"
    RESOLVED_WITH_SEQUELAE = "resolved_with_sequelae"
    FATAL = "fatal"
    UNKNOWN = "unknown"


class AeCategory(StrEnum):
    """The categories the console solicits by name: the FDA's 2024 review found "positive"
    effects and abuse-related events uncollected (reference/clinical-facts.md, FDA review), and
    cardiovascular events are MDMA's known physical risk."""

    POSITIVE_EFFECT = "positive_effect"
    ABUSE_RELATED = "abuse_related"
    CARDIOVASCULAR = "cardiovascular"
    PSYCHIATRIC = "psychiatric"
    OTHER = "other"


# Terms the form offers per category (free text is allowed too): what the FDA found missing.
SOLICITED_TERMS: dict[AeCategory, tuple[str, ...]] = {
    AeCategory.POSITIVE_EFFECT: (
        "Euphoric mood",
        "Elevated mood",
        "Feeling of relaxation",
        "Feeling of closeness or empathy",
        "Feeling abnormal",
    ),
    AeCategory.ABUSE_RELATED: (
        "Drug liking / wish for more",
        "Asking for a dose beyond the protocol",
        "Attempted diversion of study drug",
        "Dissociation",
    ),
    AeCategory.CARDIOVASCULAR: (
        "Palpitations",
        "Chest pain or tightness",
        "Tachycardia",
        "Hypertension",
        "Dizziness or syncope",
    ),
    AeCategory.PSYCHIATRIC: ("Anxiety", "Suicidal ideation", "Agitation"),
    AeCategory.OTHER: ("Nausea", "Headache", "Jaw clenching", "Hyperthermia", "Muscle tightness"),
}
