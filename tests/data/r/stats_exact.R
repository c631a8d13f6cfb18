# Reference values for the exact-test and effect-size kernels (src/stats/exact.cpp,
# src/stats/effect_size.cpp). Run from the repository root:
#   Rscript tests/data/r/stats_exact.R > tests/data/r/stats_exact.json
# Needs Debian's r-base-core, r-cran-coin, r-cran-effectsize, r-cran-jsonlite.
suppressMessages({
  library(coin)
  library(effectsize)
  library(jsonlite)
})
set.seed(20201012)

two <- function(x, y) {
  data.frame(v = c(x, y), g = factor(rep(c("x", "y"), c(length(x), length(y))), levels = c("x", "y")))
}
# Numbers with 17 significant digits, written verbatim into the JSON.
num <- function(v, array = length(v) != 1) {
  txt <- sprintf("%.17g", v)
  structure(if (array) paste0("[", paste(txt, collapse = ", "), "]") else txt, class = "json")
}
# NULL (written as null with an "error" sibling) when R refuses.
safe <- function(expr) tryCatch(expr, error = function(e) structure(NA, msg = conditionMessage(e)))

case <- function(name, x, y, effect = TRUE) {
  out <- list(name = name, x = num(x, TRUE), y = num(y, TRUE))
  d <- two(x, y)
  p <- safe(pvalue(oneway_test(v ~ g, data = d, distribution = "exact")))
  w <- safe(pvalue(wilcox_test(v ~ g, data = d, distribution = "exact")))
  out$exact_permutation_p <- if (is.na(p)) NULL else num(as.numeric(p))
  if (is.na(p)) out$exact_permutation_error <- attr(p, "msg")
  out$exact_wilcoxon_p <- if (is.na(w)) NULL else num(as.numeric(w))
  if (is.na(w)) out$exact_wilcoxon_error <- attr(w, "msg")
  if (effect) {
    cd <- safe(cohens_d(x, y, ci = 0.95))
    hg <- safe(hedges_g(x, y, ci = 0.95))
    if (is.data.frame(cd)) {
      out$cohens_d <- list(value = num(cd$Cohens_d), ci_low = num(cd$CI_low), ci_high = num(cd$CI_high))
      out$hedges_g <- list(value = num(hg$Hedges_g), ci_low = num(hg$CI_low), ci_high = num(hg$CI_high))
    } else {
      out$effect_size_error <- attr(cd, "msg")
    }
  }
  out
}

# Change scores (post - pre) of an MBI subscale, Tongji-like: 18 per arm.
tongji_x <- c(-5, -3, -8, 0, -2, -7, -4, -1, -6, -3, -9, 2, -5, -4, -2, -6, -3, -1)
tongji_y <- c(0, 1, -2, 3, -1, 2, 0, -3, 1, 4, -2, 0, 1, 2, -1, 0, 3, -1)
mbi_change <- function(n, shift) {
  pre <- sample(10:40, n, replace = TRUE)
  post <- pmin(54, pmax(0, pre + round(rnorm(n, shift, 6))))
  post - pre
}

cases <- list(
  case("tongji_18_18", tongji_x, tongji_y),
  case("unbalanced_7_12", c(-6, -2, -9, -4, 0, -7, -3),
       c(1, -2, 3, 0, -1, 4, 2, -3, 0, 5, 1, -1)),
  case("odd_9_10", c(12, 15, 9, 20, 14, 11, 17, 13, 16), c(10, 8, 14, 9, 12, 7, 11, 13, 6, 10)),
  case("ties_10_10", c(1, 1, 2, 2, 2, 3, 3, 3, 3, 4), c(2, 2, 3, 3, 3, 4, 4, 4, 5, 5)),
  # Rscript warns "'y' is numeric but has only 2 unique values" for the 2-per-arm and constant
  # cases (effectsize); the values are unaffected.
  case("n2_per_arm", c(1, 2), c(3, 5)),
  case("n2_equal_means", c(1, 3), c(3, 1)),
  case("decimals_6_7", c(0.1, 0.25, 0.35, 0.4, 0.15, 0.3), c(0.3, 0.45, 0.5, 0.6, 0.35, 0.55, 0.4)),
  case("one_arm_constant_8_8", c(4, 4, 4, 4, 4, 4, 4, 4), c(2, 5, 3, 6, 4, 7, 5, 3)),
  case("constant_both_equal", c(3, 3, 3), c(3, 3, 3)),
  case("constant_within_arms", c(3, 3, 3), c(4, 4, 4)),
  case("mbi_50_50", mbi_change(50, -3), mbi_change(50, 0)),
  case("mbi_200_200", mbi_change(200, -1.5), mbi_change(200, 0))
)

versions <- sprintf("%s; coin %s; effectsize %s; jsonlite %s", R.version.string,
                    packageVersion("coin"), packageVersion("effectsize"), packageVersion("jsonlite"))
cat(toJSON(list(generated_by = versions,
                script = "tests/data/r/stats_exact.R",
                cases = cases),
           auto_unbox = TRUE, json_verbatim = TRUE, pretty = TRUE, null = "null"), "\n")
