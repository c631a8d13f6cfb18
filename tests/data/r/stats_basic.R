# Reference values for the stats kernels (tests/unit/stats/basic_test.cpp).
#
#   Rscript tests/data/r/stats_basic.R > tests/data/r/stats_basic.json
#
# Deterministic: every data set comes from set.seed() or is written out by hand, and the data
# themselves are stored in the JSON, so the C++ tests never need R. Numbers are printed with
# 17 significant digits (sprintf("%.17g")), which round-trips every double exactly.
#
# A statistic R cannot give a finite value for (or that our kernels deliberately refuse, see
# docs/statistics.md) is written as {"error": true, "why": "..."}.

suppressPackageStartupMessages({
  library(car)
  library(pwr)
})

# ---------------------------------------------------------------- JSON writer (17 digits)
jarr <- function(x) structure(list(v = x), class = "jarr")
js <- function(x) {
  if (inherits(x, "jarr")) {
    return(paste0("[", paste(vapply(x$v, function(e) js(e), ""), collapse = ","), "]"))
  }
  if (is.null(x)) return("null")
  if (is.list(x)) {
    if (!is.null(names(x))) {
      keys <- names(x)
      body <- vapply(seq_along(x), function(i) paste0(js(keys[i]), ":", js(x[[i]])), "")
      return(paste0("{", paste(body, collapse = ","), "}"))
    }
    return(paste0("[", paste(vapply(x, js, ""), collapse = ","), "]"))
  }
  stopifnot(length(x) == 1)
  if (is.na(x)) return("null")
  if (is.logical(x)) return(if (x) "true" else "false")
  if (is.character(x)) {
    s <- gsub("\\\\", "\\\\\\\\", x)
    s <- gsub("\"", "\\\\\"", s)
    return(paste0("\"", s, "\""))
  }
  if (is.integer(x)) return(sprintf("%d", x))
  if (!is.finite(x)) stop("non-finite number reached the JSON writer")
  if (x == round(x) && abs(x) < 1e15) return(sprintf("%.1f", x))
  sprintf("%.17g", x)
}

err <- function(why) list(error = TRUE, why = why)

# Runs expr; an R error or a non-finite number becomes err(...).
guard <- function(expr, why_nonfinite = "not finite in R") {
  v <- tryCatch(expr, error = function(e) err(conditionMessage(e)))
  if (is.list(v) && is.null(v$error)) {
    nums <- unlist(v)
    if (any(!is.finite(nums))) return(err(why_nonfinite))
  }
  v
}

# ---------------------------------------------------------------- statistics as R computes them
describe <- function(x) {
  if (length(x) < 2) return(err("n < 2"))
  list(n = length(x), mean = mean(x), sd = sd(x))
}
tt <- function(h) {
  list(t = unname(h$statistic), df = unname(h$parameter), p = h$p.value,
       diff = if (length(h$estimate) == 2) unname(h$estimate[1] - h$estimate[2])
              else unname(h$estimate[1]),
       ci_low = h$conf.int[1], ci_high = h$conf.int[2])
}
student <- function(x, y) guard(tt(t.test(x, y, var.equal = TRUE)))
welch <- function(x, y) guard(tt(t.test(x, y)))
paired <- function(post, pre) guard(tt(t.test(post, pre, paired = TRUE)))
levene <- function(x, y, centre) {
  g <- factor(c(rep("x", length(x)), rep("y", length(y))))
  guard({
    # With two values per group both deviations from the centre are equal, so the spread of the
    # deviations within groups is 0 and F is infinite; R's lm() returns ~1e30 from rounding
    # instead. Our kernels refuse such data; record the same here.
    z <- abs(c(x, y) - ave(c(x, y), g, FUN = centre))
    ssw <- sum((z - ave(z, g))^2)
    if (ssw <= 1e-26 * sum(z^2)) stop("the absolute deviations do not vary within the groups")
    a <- suppressWarnings(leveneTest(c(x, y), g, center = centre))
    list(F = a[1, "F value"], df1 = a[1, "Df"], df2 = a[2, "Df"], p = a[1, "Pr(>F)"])
  }, "F is not finite: the absolute deviations do not vary within the groups")
}
ancova <- function(x_pre, x_post, y_pre, y_post) {
  post <- c(x_post, y_post)
  # Outcome and covariate are centred: this leaves the arm coefficient, its SE, t and p
  # unchanged, keeps lm()'s QR (tolerance 1e-7) from declaring a covariate like 1e8 + N(0, 1)
  # collinear with the intercept, and keeps the digits of an outcome like 1e8 + N(0, 1)
  # (uncentred, lm's arm coefficient is off by 3e-8 relative to the exact rational value).
  pre <- c(x_pre, y_pre)
  pre <- pre - mean(pre)
  post <- post - mean(post)
  arm <- factor(c(rep("intervention", length(x_post)), rep("waitlist", length(y_post))),
                levels = c("waitlist", "intervention"))
  guard({
    fit <- lm(post ~ arm + pre)
    if (any(is.na(coef(fit)))) stop("rank deficient: the covariate is constant or collinear")
    if (fit$df.residual < 1) stop("no residual degrees of freedom")
    s <- suppressWarnings(summary(fit))
    # Our kernels refuse an exact fit (zero residual variance); use the same criterion here.
    raw <- c(x_post, y_post)
    if (s$sigma^2 <= 1e-26 * (mean(raw)^2 + var(raw))) stop("exact fit: residual variance 0")
    co <- s$coefficients["armintervention", ]
    ci <- confint(fit)["armintervention", ]
    list(diff = unname(co["Estimate"]), se = unname(co["Std. Error"]),
         ci_low = unname(ci[1]), ci_high = unname(ci[2]), t = unname(co["t value"]),
         df = fit$df.residual, p = unname(co["Pr(>|t|)"]))
  })
}
correl <- function(x, y, method) {
  guard({
    h <- if (method == "pearson") cor.test(x, y) else cor.test(x, y, method = "spearman",
                                                               exact = FALSE)
    list(r = unname(h$estimate), p = h$p.value)
  })
}

