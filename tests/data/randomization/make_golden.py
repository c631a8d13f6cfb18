#!/usr/bin/env python3
"""Writes golden.json: allocation lists computed by a second, independent implementation of
docs/randomization.md (plain Python 3: no numpy, no `random` module).

The C++ unit test tests/unit/randomization/allocation_list_test.cpp checks that
balint::randomization::generate() and commitment() give exactly these lists and commitments.
An auditor can use this file the same way: put the trial's scheme, arms and seed into a case
and compare the output with the stored list.

It also implements list extensions (docs/randomization.md, "Extending the list"): golden.json's
"extension_cases" hold two chained extensions of some of the cases.

Usage: python3 tests/data/randomization/make_golden.py   (writes golden.json next to itself)
       python3 tests/data/randomization/make_golden.py --trial TRIAL.json --seed N --salt HEX
           [--extend SEED:SALT:BLOCKS ...]
           (an auditor's check: prints the lists and the commitment for that trial definition,
           and with --extend, once per extension in segment order, each extension's positions
           and chained commitment, as `randomization reveal` prints them after the lock)
"""

import hashlib
import json
import os
import sys

ALGORITHM = "balint-trial/randomization/1"
MASK32 = 0xFFFFFFFF


class MT19937:
    """MT19937 as in Matsumoto & Nishimura's mt19937ar.c (init_genrand, genrand_int32)."""

    N, M = 624, 397
    MATRIX_A, UPPER, LOWER = 0x9908B0DF, 0x80000000, 0x7FFFFFFF

    def __init__(self, seed):
        self.mt = [0] * self.N
        self.mt[0] = seed & MASK32
        for i in range(1, self.N):
            prev = self.mt[i - 1]
            self.mt[i] = (1812433253 * (prev ^ (prev >> 30)) + i) & MASK32
        self.index = self.N

    def _twist(self):
        mt = self.mt
        for k in range(self.N):
            y = (mt[k] & self.UPPER) | (mt[(k + 1) % self.N] & self.LOWER)
            mt[k] = mt[(k + self.M) % self.N] ^ (y >> 1) ^ (self.MATRIX_A if y & 1 else 0)
        self.index = 0

    def next(self):
        if self.index >= self.N:
            self._twist()
        y = self.mt[self.index]
        self.index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C5680
        y ^= (y << 15) & 0xEFC60000
        y ^= y >> 18
        return y & MASK32


def uniform_int(engine, high):
    """boost::random::uniform_int_distribution<int>(0, high)(engine) for mt19937, Boost 1.74.

    The engine's range is 0..2^32-1 (brange = 2^32-1, the largest 32-bit value), so Boost's
    bucket method applies: bucket = brange // (high+1), plus one when brange % (high+1) == high
    (that is, when high+1 divides 2^32); draw v, r = v // bucket, accept r if r <= high, else
    draw again. high == 0 returns 0 without drawing.
    """
    if high == 0:
        return 0
    brange = MASK32
    bucket = brange // (high + 1)
    if brange % (high + 1) == high:
        bucket += 1
    while True:
        r = engine.next() // bucket
        if r <= high:
            return r


def stratum_names(scheme):
    strata = scheme.get("strata", [])
    if not strata:
        return ["all"]
    names = [""]
    for factor in strata:
        names = [
            (prefix + ";" if prefix else "") + factor["field"] + "=" + level["id"]
            for prefix in names
            for level in factor["levels"]
        ]
    return names


def simple_draw(engine, arms, ratio_sum):
    """One arm drawn on its own (method simple)."""
    u = uniform_int(engine, ratio_sum - 1)
    cumulative = 0
    for a in arms:
        cumulative += a["ratio"]
        if u < cumulative:
            return a["id"]
    return None


