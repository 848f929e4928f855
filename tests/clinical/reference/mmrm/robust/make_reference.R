# Reference values for the empirical (sandwich) covariances CR0 and CR3 of an MMRM fit.
#
# Run from this folder: Rscript make_reference.R  (writes robust_reference.csv)
# Made with R 4.2.2 and Debian bookworm's r-cran-nlme 3.1-162 and r-cran-clubsandwich 0.5.8.
# Not part of the test suite: tests/clinical/test_mmrm_robust_reference.py reads the CSV.
#
# The unstructured MMRM is nlme::gls with a general correlation (corSymm) and one variance per
# visit (varIdent), fitted by REML on the analysed rows (na.omit); clubSandwich::vcovCR with
# the subject as cluster gives CR0 (the plain sandwich, SAS `empirical`) and CR3 (the
# leave-one-subject-out approximate jackknife of Bell and McCaffrey 2002, mmrm's
# "Empirical-Jackknife", without a (n-1)/n factor).
suppressPackageStartupMessages({
  library(nlme)
  library(clubSandwich)
})

fev <- read.csv("../fev_data.csv")
fev$AVISIT <- factor(fev$AVISIT, levels = c("VIS1", "VIS2", "VIS3", "VIS4"))
fev$ARMCD <- factor(fev$ARMCD, levels = c("PBO", "TRT"))
fev$RACE <- factor(fev$RACE, levels = c("Asian", "Black or African American", "White"))
fev$SEX <- factor(fev$SEX, levels = c("Male", "Female"))
analysed <- fev[!is.na(fev$FEV1), ]
analysed$VISITNO <- as.integer(analysed$AVISIT)

models <- list(
  armcd = FEV1 ~ ARMCD,
  baseline_arm_visit = FEV1 ~ FEV1_BL + ARMCD * AVISIT
)

rows <- list()
add <- function(case, quantity, values, names) {
  m <- as.matrix(values)
  for (i in seq_len(nrow(m))) {
    for (j in seq_len(ncol(m))) {
      rows[[length(rows) + 1]] <<- data.frame(
        case = case, quantity = quantity,
        row = names[i], col = if (ncol(m) > 1) names[j] else "",
        value = sprintf("%.17g", m[i, j])
      )
    }
  }
}

for (case in names(models)) {
  fit <- gls(
    models[[case]],
    data = analysed,
    correlation = corSymm(form = ~ VISITNO | USUBJID),
    weights = varIdent(form = ~ 1 | AVISIT),
    method = "REML",
    control = glsControl(tolerance = 1e-10, msTol = 1e-10, maxIter = 500, msMaxIter = 500)
  )
  terms <- names(coef(fit))
  add(case, "beta", coef(fit), terms)
  add(case, "model_vcov", vcov(fit), terms)
  add(case, "cr0", as.matrix(vcovCR(fit, cluster = analysed$USUBJID, type = "CR0")), terms)
  add(case, "cr3", as.matrix(vcovCR(fit, cluster = analysed$USUBJID, type = "CR3")), terms)
}

write.csv(do.call(rbind, rows), "robust_reference.csv", row.names = FALSE, quote = TRUE)
cat("R", R.version$major, R.version$minor, "nlme", as.character(packageVersion("nlme")),
    "clubSandwich", as.character(packageVersion("clubSandwich")), "\n")
