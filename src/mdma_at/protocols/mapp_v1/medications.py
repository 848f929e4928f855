"""The `mapp_v1` medication table, as data: what needs a washout before baseline, and for how long.

Each entry that needs a washout carries the elimination half-life of its longest-lived active
moiety (e.g. norfluoxetine for fluoxetine) and the drug label it comes from. Where the label gives a
range, the upper end is used; where it gives a mean (± SD), the mean. Citations marked "(to verify)"
are values the compiler was less sure of: each was set at the conservative (longer) end, and a
pharmacist must check every row against the current label before clinical use (docs/screening.md).

Entries without a washout (antihypertensives, hormonal contraceptives, thyroid hormone, common
analgesics and others) are listed so that only truly unknown medications go to the physician.
"""

from __future__ import annotations

from mdma_at.domain.sources import Source
from mdma_at.domain.washout import (
    Interaction,
    MedicationEntry,
    MedicationTable,
    WashoutKind,
    WashoutRule,
)

SEROTONIN = Interaction.SEROTONIN_TOXICITY
CYP2D6 = Interaction.RAISED_MDMA_EXPOSURE
SUBSTRATE = Interaction.CYP2D6_SUBSTRATE

PSYCHIATRIC = "psychiatric medication, tapered and stopped before baseline"
CYP2D6_INHIBITOR = "CYP2D6 inhibitor, raises MDMA exposure"
SEROTONERGIC = "serotonergic, risk of serotonin toxicity"
LONG_ACTING = (
    "long-acting injectable antipsychotic, stopped before baseline; the apparent half-life is set "
    "by the slow release from the injection site, so 5 half-lives + 7 days is months"
)
#: Why MDMA raises a CYP2D6 substrate's level (clinical-facts §8).
MDMA_INHIBITS_CYP2D6 = (
    "MDMA is a strong CYP2D6 inhibitor [S73]; after MDMA, dextromethorphan exposure rose about "
    "10-fold and CYP2D6 activity took about 10 days to recover [S70]"
)

WASHOUT_RULE = WashoutRule(
    half_lives=5,
    extra_days=7,
    irreversible_maoi_minimum_days=14,
    source=Source(
        "MAPP1/MAPP2: psychiatric medications tapered and stopped before baseline [S1][S3]; "
        "washout of a minimum of 5 half-lives and 1 week (secondary summary of MAPP1) [S13]"
    ),
    maoi_source=Source(
        "Irreversible MAOIs within 2 weeks before MDMA can cause severe serotonin toxicity "
        "(secondary) [S33]; 14 days is the serotonin-toxicity practice for irreversible MAOIs",
        site_default=True,
    ),
)

NO_WASHOUT = Source(
    "Site classification: not psychiatric, not serotonergic, not a CYP2D6 inhibitor; may "
    "continue (the physician can still review)",
    site_default=True,
)


def _label(text: str) -> Source:
    return Source(text)


def _washout(
    generic: str,
    brands: tuple[str, ...],
    drug_class: str,
    hours: float,
    moiety: str,
    label: str,
    interactions: tuple[Interaction, ...] = (),
    why: str = PSYCHIATRIC,
    kind: WashoutKind = WashoutKind.HALF_LIVES,
) -> MedicationEntry:
    return MedicationEntry(
        generic=generic,
        brands=brands,
        drug_class=drug_class,
        washout=kind,
        half_life_hours=hours,
        moiety=moiety,
        source=_label(label),
        interactions=frozenset(interactions),
        why_washout=why,
    )


def _maoi(generic: str, brands: tuple[str, ...], hours: float, moiety: str, label: str,
          drug_class: str = "irreversible MAOI") -> MedicationEntry:  # fmt: skip
    return _washout(generic, brands, drug_class, hours, moiety, label, (SEROTONIN,),
                    kind=WashoutKind.IRREVERSIBLE_MAOI)  # fmt: skip


def _keep(generic: str, brands: tuple[str, ...], drug_class: str) -> MedicationEntry:
    return MedicationEntry(
        generic=generic,
        brands=brands,
        drug_class=drug_class,
        washout=WashoutKind.NONE,
        half_life_hours=None,
        moiety="",
        source=NO_WASHOUT,
    )


def _substrate(generic: str, brands: tuple[str, ...], drug_class: str, label: str
               ) -> MedicationEntry:  # fmt: skip
    """No washout, but a CYP2D6 substrate whose level MDMA raises: a warning for the physician."""
    return MedicationEntry(
        generic=generic,
        brands=brands,
        drug_class=drug_class,
        washout=WashoutKind.NONE,
        half_life_hours=None,
        moiety="",
        source=Source(
            f"{NO_WASHOUT.citation}. {label}: a CYP2D6 substrate; {MDMA_INHIBITS_CYP2D6}: a "
            "warning, not an exclusion",
            site_default=True,
        ),
        interactions=frozenset({SUBSTRATE}),
    )


def _hours(days: float) -> float:
    """Long-acting injections are labelled in days; the table stores hours."""
    return days * 24


