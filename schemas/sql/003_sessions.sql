-- 003: group leaders, the programme's lectures and session slots, the plan (rosters) and
-- attendance.

CREATE TABLE leader (
  id        INTEGER PRIMARY KEY,
  code      TEXT NOT NULL UNIQUE,
  name      TEXT NOT NULL,
  added_at  TEXT NOT NULL
) STRICT;

-- A lecture or a Balint session slot of one cohort (the arm that attends it). Instants in UTC;
-- the zone they are shown in is the trial's.
CREATE TABLE session_slot (
  id             INTEGER PRIMARY KEY,
  cohort         TEXT NOT NULL,
  kind           TEXT NOT NULL CHECK (kind IN ('lecture', 'session')),
  number         INTEGER NOT NULL CHECK (number >= 1),
  start_utc      TEXT NOT NULL,
  end_utc        TEXT NOT NULL,
  time_zone      TEXT NOT NULL,
  cancelled_at   TEXT,
  cancel_reason  TEXT,
  UNIQUE (cohort, kind, number),
  CHECK ((cancelled_at IS NULL) = (cancel_reason IS NULL))
) STRICT;

CREATE TABLE session_leader (
  slot_id    INTEGER NOT NULL REFERENCES session_slot (id),
  leader_id  INTEGER NOT NULL REFERENCES leader (id),
  PRIMARY KEY (slot_id, leader_id)
) STRICT, WITHOUT ROWID;

-- The plan: which participant is to attend which session slot.
CREATE TABLE session_roster (
  slot_id         INTEGER NOT NULL REFERENCES session_slot (id),
  participant_id  INTEGER NOT NULL REFERENCES participant (id),
  PRIMARY KEY (slot_id, participant_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE attendance (
  slot_id         INTEGER NOT NULL REFERENCES session_slot (id),
  participant_id  INTEGER NOT NULL REFERENCES participant (id),
  status          TEXT NOT NULL CHECK (status IN ('present', 'absent', 'excused')),
  reason          TEXT,
  recorded_at     TEXT NOT NULL,
  recorded_by     TEXT NOT NULL,
  PRIMARY KEY (slot_id, participant_id)
) STRICT, WITHOUT ROWID;
