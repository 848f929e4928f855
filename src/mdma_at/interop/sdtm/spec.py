"""The datasets and their variables: names, labels (SDTMIG 3.3), types, in the order written.

A variable is character unless it is listed numeric; lengths are set from the data when written
(the longest value, as FDA's Technical Conformance Guide §4.1.5.2 asks).
"""

from __future__ import annotations

from dataclasses import dataclass

NUM = "Num"
CHAR = "Char"


@dataclass(frozen=True, slots=True)
class Variable:
    name: str
    label: str
    type: str = CHAR


@dataclass(frozen=True, slots=True)
class DatasetSpec:
    name: str
    label: str
    sdtm_class: str
    structure: str
    keys: tuple[str, ...]
    variables: tuple[Variable, ...]

    @property
    def labels(self) -> dict[str, str]:
        return {v.name: v.label for v in self.variables}


def _v(*items: tuple[str, str] | tuple[str, str, str]) -> tuple[Variable, ...]:
    identifiers = (
        Variable("STUDYID", "Study Identifier"),
        Variable("DOMAIN", "Domain Abbreviation"),
        Variable("USUBJID", "Unique Subject Identifier"),
    )
    return identifiers + tuple(Variable(*item) for item in items)


VISIT = (("VISITNUM", "Visit Number", NUM), ("VISIT", "Visit Name"))

DM = DatasetSpec(
    "DM", "Demographics", "SPECIAL PURPOSE", "One record per subject", ("STUDYID", "USUBJID"),
    _v(("SUBJID", "Subject Identifier for the Study"),
       ("RFSTDTC", "Subject Reference Start Date/Time"),
       ("RFENDTC", "Subject Reference End Date/Time"),
       ("RFXSTDTC", "Date/Time of First Study Treatment"),
       ("RFXENDTC", "Date/Time of Last Study Treatment"),
       ("RFICDTC", "Date/Time of Informed Consent"),
       ("SITEID", "Study Site Identifier"),
       ("AGE", "Age", NUM), ("AGEU", "Age Units"), ("SEX", "Sex"),
       ("ARMCD", "Planned Arm Code"), ("ARM", "Description of Planned Arm"),
       ("ACTARMCD", "Actual Arm Code"), ("ACTARM", "Description of Actual Arm"),
       ("ARMNRS", "Reason Arm and/or Actual Arm is Null")),
)  # fmt: skip
DS = DatasetSpec(
    "DS", "Disposition", "EVENTS", "One record per disposition status or protocol milestone "
    "per subject", ("STUDYID", "USUBJID", "DSSEQ"),
    _v(("DSSEQ", "Sequence Number", NUM),
       ("DSTERM", "Reported Term for the Disposition Event"),
       ("DSDECOD", "Standardized Disposition Term"),
       ("DSCAT", "Category for Disposition Event"),
       ("DSSTDTC", "Start Date/Time of Disposition Event"),
       ("DSSTDY", "Study Day of Start of Disposition Event", NUM)),
)  # fmt: skip
AE = DatasetSpec(
    "AE", "Adverse Events", "EVENTS", "One record per adverse event per subject",
    ("STUDYID", "USUBJID", "AESEQ"),
    _v(("AESEQ", "Sequence Number", NUM),
       ("AETERM", "Reported Term for the Adverse Event"),
       ("AEDECOD", "Dictionary-Derived Term"),
       ("AECAT", "Category for Adverse Event"),
       ("AESEV", "Severity/Intensity"), ("AESER", "Serious Event"),
       ("AEACN", "Action Taken with Study Treatment"), ("AEREL", "Causality"),
       ("AEOUT", "Outcome of Adverse Event"), *VISIT,
       ("AESTDTC", "Start Date/Time of Adverse Event"),
       ("AESTDY", "Study Day of Start of Adverse Event", NUM)),
)  # fmt: skip
SUPPAE = DatasetSpec(
    "SUPPAE", "Supplemental Qualifiers for AE", "RELATIONSHIP",
    "One record per supplemental qualifier per adverse event",
    ("STUDYID", "RDOMAIN", "USUBJID", "IDVAR", "IDVARVAL", "QNAM"),
    (Variable("STUDYID", "Study Identifier"),
     Variable("RDOMAIN", "Related Domain Abbreviation"),
     Variable("USUBJID", "Unique Subject Identifier"),
     Variable("IDVAR", "Identifying Variable"),
     Variable("IDVARVAL", "Identifying Variable Value"),
     Variable("QNAM", "Qualifier Variable Name"),
     Variable("QLABEL", "Qualifier Variable Label"),
     Variable("QVAL", "Data Value"), Variable("QORIG", "Origin"),
     Variable("QEVAL", "Evaluator")),
)  # fmt: skip
EX = DatasetSpec(
    "EX", "Exposure", "INTERVENTIONS", "One record per dose per subject",
    ("STUDYID", "USUBJID", "EXSEQ"),
    _v(("EXSEQ", "Sequence Number", NUM), ("EXTRT", "Name of Treatment"),
       ("EXCAT", "Category of Treatment"), ("EXDOSE", "Dose", NUM), ("EXDOSU", "Dose Units"),
       ("EXROUTE", "Route of Administration"), *VISIT,
       ("EXSTDTC", "Start Date/Time of Treatment"),
       ("EXSTDY", "Study Day of Start of Treatment", NUM)),
)  # fmt: skip