SSRIS = (
    _washout("fluoxetine", ("Prozac", "Prozac Weekly", "Sarafem"), "SSRI", 384, "norfluoxetine",
             "Prozac (fluoxetine) US prescribing information §12.3: fluoxetine t½ 1–3 days acute, "
             "4–6 days chronic; norfluoxetine t½ 4–16 days; 16 d (384 h) used",
             (SEROTONIN, CYP2D6)),
    _washout("paroxetine", ("Paxil", "Paxil CR", "Pexeva", "Brisdelle", "Seroxat"), "SSRI", 21,
             "paroxetine",
             "Paxil (paroxetine) US prescribing information §12.3: mean elimination t½ about "
             "21 h; 21 h used", (SEROTONIN, CYP2D6)),
    _washout("sertraline", ("Zoloft", "Lustral"), "SSRI", 104, "N-desmethylsertraline",
             "Zoloft (sertraline) US prescribing information §12.3: sertraline t½ about 26 h; "
             "N-desmethylsertraline t½ 62–104 h (less active, still active); 104 h used",
             (SEROTONIN,)),
    _washout("citalopram", ("Celexa", "Cipramil"), "SSRI", 35, "citalopram",
             "Celexa (citalopram) US prescribing information §12.3: elimination t½ about 35 h; "
             "35 h used", (SEROTONIN,)),
    _washout("escitalopram", ("Lexapro", "Cipralex"), "SSRI", 32, "escitalopram",
             "Lexapro (escitalopram) US prescribing information §12.3: t½ about 27–32 h; 32 h used",
             (SEROTONIN,)),
    _washout("fluvoxamine", ("Luvox", "Luvox CR", "Faverin"), "SSRI", 15.6, "fluvoxamine",
             "Fluvoxamine maleate tablets US prescribing information §12.3: mean t½ 15.6 h at "
             "steady state; 15.6 h used", (SEROTONIN,)),
    _washout("vilazodone", ("Viibryd",), "SSRI and 5-HT1A partial agonist", 25, "vilazodone",
             "Viibryd (vilazodone) US prescribing information §12.3: terminal t½ about 25 h; "
             "25 h used", (SEROTONIN,)),
    _washout("vortioxetine", ("Trintellix", "Brintellix"), "serotonin modulator", 66,
             "vortioxetine",
             "Trintellix (vortioxetine) US prescribing information §12.3: mean terminal t½ "
             "about 66 h; 66 h used", (SEROTONIN,)),
)  # fmt: skip

SNRIS = (
    _washout("venlafaxine", ("Effexor", "Effexor XR", "Efexor"), "SNRI", 11,
             "O-desmethylvenlafaxine",
             "Effexor XR (venlafaxine) US prescribing information §12.3: venlafaxine t½ 5 ± 2 h, "
             "O-desmethylvenlafaxine 11 ± 2 h; 11 h used", (SEROTONIN,)),
    _washout("desvenlafaxine", ("Pristiq", "Khedezla"), "SNRI", 11, "desvenlafaxine",
             "Pristiq (desvenlafaxine) US prescribing information §12.3: mean terminal t½ about "
             "11 h; 11 h used", (SEROTONIN,)),
    _washout("duloxetine", ("Cymbalta", "Drizalma Sprinkle"), "SNRI", 17, "duloxetine",
             "Cymbalta (duloxetine) US prescribing information §12.3: t½ about 12 h (range "
             "8–17 h); 17 h used; moderate CYP2D6 inhibitor (§7)", (SEROTONIN, CYP2D6)),
    _washout("levomilnacipran", ("Fetzima",), "SNRI", 12, "levomilnacipran",
             "Fetzima (levomilnacipran) US prescribing information §12.3: terminal t½ about "
             "12 h; 12 h used", (SEROTONIN,)),
    _washout("milnacipran", ("Savella",), "SNRI", 8, "milnacipran",
             "Savella (milnacipran) US prescribing information §12.3: terminal t½ about 6–8 h; "
             "8 h used", (SEROTONIN,)),
)  # fmt: skip

TRICYCLICS = (
    _washout("amitriptyline", ("Elavil",), "tricyclic antidepressant", 90, "nortriptyline",
             "Amitriptyline hydrochloride tablets US prescribing information (clinical "
             "pharmacology): active metabolite nortriptyline, t½ up to about 90 h; 90 h used "
             "(to verify)", (SEROTONIN,)),
    _washout("nortriptyline", ("Pamelor", "Aventyl"), "tricyclic antidepressant", 90,
             "nortriptyline",
             "Pamelor (nortriptyline) US prescribing information (clinical pharmacology): t½ up "
             "to about 90 h; 90 h used (to verify)", (SEROTONIN,)),
    _washout("imipramine", ("Tofranil", "Tofranil-PM"), "tricyclic antidepressant", 76,
             "desipramine",
             "Tofranil (imipramine) US prescribing information (clinical pharmacology): active "
             "metabolite desipramine, t½ up to about 76 h; 76 h used (to verify)", (SEROTONIN,)),
    _washout("desipramine", ("Norpramin",), "tricyclic antidepressant", 76, "desipramine",
             "Norpramin (desipramine) US prescribing information (clinical pharmacology): t½ up "
             "to about 76 h; 76 h used (to verify)", (SEROTONIN,)),
    _washout("clomipramine", ("Anafranil",), "tricyclic antidepressant", 77,
             "desmethylclomipramine",
             "Anafranil (clomipramine) US prescribing information (clinical pharmacology): "
             "clomipramine t½ 32 h (19–37 h), desmethylclomipramine 69 h (54–77 h); 77 h used",
             (SEROTONIN,)),
    _washout("doxepin", ("Sinequan", "Silenor"), "tricyclic antidepressant", 31,
             "N-desmethyldoxepin",
             "Silenor (doxepin) US prescribing information §12.3: doxepin t½ 15.3 h, "
             "N-desmethyldoxepin 31 h; 31 h used", (SEROTONIN,)),
)  # fmt: skip

