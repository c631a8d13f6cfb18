# The statistics of the `analyze --format json` contract, as R computes them: sourced by
# analysis.R (the analysis module's fixtures) and wellbeing.R (the end-to-end test of a trial
# with its own questionnaires). Each function returns the contract's keys; NA is "undefined".
#
# Debian packages: r-base-core, r-cran-car, r-cran-coin, r-cran-effectsize, r-cran-pwr,
# r-cran-jsonlite.

suppressPackageStartupMessages({
  library(stats)
  library(car)
  library(coin)
  library(effectsize)
  library(pwr)
  library(jsonlite)
})

# ---- the statistics, exactly as the contract names them ------------------------------------

num <- function(x) if (length(x) == 1 && is.finite(x)) unname(x) else NULL

descr <- function(x) {
  x <- x[!is.na(x)]
  list(n = length(x), mean = if (length(x) >= 1) num(mean(x)) else NULL,
       sd = if (length(x) >= 2) num(sd(x)) else NULL)
}

# A null list element must survive toJSON: keep NULLs as explicit JSON null.
tt <- function(x, y, var_equal) {
  r <- try(t.test(x, y, var.equal = var_equal), silent = TRUE)
  if (inherits(r, "try-error") || !is.finite(r$statistic)) return(NA)
  list(t = num(r$statistic), df = num(r$parameter), p = num(r$p.value),
       diff = num(mean(x) - mean(y)), ci_low = num(r$conf.int[1]), ci_high = num(r$conf.int[2]))
}

paired <- function(post, pre) {
  ok <- !is.na(post) & !is.na(pre)
  r <- try(t.test(post[ok], pre[ok], paired = TRUE), silent = TRUE)
  if (inherits(r, "try-error") || !is.finite(r$statistic)) return(NA)
  list(t = num(r$statistic), df = num(r$parameter), p = num(r$p.value),
       diff = num(mean(post[ok] - pre[ok])), ci_low = num(r$conf.int[1]),
       ci_high = num(r$conf.int[2]))
}

levene <- function(x, y, centre) {
  # A group of one value has no spread to compare (car still gives an F from the other group
  # alone); the contract calls that undefined, as it does for t-tests needing 2 per group.
  if (length(x) < 2 || length(y) < 2) return(NA)
  v <- c(x, y)
  g <- factor(c(rep("i", length(x)), rep("w", length(y))))
  # When the absolute deviations do not vary within either group (always so with 2 values per
  # group), F is infinite; car then prints rounding noise (F ~ 1e31), so call it undefined.
  dev <- abs(v - ave(v, g, FUN = centre))
  spread <- tapply(dev, g, function(z) diff(range(z)))
  if (all(spread <= 1e-9 * max(1, dev))) return(NA)
  r <- try(suppressWarnings(car::leveneTest(v, g, center = centre)), silent = TRUE)
  if (inherits(r, "try-error") || !is.finite(r[1, "F value"])) return(NA)
  list(F = num(r[1, "F value"]), df1 = num(r[1, "Df"]), df2 = num(r[2, "Df"]),
       p = num(r[1, "Pr(>F)"]))
}

# effectsize finds the noncentral-t bounds with a root finder of loose tolerance (its limits
# are off by up to ~1e-6 absolute), so the limits written here are effectsize's method with a
# tight tolerance (uniroot, tol 1e-14), checked against effectsize to 1e-5.
ncp_limits <- function(t, df) {
  f <- function(target) {
    # pt() warns that pnt may miss full precision in the far tails (strong effects); the
    # limits still agree with the C++ kernel within the test tolerance (1e-6).
    uniroot(function(ncp) suppressWarnings(pt(t, df, ncp)) - target, c(t - 10, t + 10),
            tol = 1e-14,
            extendInt = "downX", maxiter = 10000)$root
  }
  c(f(0.975), f(0.025))
}

hedges <- function(x, y) {
  r <- try(suppressWarnings(effectsize::hedges_g(x, y, ci = 0.95)), silent = TRUE)
  if (inherits(r, "try-error") || !is.finite(r$Hedges_g)) return(NA)
  nx <- length(x)
  ny <- length(y)
  df <- nx + ny - 2
  sp <- sqrt((sum((x - mean(x))^2) + sum((y - mean(y))^2)) / df)
  d <- (mean(x) - mean(y)) / sp
  scale <- sqrt(1 / nx + 1 / ny)
  J <- exp(lgamma(df / 2) - log(sqrt(df / 2)) - lgamma((df - 1) / 2))
  ci <- J * ncp_limits(d / scale, df) * scale
  stopifnot(abs(J * d - r$Hedges_g) < 1e-12 * max(1, abs(J * d)),
            abs(ci[1] - r$CI_low) < 1e-5, abs(ci[2] - r$CI_high) < 1e-5)
  list(g = num(r$Hedges_g), ci_low = num(ci[1]), ci_high = num(ci[2]))
}