RESULTS = (
    ("ORRES", "Result or Finding in Original Units"), ("ORRESU", "Original Units"),
    ("STRESC", "Character Result/Finding in Std Format"),
    ("STRESN", "Numeric Result/Finding in Standard Units", NUM), ("STRESU", "Standard Units"),
)  # fmt: skip


def _results(prefix: str, units: bool = True) -> tuple[tuple[str, str] | tuple[str, str, str], ...]:
    return tuple((prefix + r[0], *r[1:]) for r in RESULTS if units or not r[0].endswith("U"))


VS = DatasetSpec(
    "VS", "Vital Signs", "FINDINGS",
    "One record per vital sign measurement per time point per subject",
    ("STUDYID", "USUBJID", "VSSEQ"),
    _v(("VSSEQ", "Sequence Number", NUM), ("VSTESTCD", "Vital Signs Test Short Name"),
       ("VSTEST", "Vital Signs Test Name"), *_results("VS"), *VISIT,
       ("VSTPT", "Planned Time Point Name"), ("VSDTC", "Date/Time of Measurements"),
       ("VSDY", "Study Day of Vital Signs", NUM)),
)  # fmt: skip
QS = DatasetSpec(
    "QS", "Questionnaires", "FINDINGS",
    "One record per questionnaire per question per time point per subject",
    ("STUDYID", "USUBJID", "QSSEQ"),
    _v(("QSSEQ", "Sequence Number", NUM), ("QSTESTCD", "Question Short Name"),
       ("QSTEST", "Question Name"), ("QSCAT", "Category of Question"),
       *_results("QS", units=False), ("QSSTAT", "Completion Status"), *VISIT,
       ("QSDTC", "Date/Time of Finding"), ("QSDY", "Study Day of Finding", NUM)),
)  # fmt: skip
LB = DatasetSpec(
    "LB", "Laboratory Test Results", "FINDINGS",
    "One record per lab test per time point per visit per subject",
    ("STUDYID", "USUBJID", "LBSEQ"),
    _v(("LBSEQ", "Sequence Number", NUM), ("LBTESTCD", "Lab Test or Examination Short Name."),
       ("LBTEST", "Lab Test or Examination Name"), *_results("LB"),
       ("LBORNRLO", "Reference Range Lower Limit in Orig Unit"),
       ("LBORNRHI", "Reference Range Upper Limit in Orig Unit"),
       ("LBNRIND", "Reference Range Indicator"), ("VISIT", "Visit Name"),
       ("LBDTC", "Date/Time of Specimen Collection"),
       ("LBDY", "Study Day of Specimen Collection", NUM)),
)  # fmt: skip
EG = DatasetSpec(
    "EG", "ECG Test Results", "FINDINGS",
    "One record per ECG observation per time point per visit per subject",
    ("STUDYID", "USUBJID", "EGSEQ"),
    _v(("EGSEQ", "Sequence Number", NUM), ("EGTESTCD", "ECG Test or Examination Short Name"),
       ("EGTEST", "ECG Test or Examination Name"), *_results("EG"),
       ("EGMETHOD", "Method of Test or Examination"), ("VISIT", "Visit Name"),
       ("EGDTC", "Date/Time of ECG"), ("EGDY", "Study Day of ECG", NUM)),
)  # fmt: skip

CM = DatasetSpec(
    "CM", "Concomitant/Concurrent Medications", "INTERVENTIONS",
    "One record per recorded medication occurrence per subject", ("STUDYID", "USUBJID", "CMSEQ"),
    _v(("CMSEQ", "Sequence Number", NUM), ("CMTRT", "Reported Name of Drug, Med, or Therapy"),
       ("CMDOSTXT", "Dose Description"), ("CMSTDTC", "Start Date/Time of Medication"),
       ("CMENDTC", "End Date/Time of Medication"),
       ("CMSTDY", "Study Day of Start of Medication", NUM),
       ("CMENDY", "Study Day of End of Medication", NUM)),
)  # fmt: skip
#: Every dataset, in the order define.xml lists them (special purpose, interventions, events,
#: findings, relationship: SDTMIG 3.3 §2.1).
SPECS = (DM, CM, EX, AE, DS, EG, LB, QS, VS, SUPPAE)