MAOIS = (
    _maoi("phenelzine", ("Nardil",), 11.6, "phenelzine",
          "Nardil (phenelzine) US prescribing information (clinical pharmacology): t½ 11.6 h; "
          "11.6 h used (the 14-day MAOI minimum governs)"),
    _maoi("tranylcypromine", ("Parnate",), 2.5, "tranylcypromine",
          "Parnate (tranylcypromine) US prescribing information §12.3: t½ about 2.5 h; 2.5 h "
          "used (the 14-day MAOI minimum governs)"),
    _maoi("selegiline", ("Emsam", "Eldepryl", "Zelapar"), 25, "selegiline and metabolites",
          "Emsam (selegiline transdermal) US prescribing information §12.3: t½ of selegiline and "
          "its metabolites 18–25 h; 25 h used (the 14-day MAOI minimum governs)",
          "irreversible MAOI (MAO-B, MAO-A at higher doses)"),
    _maoi("isocarboxazid", ("Marplan",), 4, "isocarboxazid",
          "Marplan (isocarboxazid) US prescribing information: no elimination half-life given "
          "(to verify); a short-acting hydrazine like phenelzine, 4 h used: the 14-day MAOI "
          "minimum governs"),
    _maoi("rasagiline", ("Azilect",), 3, "rasagiline",
          "Azilect (rasagiline) US prescribing information §12.3: mean steady-state t½ about "
          "3 h; 3 h used (the 14-day MAOI minimum governs)", "irreversible MAOI (MAO-B)"),
    _washout("moclobemide", ("Manerix", "Aurorix"), "reversible MAOI (RIMA)", 4, "moclobemide",
             "Manerix (moclobemide) Canadian product monograph (pharmacokinetics): t½ 1–2 h, "
             "longer with repeated dosing; 4 h used (to verify)", (SEROTONIN,)),
    _washout("linezolid", ("Zyvox",), "reversible MAOI (oxazolidinone antibiotic)", 7,
             "linezolid",
             "Zyvox (linezolid) US prescribing information §12.3: mean elimination t½ about "
             "5–7 h; 7 h used (to verify)", (SEROTONIN,), why=SEROTONERGIC),
    _washout("methylene blue", ("ProvayBlue",), "reversible MAOI (MAO-A)", 24,
             "methylene blue",
             "ProvayBlue (methylene blue) US prescribing information §12.3: terminal t½ about "
             "24 h; 24 h used (to verify)", (SEROTONIN,), why=SEROTONERGIC),
)  # fmt: skip

OTHER_ANTIDEPRESSANTS_AND_MOOD = (
    _washout("bupropion", ("Wellbutrin", "Wellbutrin SR", "Wellbutrin XL", "Zyban", "Aplenzin",
                           "Forfivo XL"),
             "aminoketone antidepressant", 37, "threohydrobupropion",
             "Wellbutrin XL (bupropion) US prescribing information §12.3: bupropion t½ 21 h; "
             "hydroxybupropion 20 ± 5 h, erythrohydrobupropion 33 ± 10 h, threohydrobupropion "
             "37 ± 13 h; 37 h used; CYP2D6 inhibitor (§7)", (CYP2D6,)),
    _washout("mirtazapine", ("Remeron", "RemeronSolTab"), "noradrenergic and specific "
             "serotonergic antidepressant", 40, "mirtazapine",
             "Remeron (mirtazapine) US prescribing information §12.3: t½ 20–40 h; 40 h used",
             (SEROTONIN,)),
    _washout("trazodone", ("Desyrel", "Oleptro"), "serotonin antagonist and reuptake inhibitor",
             9, "trazodone",
             "Desyrel (trazodone) US prescribing information §12.3: biphasic, terminal t½ 5–9 h; "
             "9 h used", (SEROTONIN,)),
    _washout("buspirone", ("Buspar", "Buspar Dividose"), "anxiolytic (5-HT1A partial agonist)",
             3, "buspirone",
             "Buspar (buspirone) US prescribing information (clinical pharmacology): average "
             "elimination t½ 2–3 h; 3 h used", (SEROTONIN,)),
    _washout("lamotrigine", ("Lamictal", "Lamictal XR", "Lamictal ODT", "Lamictal CD"),
             "anticonvulsant mood stabiliser", 70, "lamotrigine",
             "Lamictal (lamotrigine) US prescribing information §12.3: mean t½ about 25–33 h "
             "alone, about 59–70 h with valproate; 70 h used. Restarting needs the label's "
             "re-titration (serious rash), and an epilepsy indication goes to the physician",
             why="mood stabiliser, tapered and stopped before baseline"),
    _washout("valproate", ("Depakote", "Depakote ER", "Depakene", "Depacon", "Epilim", "Epival",
                           "valproic acid", "divalproex", "divalproex sodium", "sodium valproate"),
             "anticonvulsant mood stabiliser", 16, "valproic acid",
             "Depakote (divalproex sodium) US prescribing information §12.3: mean terminal t½ "
             "9–16 h; 16 h used. An epilepsy indication goes to the physician",
             why="mood stabiliser, tapered and stopped before baseline"),
    _washout("lithium", ("Lithobid", "Eskalith", "lithium carbonate"), "mood stabiliser", 36,
             "lithium",
             "Lithobid (lithium carbonate) US prescribing information §12.3: elimination t½ "
             "about 18–36 h; 36 h used (to verify)", (SEROTONIN,)),
)  # fmt: skip

