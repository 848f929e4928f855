# Kenward-Roger multi-d.f. test on small data (30 subjects), from pbkrtest.
#
# Run from this folder: Rscript make_reference.R  (writes kr_small_reference.csv)
# Made with R 4.2.2 and Debian bookworm's r-cran-lme4 and r-cran-pbkrtest.
# Not part of the test suite: tests/clinical/test_mmrm_reference.py reads the CSV.
#
# The first 30 subjects of fev_data (by USUBJID; 76 observed FEV1). A random intercept is
# compound symmetry with a positive correlation: lmer(FEV1 ~ ARMCD * AVISIT + (1 | USUBJID))
# by REML is the MMRM FEV1 ~ ARMCD * AVISIT + cs(AVISIT | USUBJID). pbkrtest::KRmodcomp
# tests ARMCD:AVISIT (3 d.f.) against the model without it, and vcovAdj gives the KR-adjusted
# covariance of the coefficients.
suppressPackageStartupMessages({
  library(lme4)
  library(pbkrtest)
})

fev <- read.csv("../fev_data.csv")
fev$AVISIT <- factor(fev$AVISIT, levels = c("VIS1", "VIS2", "VIS3", "VIS4"))
fev$ARMCD <- factor(fev$ARMCD, levels = c("PBO", "TRT"))
subjects <- sort(unique(fev$USUBJID))[1:30]
small <- fev[fev$USUBJID %in% subjects & !is.na(fev$FEV1), ]

control <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e5))
full <- lmer(FEV1 ~ ARMCD * AVISIT + (1 | USUBJID), data = small, REML = TRUE, control = control)
reduced <- lmer(FEV1 ~ ARMCD + AVISIT + (1 | USUBJID), data = small, REML = TRUE, control = control)
kr <- KRmodcomp(full, reduced)
adjusted <- as.matrix(vcovAdj(full))
vc <- as.data.frame(VarCorr(full))

out <- rbind(
  data.frame(quantity = "F_scaled", term = "ARMCD:AVISIT", value = kr$stats$Fstat),
  data.frame(quantity = "F_unscaled", term = "ARMCD:AVISIT", value = kr$stats$FstatU),
  data.frame(quantity = "F_scaling", term = "ARMCD:AVISIT", value = kr$stats$F.scaling),
  data.frame(quantity = "num_df", term = "ARMCD:AVISIT", value = kr$stats$ndf),
  data.frame(quantity = "den_df", term = "ARMCD:AVISIT", value = kr$stats$ddf),
  data.frame(quantity = "p", term = "ARMCD:AVISIT", value = kr$stats$p.value),
  data.frame(quantity = "estimate", term = names(fixef(full)), value = unname(fixef(full))),
  data.frame(quantity = "se_kr", term = colnames(adjusted), value = sqrt(diag(adjusted))),
  data.frame(quantity = "variance", term = c("subject", "residual"), value = vc$vcov),
  data.frame(quantity = "n_observations", term = "", value = nrow(small))
)
out$value <- sprintf("%.17g", out$value)
write.csv(out, "kr_small_reference.csv", row.names = FALSE)
cat("R", R.version$major, R.version$minor, "lme4", as.character(packageVersion("lme4")),
    "pbkrtest", as.character(packageVersion("pbkrtest")), "\n")
