#!/usr/bin/env python3
"""Makes the demo enrolment and baseline CSVs that ./scripts/run imports.

Invented residents shaped like the Tongji cohort (36 first-year residents, 11 men and 25 women,
aged about 23-24, specialties as the paper lists them). The answers are random, not the trial's
data. Run: python3 make_demo.py (writes participants.csv and baseline.csv beside this file).
"""
import csv
import os
import random

rng = random.Random(20161012)
here = os.path.dirname(os.path.abspath(__file__))
specialties = (["family medicine"] * 5 + ["internal medicine"] * 2 + ["surgery"] +
               ["gynecology and obstetrics"] * 2 + ["psychiatry"] * 2 + ["neurology"] +
               ["emergency medicine"] + ["ophthalmology"] + ["radiology"] * 2 +
               ["anesthesiology"])
specialties += [""] * (36 - len(specialties))
rng.shuffle(specialties)
genders = ["M"] * 11 + ["F"] * 25
rng.shuffle(genders)

with open(os.path.join(here, "participants.csv"), "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["code", "age", "gender", "specialty", "consent", "balint_knowledge",
                "balint_times", "available"])
    for i in range(36):
        age = rng.choice([22, 23, 23, 24, 24, 24, 25, 26])
        # 25 prefer workday evenings only; the other 11 can also come at noon or at weekends.
        # Everyone can come on Wednesday evenings, when the Tongji sessions were held.
        avail = ["workday-evening"] if i < 25 else rng.choice(
            [["workday-noon", "workday-evening"], ["workday-evening", "weekend"],
             ["workday-noon", "workday-evening", "weekend"]])
        w.writerow([f"T{i + 1:02d}", age, genders[i], specialties[i], "yes",
                    rng.choice([1, 1, 2]), 1, ";".join(avail)])

with open(os.path.join(here, "baseline.csv"), "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["participant", "timepoint", "instrument", "item", "value"])
    for i in range(36):
        code = f"T{i + 1:02d}"
        for item in range(1, 23):
            w.writerow([code, "pre", "mbi-hss", item, rng.randint(0, 6)])
        for item in range(1, 21):
            w.writerow([code, "pre", "msq", item, rng.randint(1, 5)])

# Post questionnaires: each answer moves at most one step from the participant's baseline
# answer (drawn after the baseline, so the baseline file above stays the same).
baseline = {}
with open(os.path.join(here, "baseline.csv"), newline="") as f:
    for row in csv.DictReader(f):
        baseline[(row["participant"], row["instrument"], int(row["item"]))] = int(row["value"])
with open(os.path.join(here, "post.csv"), "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["participant", "timepoint", "instrument", "item", "value"])
    for (code, instrument, item), value in sorted(baseline.items()):
        lo, hi = (0, 6) if instrument == "mbi-hss" else (1, 5)
        w.writerow([code, "post", instrument, item, min(hi, max(lo, value + rng.choice([-1, 0, 1])))])