ANTIPSYCHOTICS = (
    _washout("quetiapine", ("Seroquel", "Seroquel XR"), "atypical antipsychotic", 12,
             "norquetiapine",
             "Seroquel (quetiapine) US prescribing information §12.3: quetiapine t½ about 7 h, "
             "N-desalkylquetiapine about 12 h; 12 h used"),
    _washout("aripiprazole", ("Abilify", "Abilify Mycite"), "atypical antipsychotic", 94,
             "dehydro-aripiprazole",
             "Abilify (aripiprazole) US prescribing information §12.3: aripiprazole t½ 75 h, "
             "dehydro-aripiprazole 94 h; 94 h used"),
    _washout("brexpiprazole", ("Rexulti",), "atypical antipsychotic", 91, "brexpiprazole",
             "Rexulti (brexpiprazole) US prescribing information §12.3: terminal t½ 91 h; "
             "91 h used"),
    _washout("cariprazine", ("Vraylar", "Reagila"), "atypical antipsychotic", 504,
             "didesmethylcariprazine",
             "Vraylar (cariprazine) US prescribing information §12.3: cariprazine and DCAR t½ "
             "2–4 days, DDCAR 1–3 weeks; 3 weeks (504 h) used"),
    _washout("olanzapine", ("Zyprexa", "Zyprexa Zydis"), "atypical antipsychotic", 54,
             "olanzapine",
             "Zyprexa (olanzapine) US prescribing information §12.3: t½ 21–54 h; 54 h used"),
    _washout("risperidone", ("Risperdal", "Risperdal M-Tab"), "atypical antipsychotic", 30,
             "9-hydroxyrisperidone",
             "Risperdal (risperidone) US prescribing information §12.3: 9-hydroxyrisperidone t½ "
             "about 21 h (extensive metabolisers), 30 h (poor metabolisers); 30 h used"),
    _washout("paliperidone", ("Invega",), "atypical antipsychotic", 23, "paliperidone",
             "Invega (paliperidone extended-release tablets) US prescribing information §12.3: "
             "terminal t½ about 23 h; 23 h used"),
    _washout("ziprasidone", ("Geodon", "Zeldox"), "atypical antipsychotic", 7, "ziprasidone",
             "Geodon (ziprasidone) US prescribing information §12.3: mean terminal t½ about 7 h; "
             "7 h used"),
    _washout("lurasidone", ("Latuda",), "atypical antipsychotic", 18, "lurasidone",
             "Latuda (lurasidone) US prescribing information §12.3: t½ 18 h (40 mg); 18 h used"),
    _washout("clozapine", ("Clozaril", "Versacloz", "FazaClo"), "atypical antipsychotic", 66,
             "clozapine",
             "Clozaril (clozapine) US prescribing information §12.3: mean t½ 12 h at steady "
             "state, range up to 66 h; 66 h used (to verify)"),
    _washout("haloperidol decanoate", ("Haldol Decanoate", "Haldol Depot"),
             "long-acting injectable antipsychotic", _hours(21), "haloperidol",
             "Haldol Decanoate US prescribing information (clinical pharmacology): apparent t½ "
             "about 3 weeks; 21 days (504 h) used", why=LONG_ACTING),
    _washout("fluphenazine decanoate", ("Modecate", "Prolixin Decanoate"),
             "long-acting injectable antipsychotic", _hours(14.3), "fluphenazine",
             "Fluphenazine decanoate injection US prescribing information (clinical "
             "pharmacology): apparent t½ about 14 days after repeated injections; 14.3 days "
             "(343.2 h) used (to verify)", why=LONG_ACTING),
    _washout("paliperidone palmitate 1-monthly", ("Invega Sustenna", "Xeplion"),
             "long-acting injectable antipsychotic", _hours(49), "paliperidone",
             "Invega Sustenna (paliperidone palmitate) US prescribing information §12.3: median "
             "apparent t½ 25–49 days; 49 days (1176 h) used", why=LONG_ACTING),
    _washout("paliperidone palmitate 3-monthly", ("Invega Trinza", "Trevicta"),
             "long-acting injectable antipsychotic", _hours(139), "paliperidone",
             "Invega Trinza (paliperidone palmitate) US prescribing information §12.3: median "
             "apparent t½ 84–95 days (deltoid), 118–139 days (gluteal); 139 days (3336 h) used",
             why=LONG_ACTING),
    _washout("paliperidone palmitate 6-monthly", ("Invega Hafyera", "Byannli"),
             "long-acting injectable antipsychotic", _hours(159), "paliperidone",
             "Invega Hafyera (paliperidone palmitate) US prescribing information §12.3: median "
             "apparent t½ 148–159 days; 159 days (3816 h) used", why=LONG_ACTING),
    _washout("paliperidone palmitate", ("paliperidone LAI", "paliperidone depot"),
             "long-acting injectable antipsychotic (product not named)", _hours(159),
             "paliperidone",
             "Product not named: the longest-acting paliperidone palmitate (Invega Hafyera US "
             "prescribing information §12.3: median apparent t½ 148–159 days) is assumed, "
             "159 days (3816 h) used; record the product for its own washout", why=LONG_ACTING),
    _washout("aripiprazole monohydrate long-acting injection",
             ("Abilify Maintena", "Abilify Asimtufii", "aripiprazole LAI", "aripiprazole depot"),
             "long-acting injectable antipsychotic", _hours(46.5), "aripiprazole",
             "Abilify Maintena (aripiprazole) US prescribing information §12.3: mean terminal t½ "
             "29.9 days (300 mg) and 46.5 days (400 mg); 46.5 days (1116 h) used; the 2-monthly "
             "Abilify Asimtufii to verify against its own label", why=LONG_ACTING),
    _washout("aripiprazole lauroxil", ("Aristada", "Aristada Initio"),
             "long-acting injectable antipsychotic", _hours(35), "aripiprazole",
             "Aristada (aripiprazole lauroxil) US prescribing information §12.3: aripiprazole "
             "terminal t½ about 29–35 days after repeated injections; 35 days (840 h) used "
             "(to verify)", why=LONG_ACTING),
    _washout("risperidone long-acting injection",
             ("Risperdal Consta", "Perseris", "Rykindo", "Uzedy", "risperidone LAI",
              "risperidone depot"),
             "long-acting injectable antipsychotic", _hours(22), "risperidone and "
             "9-hydroxyrisperidone",
             "Risperdal Consta US prescribing information §12.3: release mainly from week 3, "
             "lasting 4–6 weeks and subsiding by week 7; Uzedy US prescribing information §12.3: "
             "apparent t½ 14–22 days (to verify); 22 days (528 h) used for every product so that "
             "the release phase is covered", why=LONG_ACTING),
    _washout("olanzapine pamoate", ("Zyprexa Relprevv", "Zypadhera"),
             "long-acting injectable antipsychotic", _hours(30), "olanzapine",
             "Zyprexa Relprevv (olanzapine pamoate) US prescribing information §12.3: t½ about "
             "30 days; 30 days (720 h) used", why=LONG_ACTING),
    _washout("haloperidol", ("Haldol",), "typical antipsychotic", 37, "haloperidol",
             "Haloperidol tablets US prescribing information (clinical pharmacology): t½ about "
             "14–37 h; 37 h used (to verify)"),
)  # fmt: skip