def permuted_block(engine, sizes, arms, ratio_sum):
    """One block: its size (drawn when there are several), then its arms shuffled."""
    size = sizes[0] if len(sizes) == 1 else sizes[uniform_int(engine, len(sizes) - 1)]
    b = []
    for a in arms:
        b += [a["id"]] * (size * a["ratio"] // ratio_sum)
    for i in range(len(b) - 1, 0, -1):
        j = uniform_int(engine, i)
        b[i], b[j] = b[j], b[i]
    return size, b


def generate(scheme, arms, seed, planned_participants):
    """Every stratum's list as [[position, block, block_size, arm], ...]."""
    engine = MT19937(seed)
    ratio_sum = sum(a["ratio"] for a in arms)
    length = scheme.get("list_length", planned_participants)
    sizes = scheme.get("block_sizes", [])
    lists = []
    for name in stratum_names(scheme):
        entries = []
        if scheme["method"] == "simple":
            for position in range(1, length + 1):
                entries.append([position, 0, 0, simple_draw(engine, arms, ratio_sum)])
        else:
            block = 0
            while len(entries) < length:
                size, b = permuted_block(engine, sizes, arms, ratio_sum)
                block += 1
                for arm in b:
                    entries.append([len(entries) + 1, block, size, arm])
        lists.append({"stratum": name, "entries": entries})
    return lists


def extension(scheme, arms, seed, blocks, existing):
    """The positions an extension appends to every stratum: `blocks` whole blocks (simple: draws)
    from a new MT19937, numbered after the stratum's last position and block in `existing`."""
    engine = MT19937(seed)
    ratio_sum = sum(a["ratio"] for a in arms)
    sizes = scheme.get("block_sizes", [])
    added = []
    for name in stratum_names(scheme):
        before = [e for l in existing if l["stratum"] == name for e in l["entries"]]
        last_position = before[-1][0] if before else 0
        last_block = before[-1][1] if before else 0
        entries = []
        if scheme["method"] == "simple":
            for k in range(blocks):
                entries.append([last_position + k + 1, 0, 0, simple_draw(engine, arms, ratio_sum)])
        else:
            for block in range(1, blocks + 1):
                size, b = permuted_block(engine, sizes, arms, ratio_sum)
                for arm in b:
                    entries.append([last_position + len(entries) + 1, last_block + block, size, arm])
        added.append({"stratum": name, "entries": entries})
    return added


def extension_commitment(extends, segment, seed, salt, blocks, added):
    doc = {
        "algorithm": ALGORITHM,
        "extends": extends,
        "segment": segment,
        "seed": seed,
        "salt": salt,
        "blocks": blocks,
        "lists": [
            {
                "stratum": l["stratum"],
                "first_position": l["entries"][0][0] if l["entries"] else 0,
                "arms": [e[3] for e in l["entries"]],
            }
            for l in added
        ],
    }
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def extend_all(scheme, arms, lists, commitment, extensions):
    """Applies (seed, salt, blocks) extensions in order; returns each one's record."""
    out = []
    for k, (seed, salt, blocks) in enumerate(extensions):
        added = extension(scheme, arms, seed, blocks, lists)
        commitment = extension_commitment(commitment, k + 2, seed, salt, blocks, added)
        out.append({"segment": k + 2, "seed": seed, "salt": salt, "blocks": blocks,
                    "commitment": commitment, "lists": added})
        for l in lists:
            l["entries"] = l["entries"] + next(a["entries"] for a in added
                                               if a["stratum"] == l["stratum"])
    return out


def canonical_encoding(scheme, arms, seed, salt, planned_participants, lists):
    doc = {
        "algorithm": ALGORITHM,
        "arms": [{"id": a["id"], "ratio": a["ratio"]} for a in arms],
        "method": scheme["method"],
        "block_sizes": scheme.get("block_sizes", []),
        "strata": [
            {"field": f["field"], "levels": [{"id": l["id"], "values": l["values"]} for l in f["levels"]]}
            for f in scheme.get("strata", [])
        ],
        "list_length": scheme.get("list_length", planned_participants),
        "seed": seed,
        "salt": salt,
        "lists": [{"stratum": l["stratum"], "arms": [e[3] for e in l["entries"]]} for l in lists],
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def self_checks():
    # The reference implementation's first outputs for init_genrand(5489) (mt19937ar.out uses
    # init_by_array, so these come from the C++ standard: the 10000th output is 4123659995).
    mt = MT19937(5489)
    first = mt.next()
    assert first == 3499211612, first
    for _ in range(9999):
        last = mt.next()
    assert last == 4123659995, last
    # FACTS.md: mt19937(20161012) with uniform_int_distribution<int>(0, 35).
    mt = MT19937(20161012)
    draws = [uniform_int(mt, 35) for _ in range(10)]
    assert draws == [7, 4, 12, 14, 27, 9, 30, 14, 34, 27], draws


TWO_ARMS = [{"id": "intervention", "ratio": 1}, {"id": "waitlist", "ratio": 1}]
TWO_TO_ONE = [{"id": "intervention", "ratio": 2}, {"id": "waitlist", "ratio": 1}]

SCHEMES = [
    {
        "name": "tongji-default",
        "planned_participants": 36,
        "arms": TWO_ARMS,
        "randomization": {"method": "permuted-block", "block_sizes": [36], "strata": []},
    },
    {
        "name": "blocks-4-6",
        "planned_participants": 36,
        "arms": TWO_ARMS,
        "randomization": {"method": "permuted-block", "block_sizes": [4, 6], "list_length": 30},
    },
    {
        "name": "stratified-gender-2-to-1",
        "planned_participants": 36,
        "arms": TWO_TO_ONE,
        "randomization": {
            "method": "stratified-permuted-block",
            "block_sizes": [3, 6],
            "strata": [
                {
                    "field": "gender",
                    "levels": [{"id": "M", "values": ["M"]}, {"id": "F", "values": ["F"]}],
                }
            ],
            "list_length": 20,
        },
    },
    {
        "name": "simple-2-to-1",
        "planned_participants": 36,
        "arms": TWO_TO_ONE,
        "randomization": {"method": "simple", "list_length": 24},
    },
]

SEEDS = [20161012, 1, 4294967295]
SALT = "00"


def dump(value, indent=""):
    """Indented JSON with every list of scalars (an entry, the arms of a block) on one line."""
    inner = indent + " "
    if isinstance(value, dict):
        members = [inner + json.dumps(k) + ": " + dump(v, inner) for k, v in value.items()]
        return "{\n" + ",\n".join(members) + "\n" + indent + "}"
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        return "[\n" + ",\n".join(inner + dump(v, inner) for v in value) + "\n" + indent + "]"
    return json.dumps(value, ensure_ascii=False)


def audit(argv):
    pairs = list(zip(argv[0::2], argv[1::2]))
    args = dict(p for p in pairs if p[0] != "--extend")
    extensions = []
    for key, value in pairs:
        if key == "--extend":
            seed, salt, blocks = value.split(":")
            extensions.append((int(seed), salt, int(blocks)))
    if len(argv) % 2 or set(args) != {"--trial", "--seed", "--salt"}:
        sys.exit("usage: make_golden.py --trial TRIAL.json --seed N --salt HEX "
                 "[--extend SEED:SALT:BLOCKS ...]")
    with open(args["--trial"], encoding="utf-8") as f:
        trial = json.load(f)
    arms = [{"id": a["id"], "ratio": a["ratio"]} for a in trial["arms"]]
    seed = int(args["--seed"])
    planned = trial["planned_participants"]
    lists = generate(trial["randomization"], arms, seed, planned)
    encoding = canonical_encoding(trial["randomization"], arms, seed, args["--salt"], planned, lists)
    commitment = "sha256:" + hashlib.sha256(encoding.encode("utf-8")).hexdigest()
    planned_lists = [dict(l) for l in lists]
    extended = extend_all(trial["randomization"], arms, lists, commitment, extensions)
    print(dump({"commitment": commitment, "lists": planned_lists, "extensions": extended}))


def main():
    self_checks()
    if len(sys.argv) > 1:
        audit(sys.argv[1:])
        return
    cases = []
    for s in SCHEMES:
        for seed in SEEDS:
            lists = generate(s["randomization"], s["arms"], seed, s["planned_participants"])
            encoding = canonical_encoding(
                s["randomization"], s["arms"], seed, SALT, s["planned_participants"], lists
            )
            cases.append(
                {
                    "name": s["name"],
                    "planned_participants": s["planned_participants"],
                    "arms": s["arms"],
                    "randomization": s["randomization"],
                    "seed": seed,
                    "salt": SALT,
                    "commitment": "sha256:" + hashlib.sha256(encoding.encode("utf-8")).hexdigest(),
                    "lists": lists,
                }
            )
    # Two chained extensions of each scheme's first seed.
    extension_cases = []
    for s in SCHEMES:
        case = next(c for c in cases if c["name"] == s["name"])
        lists = [dict(l) for l in case["lists"]]
        extensions = [(7, "01", 2), (4294967295, "02", 1)]
        extension_cases.append({
            "name": s["name"],
            "seed": case["seed"],
            "extensions": extend_all(s["randomization"], s["arms"], lists, case["commitment"],
                                     extensions),
        })
    out = {
        "description": "Allocation lists from tests/data/randomization/make_golden.py, an independent "
        "implementation of docs/randomization.md. Entries are [position, block, block_size, arm]. "
        "Regenerate with: python3 tests/data/randomization/make_golden.py",
        "algorithm": ALGORITHM,
        "cases": cases,
        "extension_cases": extension_cases,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden.json")
    with open(path, "w", encoding="utf-8") as f:
        f.write(dump(out) + "\n")
    print(f"wrote {len(cases)} cases to {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
