# Reference values for the spatial exponential covariance sp_exp(DAY | USUBJID) of an MMRM fit
# on unequally spaced visits.
#
# Run from this folder: Rscript make_reference.R  (writes fev_days.csv and sp_exp_reference.csv)
# Made with R 4.2.2 and Debian bookworm's r-cran-nlme 3.1-162.
# Not part of the test suite: tests/clinical/test_mmrm_sp_exp_reference.py reads the CSVs.
#
# Data: mmrm's fev_data (../fev_data.csv) with a study day per visit. The nominal days 1, 15,
# 43 and 85 (weeks 0, 2, 6 and 12: unequal spacing) are moved by a visit-window offset of -3..3
# days drawn per row with set.seed(20261203), so subjects are seen on different days.
#
# Model: nlme::gls with corExp(form = ~ DAY | USUBJID): cor(i, j) = exp(-|d_i - d_j| / range),
# a common variance sigma^2. mmrm's sp_exp writes the same matrix as sigma^2 rho^|d_i - d_j|,
# so rho = exp(-1 / range). REML and ML on the analysed rows (na.omit).
#
# Grouped sp_exp (one variance and one rho per arm) has no single nlme call, but with fixed
# effects that are one cell mean per arm x visit the likelihood splits by arm: every subject's
# rows and every column of X belong to one arm, so -2 log L (ML and REML, whose log|X'V^-1X| is
# then block diagonal) is the sum of one gls fit per arm. Those sums are the grouped cases.
suppressPackageStartupMessages(library(nlme))

fev <- read.csv("../fev_data.csv")
set.seed(20261203)
nominal <- c(VIS1 = 1, VIS2 = 15, VIS3 = 43, VIS4 = 85)
fev$DAY <- unname(nominal[fev$AVISIT]) + sample(-3:3, nrow(fev), replace = TRUE)
days <- fev[, c("USUBJID", "AVISIT", "ARMCD", "SEX", "FEV1_BL", "DAY", "FEV1")]
write.csv(days, "fev_days.csv", row.names = FALSE, na = "NA")

fev <- read.csv("fev_days.csv")
fev$AVISIT <- factor(fev$AVISIT, levels = c("VIS1", "VIS2", "VIS3", "VIS4"))
fev$ARMCD <- factor(fev$ARMCD, levels = c("PBO", "TRT"))
analysed <- fev[!is.na(fev$FEV1), ]
control <- glsControl(tolerance = 1e-10, msTol = 1e-10, maxIter = 500, msMaxIter = 500)

rows <- list()
add <- function(case, quantity, values, names = "") {
  for (i in seq_along(values)) {
    rows[[length(rows) + 1]] <<- data.frame(
      case = case, quantity = quantity, term = names[i],
      value = sprintf("%.17g", values[i])
    )
  }
}

sp_exp_fit <- function(model, data, method) {
  gls(model, data = data, correlation = corExp(form = ~ DAY | USUBJID),
      method = method, control = control)
}

record <- function(case, fit, prefix = "") {
  range <- coef(fit$modelStruct$corStruct, unconstrained = FALSE)[["range"]]
  add(case, paste0(prefix, "variance"), fit$sigma^2)
  add(case, paste0(prefix, "rho"), exp(-1 / range))
  add(case, paste0(prefix, "range"), range)
}

models <- list(
  arm_visit = FEV1 ~ ARMCD * AVISIT,
  baseline_arm_day = FEV1 ~ FEV1_BL + ARMCD * DAY
)
for (name in names(models)) {
  for (method in c("REML", "ML")) {
    case <- paste0(name, "_", tolower(method))
    fit <- sp_exp_fit(models[[name]], analysed, method)
    terms <- names(coef(fit))
    add(case, "minus2loglik", -2 * as.numeric(logLik(fit)))
    add(case, "beta", coef(fit), terms)
    add(case, "se", sqrt(diag(vcov(fit))), terms)
    record(case, fit)
  }
}

# Grouped: sp_exp(DAY | ARMCD / USUBJID) with FEV1 ~ 0 + ARMCD:AVISIT, one gls per arm.
for (method in c("REML", "ML")) {
  case <- paste0("grouped_cell_means_", tolower(method))
  total <- 0
  for (arm in levels(analysed$ARMCD)) {
    fit <- sp_exp_fit(FEV1 ~ 0 + AVISIT, analysed[analysed$ARMCD == arm, ], method)
    total <- total + -2 * as.numeric(logLik(fit))
    add(case, "beta", coef(fit), paste0(arm, ":", names(coef(fit))))
    add(case, "se", sqrt(diag(vcov(fit))), paste0(arm, ":", names(coef(fit))))
    record(case, fit, prefix = paste0(arm, ": "))
  }
  add(case, "minus2loglik", total)
}

# Equally spaced check against SAS in mmrm's design/SAS/sas_sp_exp_reml.txt: FEV1 ~ 1 with
# sp_exp(VISITN | USUBJID) (SAS: -2 REML log L 3875.49946734, range 1.1751, variance 88.9768).
fev_all <- read.csv("../fev_data.csv")
fit <- gls(FEV1 ~ 1, data = fev_all[!is.na(fev_all$FEV1), ],
           correlation = corExp(form = ~ VISITN | USUBJID), method = "REML", control = control)
add("visitn_intercept_reml", "minus2loglik", -2 * as.numeric(logLik(fit)))
record("visitn_intercept_reml", fit)

write.csv(do.call(rbind, rows), "sp_exp_reference.csv", row.names = FALSE, quote = TRUE)
