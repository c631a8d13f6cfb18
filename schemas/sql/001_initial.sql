-- 001: the trial, its participants, their questionnaires, and the audit trail.
-- Every table is STRICT; times are UTC ISO 8601 text ("2026-11-23T11:20:58.123Z").

CREATE TABLE trial (
  id           INTEGER PRIMARY KEY CHECK (id = 1),   -- one trial per database file
  trial_key    TEXT NOT NULL,
  definition   TEXT NOT NULL,                        -- the trial definition JSON, as validated
  created_at   TEXT NOT NULL,
  locked_at    TEXT
) STRICT;

CREATE TABLE instrument (
  id           TEXT PRIMARY KEY,
  definition   TEXT NOT NULL                         -- the instrument definition JSON
) STRICT;

CREATE TABLE participant (
  id                INTEGER PRIMARY KEY,             -- enrolment order
  code              TEXT NOT NULL UNIQUE,
  age               INTEGER NOT NULL CHECK (age BETWEEN 0 AND 150),
  gender            TEXT NOT NULL,
  specialty         TEXT,
  consent           INTEGER NOT NULL CHECK (consent IN (0, 1)),
  balint_knowledge  INTEGER CHECK (balint_knowledge BETWEEN 1 AND 5),
  balint_times      INTEGER CHECK (balint_times BETWEEN 1 AND 5),
  available         TEXT NOT NULL DEFAULT '',        -- ';'-separated availability options
  enrolled_at       TEXT NOT NULL,
  withdrawn_at      TEXT,
  withdrawal_reason TEXT,
  CHECK ((withdrawn_at IS NULL) = (withdrawal_reason IS NULL))
) STRICT;

-- One questionnaire answered by one participant at one time point.
CREATE TABLE assessment (
  id             INTEGER PRIMARY KEY,
  participant_id INTEGER NOT NULL REFERENCES participant (id),
  timepoint      TEXT NOT NULL,
  instrument_id  TEXT NOT NULL REFERENCES instrument (id),
  recorded_at    TEXT NOT NULL,
  UNIQUE (participant_id, timepoint, instrument_id)
) STRICT;

-- One answer to one item; value NULL = missing answer.
CREATE TABLE item_response (
  assessment_id INTEGER NOT NULL REFERENCES assessment (id),
  item          INTEGER NOT NULL CHECK (item >= 1),
  value         INTEGER,
  PRIMARY KEY (assessment_id, item)
) STRICT, WITHOUT ROWID;

-- The audit trail: append-only, hash-chained (hash = SHA-256(prev_hash || canonical entry)).
CREATE TABLE audit_entry (
  seq        INTEGER PRIMARY KEY,
  at         TEXT NOT NULL,
  actor      TEXT NOT NULL,
  action     TEXT NOT NULL,
  entity     TEXT NOT NULL,
  before     TEXT,
  after      TEXT,
  reason     TEXT,
  prev_hash  TEXT NOT NULL,
  hash       TEXT NOT NULL
) STRICT;

CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
BEGIN
  SELECT RAISE(ABORT, 'the audit trail is append-only: entries cannot be changed');
END;

CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
BEGIN
  SELECT RAISE(ABORT, 'the audit trail is append-only: entries cannot be deleted');
END;
