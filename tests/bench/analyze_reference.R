# The R side of bench_analyze: the same analyses `balint-trial analyze --csv --format json` runs,
# on the same wide CSV, timed by the caller. coin's exact tests only up to 514 per arm (coin
# overflows beyond); above that coin's Monte Carlo with 100,000 resamples would take hours at
# 500,000 per arm, so it is skipped there and the bench says so.
suppressPackageStartupMessages({
  library(car); library(coin); library(effectsize); library(pwr)
})
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
d <- d[d$arm != "", ]
d$arm <- factor(d$arm, levels = c("intervention", "waitlist"))
i <- d$arm == "intervention"; w <- d$arm == "waitlist"
out <- list()
out$age <- list(t.test(d$age[i], d$age[w], var.equal = TRUE), t.test(d$age[i], d$age[w]))
tab <- table(d$arm, d$gender)
out$gender <- list(chisq.test(tab, correct = FALSE), fisher.test(tab))
n_per_arm <- min(sum(i), sum(w))
for (o in c("ee", "dp", "pa", "msq")) {
  pre <- d[[paste0(o, "_pre")]]; post <- d[[paste0(o, "_post")]]; ch <- post - pre
  r <- list()
  r$baseline <- list(t.test(pre[i], pre[w], var.equal = TRUE), t.test(pre[i], pre[w]))
  r$paired <- list(t.test(post[i], pre[i], paired = TRUE), t.test(post[w], pre[w], paired = TRUE))
  r$change <- list(t.test(ch[i], ch[w], var.equal = TRUE), t.test(ch[i], ch[w]))
  r$levene <- list(leveneTest(ch ~ d$arm, center = mean), leveneTest(ch ~ d$arm, center = median))
  r$g <- hedges_g(ch[i], ch[w])
  r$ancova <- summary(lm(post ~ d$arm + pre))
  r$power <- pwr.t.test(d = cohens_d(ch[i], ch[w])$Cohens_d, power = 0.8, sig.level = 0.05)
  r$dose <- list(cor.test(d$sessions_attended[i], ch[i]),
                 cor.test(d$sessions_attended[i], ch[i], method = "spearman", exact = FALSE))
  if (n_per_arm <= 514) {
    cd <- data.frame(ch = ch, arm = d$arm)
    r$exact <- list(pvalue(oneway_test(ch ~ arm, data = cd, distribution = "exact")),
                    pvalue(wilcox_test(ch ~ arm, data = cd, distribution = "exact")))
  }
  out[[o]] <- r
}
cat("done\n")
