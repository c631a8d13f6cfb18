-- 002: the sealed allocation list and the allocations made from it.

-- How the list was made: enough to regenerate it and check its commitment.
CREATE TABLE randomization_setup (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  algorithm   TEXT NOT NULL,            -- "balint-trial/randomization/1"
  seed        INTEGER NOT NULL CHECK (seed BETWEEN 0 AND 4294967295),
  salt        TEXT NOT NULL,            -- hex, chosen at random at init
  scheme      TEXT NOT NULL,            -- the randomization member of the trial definition (JSON)
  commitment  TEXT NOT NULL,            -- "sha256:<hex>" over the canonical encoding
  created_at  TEXT NOT NULL
) STRICT;

-- The list itself, one row per position of each stratum. Never shown before use.
CREATE TABLE allocation_list (
  stratum     TEXT NOT NULL,
  position    INTEGER NOT NULL CHECK (position >= 1),
  block       INTEGER NOT NULL,
  block_size  INTEGER NOT NULL,
  arm         TEXT NOT NULL,
  PRIMARY KEY (stratum, position)
) STRICT, WITHOUT ROWID;

-- One allocation per participant, taking the next unused position of their stratum.
CREATE TABLE allocation (
  participant_id INTEGER PRIMARY KEY REFERENCES participant (id),
  stratum        TEXT NOT NULL,
  position       INTEGER NOT NULL,
  arm            TEXT NOT NULL,
  allocated_at   TEXT NOT NULL,
  allocated_by   TEXT NOT NULL,
  UNIQUE (stratum, position),
  FOREIGN KEY (stratum, position) REFERENCES allocation_list (stratum, position)
) STRICT;

-- Emergency unblinding of one participant's allocation, and full reveals after lock.
CREATE TABLE unblinding (
  id          INTEGER PRIMARY KEY,
  participant_id INTEGER REFERENCES participant (id),   -- NULL: the whole list (after lock)
  at          TEXT NOT NULL,
  actor       TEXT NOT NULL,
  reason      TEXT NOT NULL
) STRICT;

CREATE TRIGGER randomization_setup_no_update BEFORE UPDATE ON randomization_setup
BEGIN SELECT RAISE(ABORT, 'the randomization set-up is sealed: it cannot be changed'); END;
CREATE TRIGGER randomization_setup_no_delete BEFORE DELETE ON randomization_setup
BEGIN SELECT RAISE(ABORT, 'the randomization set-up is sealed: it cannot be deleted'); END;
CREATE TRIGGER allocation_list_no_update BEFORE UPDATE ON allocation_list
BEGIN SELECT RAISE(ABORT, 'the allocation list is sealed: it cannot be changed'); END;
CREATE TRIGGER allocation_list_no_delete BEFORE DELETE ON allocation_list
BEGIN SELECT RAISE(ABORT, 'the allocation list is sealed: it cannot be deleted'); END;
CREATE TRIGGER allocation_no_update BEFORE UPDATE ON allocation
BEGIN SELECT RAISE(ABORT, 'an allocation is final: it cannot be changed'); END;
CREATE TRIGGER allocation_no_delete BEFORE DELETE ON allocation
BEGIN SELECT RAISE(ABORT, 'an allocation is final: it cannot be deleted'); END;
