"""The medication table: matching by name, invariants, and the mapp_v1 table's coverage."""

from __future__ import annotations

import pytest

from mdma_at.domain.sources import Source
from mdma_at.domain.washout import (
    Interaction,
    MedicationEntry,
    MedicationTable,
    WashoutKind,
    normalise_name,
)
from mdma_at.protocols.mapp_v1.medications import MEDICATIONS, WASHOUT_RULE

SOURCE = Source("test")


def _entry(generic: str, *brands: str, hours: float | None = 10.0) -> MedicationEntry:
    kind = WashoutKind.NONE if hours is None else WashoutKind.HALF_LIVES
    return MedicationEntry(generic, brands, "test", kind, hours, generic, SOURCE)


@pytest.mark.parametrize(
    ("name", "generic"),
    [
        ("fluoxetine", "fluoxetine"),
        ("Fluoxetine", "fluoxetine"),
        ("PROZAC", "fluoxetine"),
        (" prozac\t", "fluoxetine"),
        ("Effexor  XR", "venlafaxine"),
        ("wellbutrin xl", "bupropion"),
        ("Tylenol", "acetaminophen"),
        ("paracetamol", "acetaminophen"),
        ("Norvasc", "amlodipine"),
        ("Methylene Blue", "methylene blue"),
    ],
)
def test_names_match_by_generic_or_brand_case_insensitively(name: str, generic: str) -> None:
    entry = MEDICATIONS.find(name)
    assert entry is not None
    assert entry.generic == generic


@pytest.mark.parametrize("name", ["Prozac 20 mg", "fluoxetin", "", "kratom"])
def test_other_names_are_unknown(name: str) -> None:
    assert MEDICATIONS.find(name) is None


def test_normalise_name_folds_case_and_spacing() -> None:
    assert normalise_name("  Effexor \t XR ") == "effexor xr"


def test_a_name_listed_for_two_drugs_is_refused() -> None:
    with pytest.raises(ValueError, match="'same' is listed for both a and b"):
        MedicationTable(WASHOUT_RULE, (_entry("a", "Same"), _entry("b", "same")))


def test_a_half_life_is_given_exactly_when_a_washout_applies() -> None:
    with pytest.raises(ValueError, match="half-life is given exactly when"):
        MedicationEntry("x", (), "t", WashoutKind.NONE, 5.0, "x", SOURCE)
    with pytest.raises(ValueError, match="half-life is given exactly when"):
        MedicationEntry("x", (), "t", WashoutKind.HALF_LIVES, None, "x", SOURCE)
    with pytest.raises(ValueError, match="positive"):
        MedicationEntry("x", (), "t", WashoutKind.HALF_LIVES, 0.0, "x", SOURCE)


def test_generic_names_are_stored_normalised() -> None:
    with pytest.raises(ValueError, match="stored normalised"):
        _entry("Fluoxetine")


def test_every_washout_entry_cites_its_label_and_moiety() -> None:
    for entry in MEDICATIONS.entries:
        if entry.needs_washout:
            assert entry.half_life_hours is not None and entry.half_life_hours > 0
            assert entry.moiety, entry.generic
            citation = entry.source.citation
            labelled = "prescribing information" in citation or "product monograph" in citation
            # A herbal product has no label: it must say so and be marked for verification.
            unlabelled = "No drug label" in citation and "to verify" in citation
            assert labelled or unlabelled, entry.generic
            assert entry.why_washout, entry.generic


