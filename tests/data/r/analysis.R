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

source("tests/data/r/contract.R")

header <- c("id", "arm", "age", "gender", "ee_pre", "ee_post", "dp_pre", "dp_post", "pa_pre",
            "pa_post", "msq_pre", "msq_post", "sessions_attended")
outcomes <- list(ee = c(0, 54), dp = c(0, 30), pa = c(0, 48), msq = c(20, 100))
arms <- c("intervention", "waitlist")
cuts <- list(ee = c(27, 1), dp = c(10, 1), pa = c(33, -1))

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
    f$expected <- analyse(back, population, names(outcomes), cuts)
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

write_fixture(list(generated_by = generated_by("tests/data/r/analysis.R", 20161012L),
                   fixtures = fixtures), "tests/data/r/analysis.json")
cat("wrote tests/data/r/analysis.json with", length(fixtures), "fixtures\n")