ancova <- function(post, pre, grp) {
  ok <- !is.na(post) & !is.na(pre)
  if (length(unique(grp[ok])) < 2) return(NA)
  fit <- lm(post ~ grp + pre, data = data.frame(post = post[ok], pre = pre[ok], grp = grp[ok]))
  if (any(is.na(coef(fit))) || fit$df.residual < 1) return(NA)
  s <- summary(fit)$coefficients
  if (!is.finite(s["grp", "t value"])) return(NA)
  ci <- confint(fit)["grp", ]
  list(diff = num(s["grp", "Estimate"]), se = num(s["grp", "Std. Error"]),
       ci_low = num(ci[1]), ci_high = num(ci[2]), t = num(s["grp", "t value"]),
       df = num(fit$df.residual), p = num(s["grp", "Pr(>|t|)"]))
}

# coin's exact distributions; NULL (key left out) where coin cannot compute them.
coin_p <- function(x, y, fun) {
  if (length(x) < 1 || length(y) < 1 || max(length(x), length(y)) > 514) return(NULL)
  d <- data.frame(v = c(x, y), g = factor(c(rep("i", length(x)), rep("w", length(y)))))
  r <- try(suppressWarnings(fun(v ~ g, data = d, distribution = "exact")), silent = TRUE)
  if (inherits(r, "try-error")) return(NULL)
  # Constant scores: coin has no distribution (zero variance); the p-value is undefined.
  p <- try(as.numeric(pvalue(r)), silent = TRUE)
  if (inherits(p, "try-error") || !is.finite(p)) NA else p
}

cohen <- function(x, y) {
  r <- try(suppressWarnings(effectsize::cohens_d(x, y, ci = 0.95)), silent = TRUE)
  if (inherits(r, "try-error") || !is.finite(r$Cohens_d)) return(NA_real_)
  r$Cohens_d
}

power_n <- function(d) {
  if (!is.finite(d) || d == 0) return(NA)
  # pwr searches n in (2, 1e9]; when 2 per arm already give 80% power it stops with an error.
  # Then the answer is 2, the smallest n per arm a two-sample t-test can use.
  at2 <- pwr::pwr.t.test(n = 2, d = abs(d), sig.level = 0.05, type = "two.sample")$power
  if (at2 >= 0.8) return(2L)
  r <- try(pwr::pwr.t.test(d = abs(d), sig.level = 0.05, power = 0.8, type = "two.sample"),
           silent = TRUE)
  if (inherits(r, "try-error")) return(NA)
  as.integer(ceiling(r$n))
}

cortest <- function(x, y, method) {
  ok <- !is.na(x) & !is.na(y)
  # cor.test's Pearson needs 3 pairs; Spearman with 2 has no p either: both undefined below 3.
  if (sum(ok) < 3) return(list(NA, NA))
  r <- try(suppressWarnings(cor.test(x[ok], y[ok], method = method, exact = FALSE)),
           silent = TRUE)
  if (inherits(r, "try-error") || !is.finite(r$estimate)) return(list(NA, NA))
  list(num(r$estimate), num(r$p.value))
}

or_null <- function(x) if (is.null(x) || (length(x) == 1 && !is.list(x) && is.na(x))) NA else x