STIMULANTS_AND_ADHD = (
    _washout("amphetamine", ("Adderall", "Adderall XR", "Mydayis", "Evekeo", "Adzenys XR-ODT"),
             "stimulant", 13, "l-amphetamine",
             "Adderall XR (mixed amphetamine salts) US prescribing information §12.3: adult t½ "
             "d-amphetamine 10 h, l-amphetamine 13 h; 13 h used", (SEROTONIN,)),
    _washout("dextroamphetamine", ("Dexedrine", "Zenzedi", "ProCentra"), "stimulant", 12,
             "dextroamphetamine",
             "Dexedrine (dextroamphetamine) US prescribing information (clinical pharmacology): "
             "t½ about 12 h; 12 h used (to verify)", (SEROTONIN,)),
    _washout("lisdexamfetamine", ("Vyvanse", "Elvanse"), "stimulant (amphetamine prodrug)", 12,
             "dextroamphetamine",
             "Vyvanse (lisdexamfetamine) US prescribing information §12.3: d-amphetamine t½ about "
             "10–12 h; 12 h used (to verify)", (SEROTONIN,)),
    _washout("methylphenidate", ("Ritalin", "Ritalin LA", "Concerta", "Metadate CD", "Methylin",
                                 "QuilliChew ER", "Jornay PM", "Daytrana"),
             "stimulant", 3.5, "methylphenidate",
             "Concerta (methylphenidate) US prescribing information §12.3: mean terminal t½ about "
             "3.5 h; 3.5 h used"),
    _washout("dexmethylphenidate", ("Focalin", "Focalin XR"), "stimulant", 2.2,
             "dexmethylphenidate",
             "Focalin (dexmethylphenidate) US prescribing information §12.3: mean terminal t½ "
             "about 2.2 h; 2.2 h used"),
    _washout("modafinil", ("Provigil",), "wakefulness-promoting agent", 15, "modafinil",
             "Provigil (modafinil) US prescribing information §12.3: effective t½ about 15 h; "
             "15 h used"),
    _washout("armodafinil", ("Nuvigil",), "wakefulness-promoting agent", 15, "armodafinil",
             "Nuvigil (armodafinil) US prescribing information §12.3: terminal t½ about 15 h; "
             "15 h used"),
    _washout("atomoxetine", ("Strattera",), "noradrenaline reuptake inhibitor", 21.6,
             "atomoxetine",
             "Strattera (atomoxetine) US prescribing information §12.3: mean t½ 5.2 h (CYP2D6 "
             "extensive metabolisers), 21.6 h (poor metabolisers); 21.6 h used"),
)  # fmt: skip

