# The data and the expected analysis of the end-to-end test of a trial with questionnaires that
# are not built in (issue 14, "Must show"; tests/browser/specs/wellbeing.spec.js).
#
# Run from the repository root:  Rscript tests/data/r/wellbeing.R
# Needs python3 (for the allocation list, below) and the Debian packages named in contract.R.
#
# The trial is docs/examples/wellbeing-study.json (PHQ-9 and GAD-7) planning 32 participants;
# 40 are enrolled, so the sealed list (seed 2027) runs out after 32 and is extended by 2 blocks
# of 4 (seed 99). Who gets which arm is computed by the second, independent implementation of
# the allocation list, tests/data/randomization/make_golden.py, for participants randomized in
# enrolment order. Writes into tests/data/wellbeing/:
#   participants.csv   the 40 residents, with their consent dates (participant import)
#   pre.csv, post.csv  every item answer before and after (one row per answer)
#   expected.json      the seeds, each participant's arm, and every value of the
#                      `analyze --format json` contract for the intention-to-treat population,
#                      computed here from the item answers (PHQ-9 and GAD-7 totals, their change
#                      post minus pre) with 17 significant digits.

source("tests/data/r/contract.R")

out_dir <- "tests/data/wellbeing"
dir.create(out_dir, showWarnings = FALSE)
planned <- 32L
list_seed <- 2027L
extension <- list(seed = 99L, blocks = 2L)
n <- 40L
codes <- sprintf("W%02d", seq_len(n))

# ---- the arms: make_golden.py on the example trial planning 32 -------------------------------
config <- fromJSON("docs/examples/wellbeing-study.json", simplifyVector = FALSE)
config$planned_participants <- planned
trial_file <- tempfile(fileext = ".json")
writeLines(toJSON(config, auto_unbox = TRUE, pretty = TRUE), trial_file)
golden <- system2("python3", c("tests/data/randomization/make_golden.py", "--trial", trial_file,
                               "--seed", list_seed, "--salt", "00", "--extend",
                               paste(extension$seed, "00", extension$blocks, sep = ":")),
                  stdout = TRUE)
golden <- fromJSON(paste(golden, collapse = "\n"), simplifyVector = FALSE)
positions <- c(golden$lists[[1]]$entries, golden$extensions[[1]]$lists[[1]]$entries)
stopifnot(length(positions) == n)
arm <- vapply(positions, function(e) e[[4]], character(1))

# ---- the residents and their answers ----------------------------------------------------------
set.seed(20270303)
people <- data.frame(
  code = codes,
  age = sample(24:34, n, replace = TRUE),
  gender = sample(c("M", "F"), n, replace = TRUE, prob = c(0.4, 0.6)),
  specialty = sample(c("internal-medicine", "surgery", "paediatrics", "psychiatry"), n,
                     replace = TRUE),
  consent = "yes",
  balint_knowledge = sample(1:5, n, replace = TRUE),
  balint_times = 1L,
  available = sample(c("workday-noon", "workday-evening", "weekend"), n, replace = TRUE),
  consent_date = format(as.Date("2026-09-01") + sample(0:40, n, replace = TRUE)),
  stringsAsFactors = FALSE)
write.csv(people, file.path(out_dir, "participants.csv"), row.names = FALSE, quote = FALSE)

# Each resident's answers scatter around a level of their own; after the programme the level
# regresses to the mean, and in the intervention arm it falls by `effect` more.
instruments <- list(`phq-9` = list(items = 9, centre = 1.2, effect = 0.35),
                    `gad-7` = list(items = 7, centre = 1.0, effect = 0.25))
answers <- function(level, items) pmin(pmax(round(level + rnorm(items, 0, 0.7)), 0), 3)
pre <- list()
post <- list()
for (id in names(instruments)) {
  ins <- instruments[[id]]
  level_pre <- rnorm(n, ins$centre, 0.5)
  level_post <- 0.6 * level_pre + 0.4 * ins$centre - ifelse(arm == "intervention", ins$effect, 0) +
    rnorm(n, 0, 0.3)
  for (k in seq_len(n)) {
    pre[[length(pre) + 1]] <- data.frame(participant = codes[k], timepoint = "pre",
                                         instrument = id, item = seq_len(ins$items),
                                         value = answers(level_pre[k], ins$items))
    post[[length(post) + 1]] <- data.frame(participant = codes[k], timepoint = "post",
                                           instrument = id, item = seq_len(ins$items),
                                           value = answers(level_post[k], ins$items))
  }
}
pre <- do.call(rbind, pre)
post <- do.call(rbind, post)
by_participant <- function(d) d[order(match(d$participant, codes)), ]
pre <- by_participant(pre)
post <- by_participant(post)
write.csv(pre, file.path(out_dir, "pre.csv"), row.names = FALSE, quote = FALSE)
write.csv(post, file.path(out_dir, "post.csv"), row.names = FALSE, quote = FALSE)

# ---- the analysis: totals (PHQ-9 and GAD-7 add up their items), then the contract -------------
total <- function(d, instrument) {
  s <- tapply(d$value[d$instrument == instrument], d$participant[d$instrument == instrument], sum)
  as.numeric(s[codes])
}
wide <- data.frame(id = codes, arm = arm, age = people$age, gender = people$gender,
                   phq9_pre = total(pre, "phq-9"), phq9_post = total(post, "phq-9"),
                   gad7_pre = total(pre, "gad-7"), gad7_post = total(post, "gad-7"),
                   sessions_attended = NA_real_, stringsAsFactors = FALSE)
# Both instruments' caseness: a total of 10 or more (docs/examples/instruments).
analysis <- analyse(wide, "itt", c("phq9", "gad7"), list(phq9 = c(10, 1), gad7 = c(10, 1)))

expected <- list(generated_by = generated_by("tests/data/r/wellbeing.R", 20270303L),
                 planned_participants = planned, list_seed = list_seed, extension = extension,
                 allocation = as.list(setNames(arm, codes)), analysis = analysis)
write_fixture(expected, file.path(out_dir, "expected.json"))
cat("wrote", out_dir, "(participants.csv, pre.csv, post.csv, expected.json)\n")
