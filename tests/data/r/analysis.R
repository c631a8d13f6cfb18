# Reference values for the analysis module (issue 6).
#
# Run from the repository root:  Rscript tests/data/r/analysis.R
# Writes tests/data/r/analysis.json. Each fixture holds its data set as wide-CSV text (the exact
# bytes the C++ test reads) and every value of the `analyze --format json` contract that R
# computes, with 17 significant digits. A statistic R cannot compute (an error or NaN) is written
# as null; a value R cannot give at all (coin's exact tests beyond 514 per arm) is left out.
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

header <- c("id", "arm", "age", "gender", "ee_pre", "ee_post", "dp_pre", "dp_post", "pa_pre",
            "pa_post", "msq_pre", "msq_post", "sessions_attended")
outcomes <- list(ee = c(0, 54), dp = c(0, 30), pa = c(0, 48), msq = c(20, 100))
arms <- c("intervention", "waitlist")

clamp <- function(x, lo, hi) pmin(pmax(round(x), lo), hi)

# One synthetic data set: n1 intervention and n2 waitlist rows; `effect` is the mean change
# (intervention minus waitlist) in units of the outcome's spread.
make_data <- function(n1, n2, effect = 0.5, prefix = "P") {
  n <- n1 + n2
  arm <- c(rep("intervention", n1), rep("waitlist", n2))
  d <- data.frame(id = sprintf("%s%04d", prefix, seq_len(n)), arm = arm,
                  age = round(rnorm(n, 24, 1.5)),
                  gender = sample(c("M", "F"), n, replace = TRUE, prob = c(0.35, 0.65)),
                  stringsAsFactors = FALSE)
  centre <- c(ee = 16, dp = 7, pa = 28, msq = 71)
  spread <- c(ee = 5, dp = 3, pa = 7, msq = 6)
  sign <- c(ee = -1, dp = -1, pa = 1, msq = 1)
  for (o in names(outcomes)) {
    r <- outcomes[[o]]
    pre <- rnorm(n, centre[[o]], spread[[o]])
    shift <- ifelse(arm == "intervention", sign[[o]] * effect * spread[[o]], 0)
    post <- 0.6 * pre + 0.4 * centre[[o]] + shift + rnorm(n, 0, spread[[o]])
    d[[paste0(o, "_pre")]] <- clamp(pre, r[1], r[2])
    d[[paste0(o, "_post")]] <- clamp(post, r[1], r[2])
  }
  d$sessions_attended <- ifelse(arm == "intervention", sample(4:20, n, replace = TRUE), NA)
  d
}

to_csv <- function(d) {
  out <- textConnection("csv_text", "w", local = TRUE)
  write.table(d[, header], out, sep = ",", na = "", row.names = FALSE, quote = FALSE)
  close(out)
  paste0(paste(csv_text, collapse = "\n"), "\n")
}

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

analyse <- function(d, population) {
  d <- d[!is.na(d$arm) & d$arm != "", ]
  if (population == "per-protocol") {
    d <- d[d$arm == "waitlist" |
             (!is.na(d$sessions_attended) & d$sessions_attended >= 10), ]
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
  cuts <- list(ee = c(27, 1), dp = c(10, 1), pa = c(33, -1))
  for (o in names(outcomes)) {
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

# ---- the data sets ---------------------------------------------------------------------------

fixtures <- list()
add <- function(name, d, population = "itt", error = NULL) {
  csv <- to_csv(d)
  f <- list(name = name, population = population, csv = csv)
  if (!is.null(error)) {
    f$error <- error
  } else {
    back <- read.csv(text = csv, colClasses = c(id = "character", arm = "character",
                                                gender = "character"),
                     na.strings = "")
    f$expected <- analyse(back, population)
  }
  fixtures[[length(fixtures) + 1]] <<- f
}

set.seed(20161012)
tongji <- make_data(18, 18, effect = 0.8, prefix = "T")
tongji$sessions_attended[tongji$arm == "intervention"] <- sample(8:16, 18, replace = TRUE)
add("tongji_18_18", tongji)
add("tongji_18_18_per_protocol", tongji, population = "per-protocol")
add("balanced_30_30", make_data(30, 30, effect = 0.3, prefix = "B"))
add("unbalanced_12_41", make_data(12, 41, effect = 0.5, prefix = "U"))
add("odd_n_7_9", make_data(7, 9, effect = 0.4, prefix = "O"))

ties <- make_data(25, 23, effect = 0.2, prefix = "X")
for (o in names(outcomes)) {
  for (t in c("_pre", "_post")) {
    col <- paste0(o, t)
    ties[[col]] <- outcomes[[o]][1] + 2 * (round(ties[[col]] / 4) %% 4) + 4
  }
}
ties$sessions_attended[ties$arm == "intervention"] <- sample(c(10, 12), 25, replace = TRUE)
add("heavy_ties_25_23", ties)

const <- make_data(10, 10, effect = 0.5, prefix = "C")
const$age <- 25
const$gender <- "F"
const$pa_pre <- 30
const$pa_post <- 30
const$msq_pre <- 60
const$sessions_attended[const$arm == "intervention"] <- 10
add("constant_columns_10_10", const)

miss <- make_data(20, 22, effect = 0.5, prefix = "M")
for (col in c("age", "ee_pre", "ee_post", "dp_post", "pa_pre", "msq_post", "sessions_attended")) {
  miss[[col]][sample(nrow(miss), 5)] <- NA
}
miss$gender[c(3, 30)] <- NA
extra <- make_data(3, 0, prefix = "N")
extra$arm <- NA
extra$sessions_attended <- NA
add("missing_cells_20_22", rbind(miss, extra))

add("two_per_arm", make_data(2, 2, effect = 0.5, prefix = "S"))
add("single_in_one_arm_1_5", make_data(1, 5, effect = 0.5, prefix = "Z"))
add("strong_effect_40_40", make_data(40, 40, effect = 2.5, prefix = "E"))
add("medium_120_110", make_data(120, 110, effect = 0.25, prefix = "D"))

fractional <- make_data(15, 16, effect = 0.5, prefix = "F")
fractional$age <- fractional$age + sample(c(0, 0.25, 0.5), nrow(fractional), replace = TRUE)
add("fractional_age_15_16", fractional)

add("large_2000_2000", make_data(2000, 2000, effect = 0.1, prefix = "L"))

empty <- make_data(6, 0, effect = 0.5, prefix = "W")
add("one_arm_empty", empty, error = list(field = "arm", contains = "waitlist"))

generated_by <- list(
  script = "tests/data/r/analysis.R",
  R = R.version.string,
  packages = lapply(c(stats = "stats", car = "car", coin = "coin", effectsize = "effectsize",
                      pwr = "pwr", jsonlite = "jsonlite"),
                    function(p) as.character(packageVersion(p))),
  seed = 20161012L)

# jsonlite prints at most 15 significant digits, so doubles are written verbatim with
# sprintf("%.17g") (which round-trips every double). NA (undefined in R) becomes null.
verbatim <- function(x) {
  if (is.list(x)) return(lapply(x, verbatim))
  if (is.double(x) && length(x) == 1 && is.finite(x)) {
    return(structure(sprintf("%.17g", x), class = "json"))
  }
  x
}
json <- toJSON(verbatim(list(generated_by = generated_by, fixtures = fixtures)),
               auto_unbox = TRUE, json_verbatim = TRUE, na = "null", null = "null", pretty = TRUE)
writeLines(json, "tests/data/r/analysis.json")
cat("wrote tests/data/r/analysis.json with", length(fixtures), "fixtures\n")