BENZODIAZEPINES_AND_HYPNOTICS = (
    _washout("diazepam", ("Valium",), "benzodiazepine", 100, "desmethyldiazepam",
             "Valium (diazepam) US prescribing information (clinical pharmacology): diazepam t½ "
             "up to 48 h, desmethyldiazepam up to 100 h; 100 h used"),
    _washout("alprazolam", ("Xanax", "Xanax XR"), "benzodiazepine", 26.9, "alprazolam",
             "Xanax (alprazolam) US prescribing information §12.3: mean t½ 11.2 h (range "
             "6.3–26.9 h); 26.9 h used"),
    _washout("clonazepam", ("Klonopin", "Rivotril"), "benzodiazepine", 40, "clonazepam",
             "Klonopin (clonazepam) US prescribing information §12.3: t½ typically 30–40 h; "
             "40 h used"),
    _washout("lorazepam", ("Ativan", "Loreev XR"), "benzodiazepine", 12, "lorazepam",
             "Ativan (lorazepam) US prescribing information (clinical pharmacology): mean t½ "
             "about 12 h; 12 h used"),
    _washout("chlordiazepoxide", ("Librium",), "benzodiazepine", 100, "desmethyldiazepam",
             "Librium (chlordiazepoxide) US prescribing information (clinical pharmacology): "
             "long-lived active metabolites (demoxepam, desmethyldiazepam); 100 h used "
             "(to verify)"),
    _washout("temazepam", ("Restoril",), "benzodiazepine", 18.4, "temazepam",
             "Restoril (temazepam) US prescribing information (clinical pharmacology): terminal "
             "t½ 3.5–18.4 h; 18.4 h used"),
    _washout("zolpidem", ("Ambien", "Ambien CR", "Edluar", "Intermezzo"),
             "non-benzodiazepine hypnotic", 4.5, "zolpidem",
             "Ambien (zolpidem) US prescribing information §12.3: mean t½ 2.5 h (range "
             "1.4–4.5 h); 4.5 h used"),
)  # fmt: skip