# The contract for data set `d` (columns id, arm, age, gender, OUTCOME_pre, OUTCOME_post per
# outcome id, sessions_attended). `cuts` gives a subscale's caseness rule as c(threshold, +1 for
# >= or -1 for <=); an outcome without one has no caseness.
analyse <- function(d, population, outcome_ids, cuts, required_sessions = 10) {
  d <- d[!is.na(d$arm) & d$arm != "", ]
  if (population == "per-protocol") {
    d <- d[d$arm == "waitlist" |
             (!is.na(d$sessions_attended) & d$sessions_attended >= required_sessions), ]
  }
  i <- d$arm == "intervention"
  w <- d$arm == "waitlist"
  grp <- as.numeric(i)
  ai <- d$age[i & !is.na(d$age)]
  aw <- d$age[w & !is.na(d$age)]
  gi <- d$gender[i & !is.na(d$gender) & d$gender != ""]
  gw <- d$gender[w & !is.na(d$gender) & d$gender != ""]
  tab <- matrix(c(sum(gi == "M"), sum(gi == "F"), sum(gw == "M"), sum(gw == "F")), nrow = 2,
                byrow = TRUE)
  chi <- try(suppressWarnings(chisq.test(tab, correct = FALSE)), silent = TRUE)
  chi_ok <- !inherits(chi, "try-error") && is.finite(chi$statistic)
  fis <- try(fisher.test(tab)$p.value, silent = TRUE)
  res <- list(
    population = population,
    n = list(intervention = sum(i), waitlist = sum(w)),
    age = list(intervention = descr(ai), waitlist = descr(aw), student = tt(ai, aw, TRUE),
               welch = tt(ai, aw, FALSE)),
    gender = list(counts = list(intervention = list(M = tab[1, 1], F = tab[1, 2]),
                                waitlist = list(M = tab[2, 1], F = tab[2, 2])),
                  chi2 = if (chi_ok) num(chi$statistic) else NA,
                  df = if (chi_ok) num(chi$parameter) else NA,
                  p = if (chi_ok) num(chi$p.value) else NA,
                  fisher_p = if (inherits(fis, "try-error")) NA else num(fis)),
    outcomes = list(), power = list(), dose_response = list())
  for (o in outcome_ids) {
    pre <- d[[paste0(o, "_pre")]]
    post <- d[[paste0(o, "_post")]]
    change <- post - pre
    ci <- change[i & !is.na(change)]
    cw <- change[w & !is.na(change)]
    out <- list(
      pre = list(intervention = descr(pre[i]), waitlist = descr(pre[w])),
      post = list(intervention = descr(post[i]), waitlist = descr(post[w])),
      change = list(intervention = descr(change[i]), waitlist = descr(change[w])),
      baseline = list(student = tt(pre[i & !is.na(pre)], pre[w & !is.na(pre)], TRUE),
                      welch = tt(pre[i & !is.na(pre)], pre[w & !is.na(pre)], FALSE)),
      paired = list(intervention = paired(post[i], pre[i]), waitlist = paired(post[w], pre[w])),
      change_test = list(student = tt(ci, cw, TRUE), welch = tt(ci, cw, FALSE),
                         levene_mean = levene(ci, cw, mean),
                         levene_median = levene(ci, cw, median)),
      hedges_g = hedges(ci, cw),
      ancova = ancova(post, pre, grp))
    pe <- coin_p(ci, cw, coin::oneway_test)
    if (!is.null(pe)) out$exact_permutation_p <- pe
    pw <- coin_p(ci, cw, coin::wilcox_test)
    if (!is.null(pw)) out$exact_wilcoxon_p <- pw
    if (!is.null(cuts[[o]])) {
      cut <- cuts[[o]]
      is_case <- function(v) if (cut[2] > 0) v >= cut[1] else v <= cut[1]
      cs <- function(v) {
        v <- v[!is.na(v)]
        list(cases = sum(is_case(v)), n = length(v))
      }
      out$caseness <- list(pre = list(intervention = cs(pre[i]), waitlist = cs(pre[w])),
                           post = list(intervention = cs(post[i]), waitlist = cs(post[w])))
    }
    res$outcomes[[o]] <- out
    dd <- cohen(ci, cw)
    res$power[[o]] <- list(d = if (is.finite(dd)) dd else NA,
                           n_per_arm_80 = power_n(dd))
    pr <- cortest(d$sessions_attended[i], change[i], "pearson")
    sr <- cortest(d$sessions_attended[i], change[i], "spearman")
    res$dose_response[[o]] <- list(pearson_r = or_null(pr[[1]]), pearson_p = or_null(pr[[2]]),
                                   spearman_rho = or_null(sr[[1]]),
                                   spearman_p = or_null(sr[[2]]))
  }
  res
}

# jsonlite prints at most 15 significant digits, so doubles are written verbatim with
# sprintf("%.17g") (which round-trips every double). NA (undefined in R) becomes null.
verbatim <- function(x) {
  if (is.list(x)) return(lapply(x, verbatim))
  if (is.double(x) && length(x) == 1 && is.finite(x)) {
    return(structure(sprintf("%.17g", x), class = "json"))
  }
  x
}

# Who made a fixture: the script, R and the package versions, and the seed of its data.
generated_by <- function(script, seed) {
  list(script = script, R = R.version.string,
       packages = lapply(c(stats = "stats", car = "car", coin = "coin", effectsize = "effectsize",
                           pwr = "pwr", jsonlite = "jsonlite"),
                         function(p) as.character(packageVersion(p))),
       seed = seed)
}

# Writes `x` as pretty JSON with every double verbatim and NA as null.
write_fixture <- function(x, path) {
  writeLines(toJSON(verbatim(x), auto_unbox = TRUE, json_verbatim = TRUE, na = "null",
                    null = "null", pretty = TRUE), path)
}