REQUIRED = {
    "SSRIs": {"fluoxetine", "paroxetine", "sertraline", "citalopram", "escitalopram",
              "fluvoxamine"},
    "SNRIs": {"venlafaxine", "desvenlafaxine", "duloxetine"},
    "tricyclics": {"amitriptyline", "nortriptyline", "imipramine", "clomipramine"},
    "irreversible MAOIs": {"phenelzine", "tranylcypromine", "selegiline"},
    "reversible MAOIs": {"moclobemide", "linezolid"},
    "others": {"bupropion", "mirtazapine", "trazodone", "vortioxetine", "lithium"},
    "antipsychotics": {"quetiapine", "aripiprazole", "olanzapine", "risperidone"},
    "stimulants": {"amphetamine", "methylphenidate", "lisdexamfetamine"},
    "benzodiazepines": {"diazepam", "alprazolam", "clonazepam", "lorazepam"},
    "CYP2D6 inhibitors": {"quinidine", "terbinafine", "cinacalcet", "bupropion", "paroxetine",
                          "fluoxetine"},
    # Issue 9, item 11.
    "issue 9 serotonergic and others": {"isocarboxazid", "dextromethorphan", "st john's wort",
                                        "buspirone", "methadone", "tramadol", "prazosin",
                                        "propranolol", "lamotrigine", "valproate"},
    "triptans": {"sumatriptan", "rizatriptan", "zolmitriptan", "eletriptan", "naratriptan",
                 "almotriptan", "frovatriptan"},
    "long-acting injectable antipsychotics": {
        "paliperidone palmitate", "paliperidone palmitate 1-monthly",
        "paliperidone palmitate 3-monthly", "paliperidone palmitate 6-monthly",
        "aripiprazole monohydrate long-acting injection", "aripiprazole lauroxil",
        "risperidone long-acting injection", "haloperidol decanoate", "fluphenazine decanoate",
        "olanzapine pamoate"},
}  # fmt: skip


@pytest.mark.parametrize("group", sorted(REQUIRED))
def test_the_table_covers_the_classes_the_issue_names(group: str) -> None:
    listed = {entry.generic for entry in MEDICATIONS.entries if entry.needs_washout}
    assert REQUIRED[group] <= listed


def test_irreversible_maois_get_the_maoi_rule() -> None:
    for generic in ("phenelzine", "tranylcypromine", "selegiline", "rasagiline", "isocarboxazid"):
        entry = MEDICATIONS.find(generic)
        assert entry is not None and entry.washout is WashoutKind.IRREVERSIBLE_MAOI
    moclobemide = MEDICATIONS.find("moclobemide")
    assert moclobemide is not None and moclobemide.washout is WashoutKind.HALF_LIVES


def test_cyp2d6_inhibitors_warn_of_raised_mdma_exposure() -> None:
    for generic in ("paroxetine", "fluoxetine", "bupropion", "quinidine", "terbinafine"):
        entry = MEDICATIONS.find(generic)
        assert entry is not None and Interaction.RAISED_MDMA_EXPOSURE in entry.interactions


@pytest.mark.parametrize(
    "name", ["metoprolol", "Toprol-XL", "carvedilol", "nebivolol", "flecainide", "propafenone"]
)
def test_cyp2d6_substrates_whose_levels_mdma_raises_warn_but_need_no_washout(name: str) -> None:
    entry = MEDICATIONS.find(name)
    assert entry is not None
    assert entry.washout is WashoutKind.NONE
    assert entry.interactions == {Interaction.CYP2D6_SUBSTRATE}
    assert "CYP2D6 substrate" in entry.source.citation


@pytest.mark.parametrize(
    ("name", "generic"),
    [("THC", None), ("St. John's Wort", "st john's wort"), ("hypericum", "st john's wort"),
     ("Invega Sustenna", "paliperidone palmitate 1-monthly"),
     ("Abilify Maintena", "aripiprazole monohydrate long-acting injection"),
     ("Risperdal Consta", "risperidone long-acting injection"),
     ("Zyprexa Relprevv", "olanzapine pamoate"), ("divalproex sodium", "valproate"),
     ("IMITREX", "sumatriptan"), ("Marplan", "isocarboxazid"), ("Delsym", "dextromethorphan")],
)  # fmt: skip
def test_new_names_find_their_entries_by_brand_and_any_case(name: str, generic: str | None) -> None:
    entry = MEDICATIONS.find(name)
    assert (entry.generic if entry else None) == generic


@pytest.mark.parametrize(
    "name",
    ["amlodipine", "lisinopril", "losartan", "levonorgestrel", "Yaz", "levothyroxine",
     "acetaminophen", "ibuprofen", "metformin"],
)  # fmt: skip
def test_common_medications_need_no_washout(name: str) -> None:
    entry = MEDICATIONS.find(name)
    assert entry is not None
    assert entry.washout is WashoutKind.NONE
    assert not entry.interactions


def test_fluoxetine_uses_norfluoxetine_sixteen_days() -> None:
    entry = MEDICATIONS.find("fluoxetine")
    assert entry is not None
    assert (entry.moiety, entry.half_life_hours) == ("norfluoxetine", 384)
    assert "norfluoxetine t½ 4–16 days; 16 d (384 h) used" in entry.source.citation