CYP2D6_INHIBITORS_AND_SEROTONERGIC_OTHERS = (
    _washout("quinidine", ("Quinidex",), "antiarrhythmic", 8, "quinidine",
             "Quinidine sulfate US prescribing information (clinical pharmacology): t½ about "
             "6–8 h; 8 h used (to verify); strong CYP2D6 inhibitor", (CYP2D6,),
             why=CYP2D6_INHIBITOR),
    _washout("terbinafine", ("Lamisil",), "antifungal", 400, "terbinafine (tissue depot)",
             "Lamisil (terbinafine) US prescribing information §12.3: effective t½ about 36 h, "
             "terminal t½ 200–400 h (slow release from skin and fat); 400 h used because "
             "CYP2D6 inhibition persists; CYP2D6 inhibitor (§7)", (CYP2D6,),
             why=CYP2D6_INHIBITOR),
    _washout("cinacalcet", ("Sensipar", "Mimpara"), "calcimimetic", 40, "cinacalcet",
             "Sensipar (cinacalcet) US prescribing information §12.3: terminal t½ 30–40 h; "
             "40 h used; strong CYP2D6 inhibitor (§7)", (CYP2D6,), why=CYP2D6_INHIBITOR),
    _washout("mirabegron", ("Myrbetriq", "Betmiga"), "beta-3 agonist", 50, "mirabegron",
             "Myrbetriq (mirabegron) US prescribing information §12.3: terminal t½ about 50 h; "
             "50 h used; moderate CYP2D6 inhibitor (§7)", (CYP2D6,), why=CYP2D6_INHIBITOR),
    _washout("ritonavir", ("Norvir",), "HIV protease inhibitor (booster)", 5, "ritonavir",
             "Norvir (ritonavir) US prescribing information §12.3: t½ about 3–5 h; 5 h used; "
             "inhibits CYP2D6 (§7)", (CYP2D6,), why=CYP2D6_INHIBITOR),
    _washout("dextromethorphan", ("DXM", "Delsym", "Nuedexta"),
             "antitussive (NMDA antagonist, serotonergic)", 30, "dextromethorphan",
             "Nuedexta (dextromethorphan/quinidine) US prescribing information §12.3: "
             "dextromethorphan t½ about 13 h with quinidine blocking CYP2D6, longer in poor "
             "metabolisers; 30 h used (to verify). " + MDMA_INHIBITS_CYP2D6,
             (SEROTONIN, SUBSTRATE), why=SEROTONERGIC),
    _washout("st john's wort", ("st. john's wort", "st johns wort", "st. johns wort",
                                "saint john's wort", "hypericum", "hypericum perforatum"),
             "herbal antidepressant (serotonergic)", 43, "hypericin",
             "No drug label (a herbal product): hypericin t½ about 25–43 h in healthy-volunteer "
             "pharmacokinetic studies (secondary, to verify); 43 h used",
             (SEROTONIN,), why=SEROTONERGIC),
    _washout("sumatriptan", ("Imitrex", "Imigran", "Zembrace", "Tosymra", "Onzetra"),
             "triptan (5-HT1B/1D agonist)", 2.5, "sumatriptan",
             "Imitrex (sumatriptan) US prescribing information §12.3: elimination t½ about "
             "2.5 h; 2.5 h used; serotonin syndrome warning (§5)", (SEROTONIN,),
             why=SEROTONERGIC),
    _washout("rizatriptan", ("Maxalt", "Maxalt-MLT"), "triptan (5-HT1B/1D agonist)", 3,
             "rizatriptan",
             "Maxalt (rizatriptan) US prescribing information §12.3: t½ 2–3 h; 3 h used; "
             "serotonin syndrome warning (§5)", (SEROTONIN,), why=SEROTONERGIC),
    _washout("zolmitriptan", ("Zomig", "Zomig-ZMT"), "triptan (5-HT1B/1D agonist)", 3,
             "zolmitriptan and N-desmethylzolmitriptan",
             "Zomig (zolmitriptan) US prescribing information §12.3: t½ of zolmitriptan and its "
             "active N-desmethyl metabolite about 3 h; 3 h used; serotonin syndrome warning (§5)",
             (SEROTONIN,), why=SEROTONERGIC),
    _washout("eletriptan", ("Relpax",), "triptan (5-HT1B/1D agonist)", 4, "eletriptan",
             "Relpax (eletriptan) US prescribing information §12.3: terminal t½ about 4 h; 4 h "
             "used; serotonin syndrome warning (§5)", (SEROTONIN,), why=SEROTONERGIC),
    _washout("naratriptan", ("Amerge", "Naramig"), "triptan (5-HT1B/1D agonist)", 6,
             "naratriptan",
             "Amerge (naratriptan) US prescribing information §12.3: t½ about 6 h; 6 h used; "
             "serotonin syndrome warning (§5)", (SEROTONIN,), why=SEROTONERGIC),
    _washout("almotriptan", ("Axert", "Almogran"), "triptan (5-HT1B/1D agonist)", 4,
             "almotriptan",
             "Axert (almotriptan) US prescribing information §12.3: mean t½ 3–4 h; 4 h used; "
             "serotonin syndrome warning (§5)", (SEROTONIN,), why=SEROTONERGIC),
    _washout("frovatriptan", ("Frova", "Migard"), "triptan (5-HT1B/1D agonist)", 26,
             "frovatriptan",
             "Frova (frovatriptan) US prescribing information §12.3: mean terminal t½ about "
             "26 h; 26 h used; serotonin syndrome warning (§5)", (SEROTONIN,), why=SEROTONERGIC),
    _washout("methadone", ("Dolophine", "Methadose", "Physeptone"),
             "opioid agonist (opioid use disorder or pain)", 59, "methadone",
             "Dolophine (methadone) US prescribing information §12.3: terminal t½ 8–59 h; 59 h "
             "used; serotonin syndrome and QT prolongation warnings (§5)", (SEROTONIN,),
             why="serotonergic and prolongs QT; never stopped abruptly: tapered with its "
                 "prescriber, and the physician decides whether MDMA-AT fits"),
    _washout("prazosin", ("Minipress",), "alpha-1 blocker (PTSD nightmares, hypertension)", 3,
             "prazosin",
             "Minipress (prazosin) US prescribing information (clinical pharmacology): plasma "
             "t½ 2–3 h; 3 h used",
             why="prescribed in PTSD for nightmares: stopped before baseline with the "
                 "psychiatric medications (site classification)"),
    _washout("propranolol", ("Inderal", "Inderal LA", "InnoPran XL", "Hemangeol"),
             "non-selective beta blocker", 10, "propranolol",
             "Inderal LA (propranolol) US prescribing information §12.3: t½ about 10 h (3–6 h "
             "immediate release); 10 h used; CYP2D6 substrate. " + MDMA_INHIBITS_CYP2D6,
             (SUBSTRATE,),
             why="used in PTSD and anxiety: stopped before baseline with the psychiatric "
                 "medications; with a sympathomimetic, non-selective beta blockade can leave "
                 "alpha stimulation unopposed (site classification)"),
    _washout("tramadol", ("Ultram", "Ultram ER", "ConZip"), "opioid analgesic", 7.4,
             "O-desmethyltramadol (M1)",
             "Ultram (tramadol) US prescribing information §12.3: tramadol t½ 6.3 h, M1 7.4 h; "
             "7.4 h used", (SEROTONIN,), why=SEROTONERGIC),
)  # fmt: skip