# ---------------------------------------------------------------- data sets
clamp <- function(v, lo, hi) pmin(pmax(v, lo), hi)
# Tongji-like MBI emotional exhaustion sums (0..54): baseline ~ N(26, 10), the intervention arm
# improves by about 6 points, the waitlist by about 1.
tongji_like <- function(nx, ny, seed, lo = 0, hi = 54) {
  set.seed(seed)
  x_pre <- clamp(round(rnorm(nx, 26, 10)), lo, hi)
  y_pre <- clamp(round(rnorm(ny, 26, 10)), lo, hi)
  x_post <- clamp(round(0.6 * x_pre + 0.4 * 26 - 6 + rnorm(nx, 0, 6)), lo, hi)
  y_post <- clamp(round(0.6 * y_pre + 0.4 * 26 - 1 + rnorm(ny, 0, 6)), lo, hi)
  list(x_pre = x_pre, x_post = x_post, y_pre = y_pre, y_post = y_post)
}

sets <- list()
sets$balanced_18 <- tongji_like(18, 18, 20161012)
sets$unbalanced_7_12 <- tongji_like(7, 12, 7012)
sets$odd_9_13 <- tongji_like(9, 13, 913)
set.seed(4242)
sets$ties <- list(x_pre = sample(1:4, 15, TRUE), x_post = sample(1:4, 15, TRUE),
                  y_pre = sample(1:4, 14, TRUE), y_post = sample(2:5, 14, TRUE))
sets$n2_per_arm <- list(x_pre = c(30, 22), x_post = c(21, 20), y_pre = c(25, 31),
                        y_post = c(27, 28))
sets$large_2000 <- tongji_like(2000, 2000, 2000)
# A constant baseline column: baseline tests, the ANCOVA and the correlation are undefined.
sets$constant_pre <- list(x_pre = rep(20, 6), x_post = c(14, 18, 20, 11, 17, 15),
                          y_pre = rep(20, 5), y_post = c(19, 22, 20, 18, 21))
# A constant change in both arms (post = pre + 3 and post = pre - 2): the change-score t-tests,
# the paired tests, Levene and the ANCOVA are undefined.
sets$constant_change <- list(x_pre = c(20, 25, 31, 18, 27), x_post = c(20, 25, 31, 18, 27) - 2,
                             y_pre = c(22, 19, 35, 28), y_post = c(22, 19, 35, 28) + 3)
# One arm's change is constant, the other's is not: everything is defined.
sets$one_arm_constant_change <- list(x_pre = c(20, 25, 31, 18, 27, 24),
                                     x_post = c(20, 25, 31, 18, 27, 24) - 4,
                                     y_pre = c(22, 19, 35, 28, 30), y_post = c(21, 22, 33, 29, 27))