NO_WASHOUT_NEEDED = (
    # Antihypertensives
    _keep("amlodipine", ("Norvasc", "Istin"), "calcium-channel blocker"),
    _keep("nifedipine", ("Procardia", "Adalat"), "calcium-channel blocker"),
    _keep("lisinopril", ("Zestril", "Prinivil"), "ACE inhibitor"),
    _keep("enalapril", ("Vasotec",), "ACE inhibitor"),
    _keep("ramipril", ("Altace",), "ACE inhibitor"),
    _keep("losartan", ("Cozaar",), "angiotensin receptor blocker"),
    _keep("valsartan", ("Diovan",), "angiotensin receptor blocker"),
    _keep("hydrochlorothiazide", ("Microzide", "HCTZ"), "thiazide diuretic"),
    _keep("chlorthalidone", ("Thalitone",), "thiazide-like diuretic"),
    _substrate(
        "metoprolol",
        ("Lopressor", "Toprol-XL"),
        "beta blocker",
        "Lopressor (metoprolol) US prescribing information §12.3",
    ),
    _substrate(
        "carvedilol",
        ("Coreg", "Coreg CR"),
        "beta blocker",
        "Coreg (carvedilol) US prescribing information §12.3",
    ),
    _substrate(
        "nebivolol",
        ("Bystolic",),
        "beta blocker",
        "Bystolic (nebivolol) US prescribing information §12.3",
    ),
    _substrate(
        "flecainide",
        ("Tambocor",),
        "antiarrhythmic",
        "Tambocor (flecainide) US prescribing information (clinical pharmacology)",
    ),
    _substrate(
        "propafenone",
        ("Rythmol", "Rythmol SR"),
        "antiarrhythmic",
        "Rythmol (propafenone) US prescribing information §12.3",
    ),
    _substrate(
        "ondansetron",
        ("Zofran",),
        "antiemetic (5-HT3 antagonist)",
        "Zofran (ondansetron) US prescribing information §12.3",
    ),
    _substrate(
        "tamsulosin",
        ("Flomax",),
        "alpha-1 blocker (prostate)",
        "Flomax (tamsulosin) US prescribing information §12.3",
    ),
    _keep("atenolol", ("Tenormin",), "beta blocker"),
    # Hormonal contraceptives (combined products are matched by their progestin)
    _keep("ethinyl estradiol", (), "hormonal contraceptive (oestrogen)"),
    _keep(
        "levonorgestrel",
        ("Mirena", "Kyleena", "Plan B", "Alesse", "Seasonique"),
        "hormonal contraceptive (progestin)",
    ),
    _keep(
        "norethindrone",
        ("Micronor", "Loestrin", "Camila", "norethisterone"),
        "hormonal contraceptive (progestin)",
    ),
    _keep("drospirenone", ("Yasmin", "Yaz", "Slynd"), "hormonal contraceptive (progestin)"),
    _keep("etonogestrel", ("Nexplanon", "NuvaRing"), "hormonal contraceptive (progestin)"),
    _keep("medroxyprogesterone", ("Depo-Provera",), "hormonal contraceptive (progestin)"),
    _keep("norgestimate", ("Ortho Tri-Cyclen", "Sprintec"), "hormonal contraceptive (progestin)"),
    # Thyroid hormone
    _keep(
        "levothyroxine",
        ("Synthroid", "Levoxyl", "Euthyrox", "Tirosint", "Unithroid"),
        "thyroid hormone",
    ),
    _keep("liothyronine", ("Cytomel",), "thyroid hormone"),
    # Common analgesics
    _keep("acetaminophen", ("Tylenol", "paracetamol", "Panadol"), "analgesic"),
    _keep("ibuprofen", ("Advil", "Motrin", "Nurofen"), "NSAID analgesic"),
    _keep("naproxen", ("Aleve", "Naprosyn"), "NSAID analgesic"),
    _keep("aspirin", ("acetylsalicylic acid",), "NSAID analgesic"),
    _keep("diclofenac", ("Voltaren",), "NSAID analgesic"),
    _keep("celecoxib", ("Celebrex",), "NSAID analgesic"),
    # Others
    _keep("metformin", ("Glucophage",), "antidiabetic"),
    _keep("atorvastatin", ("Lipitor",), "statin"),
    _keep("rosuvastatin", ("Crestor",), "statin"),
    _keep("simvastatin", ("Zocor",), "statin"),
    _keep("omeprazole", ("Prilosec", "Losec"), "proton-pump inhibitor"),
    _keep("esomeprazole", ("Nexium",), "proton-pump inhibitor"),
    _keep("pantoprazole", ("Protonix",), "proton-pump inhibitor"),
    _keep("cetirizine", ("Zyrtec",), "antihistamine (non-sedating)"),
    _keep("loratadine", ("Claritin",), "antihistamine (non-sedating)"),
    _keep("fexofenadine", ("Allegra",), "antihistamine (non-sedating)"),
    _keep("albuterol", ("Ventolin", "ProAir", "salbutamol"), "inhaled bronchodilator"),
    _keep("fluticasone", ("Flonase", "Flovent"), "corticosteroid (inhaled/nasal)"),
    _keep("montelukast", ("Singulair",), "leukotriene receptor antagonist"),
    _keep("cholecalciferol", ("vitamin D3", "vitamin D"), "vitamin"),
    _keep("folic acid", (), "vitamin"),
    _keep("ferrous sulfate", (), "iron supplement"),
)

MEDICATIONS = MedicationTable(
    rule=WASHOUT_RULE,
    entries=(
        *SSRIS,
        *SNRIS,
        *TRICYCLICS,
        *MAOIS,
        *OTHER_ANTIDEPRESSANTS_AND_MOOD,
        *ANTIPSYCHOTICS,
        *STIMULANTS_AND_ADHD,
        *BENZODIAZEPINES_AND_HYPNOTICS,
        *CYP2D6_INHIBITORS_AND_SEROTONERGIC_OTHERS,
        *NO_WASHOUT_NEEDED,
    ),
)