# Non-integer, badly scaled values: tests the stable mean/variance (large offset, small spread).
set.seed(99)
base <- 1e8
sets$offset_1e8 <- list(x_pre = base + rnorm(10), x_post = base + rnorm(10) + 0.5,
                        y_pre = base + rnorm(11), y_post = base + rnorm(11))

out_sets <- list()
for (name in names(sets)) {
  s <- sets[[name]]
  x <- s$x_post - s$x_pre
  y <- s$y_post - s$y_pre
  pre <- c(s$x_pre, s$y_pre)
  post <- c(s$x_post, s$y_post)
  out_sets[[length(out_sets) + 1]] <- list(
    name = name,
    x_pre = jarr(s$x_pre), x_post = jarr(s$x_post), y_pre = jarr(s$y_pre), y_post = jarr(s$y_post),
    describe = list(x_pre = describe(s$x_pre), x_post = describe(s$x_post),
                    y_pre = describe(s$y_pre), y_post = describe(s$y_post),
                    x_change = describe(x), y_change = describe(y)),
    median = list(x_pre = median(s$x_pre), y_pre = median(s$y_pre),
                  x_change = median(x), y_change = median(y)),
    baseline_student = student(s$x_pre, s$y_pre),
    baseline_welch = welch(s$x_pre, s$y_pre),
    change_student = student(x, y),
    change_welch = welch(x, y),
    paired_x = paired(s$x_post, s$x_pre),
    paired_y = paired(s$y_post, s$y_pre),
    levene_mean = levene(x, y, mean),
    levene_median = levene(x, y, median),
    ancova = ancova(s$x_pre, s$x_post, s$y_pre, s$y_post),
    pearson = correl(pre, post, "pearson"),
    spearman = correl(pre, post, "spearman"))
}

# ---------------------------------------------------------------- 2x2 tables, rows (a b / c d)
tables <- list(c(12, 6, 5, 13), c(3, 15, 14, 4), c(0, 10, 7, 8), c(9, 9, 9, 9), c(1, 0, 0, 1),
               c(2, 5, 4, 1), c(40, 60, 70, 30), c(500, 480, 470, 530), c(0, 5, 0, 7),
               c(10, 0, 3, 0), c(120, 3, 2, 95))
out_tables <- list()
for (tb in tables) {
  m <- matrix(c(tb[1], tb[3], tb[2], tb[4]), 2)
  chi <- guard({
    h <- suppressWarnings(chisq.test(m, correct = FALSE))
    list(chi2 = unname(h$statistic), df = unname(h$parameter), p = h$p.value)
  }, "an expected count is 0 (a row or column total is 0)")
  out_tables[[length(out_tables) + 1]] <- list(
    a = as.integer(tb[1]), b = as.integer(tb[2]), c = as.integer(tb[3]), d = as.integer(tb[4]),
    chi2 = chi, fisher_p = fisher.test(m)$p.value)
}

# ---------------------------------------------------------------- power (pwr.t.test)
out_power <- list()
for (d in c(0.2, 0.5, 0.8, 1.2, -0.5, 0.35, 2.5)) {
  n <- pwr.t.test(d = d, power = 0.8, sig.level = 0.05, type = "two.sample",
                  alternative = "two.sided")$n
  # uniroot's default tolerance is ~1e-4; check the ceiling with a tight root as well.
  f <- function(n) {
    nu <- 2 * (n - 1)
    qu <- qt(0.025, nu, lower = FALSE)
    pt(qu, nu, ncp = sqrt(n / 2) * abs(d), lower = FALSE) +
      pt(-qu, nu, ncp = sqrt(n / 2) * abs(d), lower = TRUE) - 0.8
  }
  tight <- uniroot(f, c(2 + 1e-10, 1e9), tol = 1e-12)$root
  stopifnot(ceiling(tight) == ceiling(n))
  out_power[[length(out_power) + 1]] <- list(d = d, n = tight, n_per_arm_80 = ceiling(n))
}

pkg <- function(p) as.character(packageVersion(p))
doc <- list(
  generated_by = list(
    script = "tests/data/r/stats_basic.R",
    r = R.version.string,
    packages = list(stats = pkg("stats"), car = pkg("car"), pwr = pkg("pwr"))),
  datasets = out_sets, tables = out_tables, power = out_power)
cat(js(doc), "\n", sep = "")
