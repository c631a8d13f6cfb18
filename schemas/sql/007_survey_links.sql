-- 007: survey links (issue 14, part 3). A participant answers their own questionnaires of one
-- time point through a single-use link. The link's token is never stored: only its SHA-256,
-- as for browser sessions, so a copy of the file does not let anyone answer. The answers saved
-- before submitting stay on the link (JSON); once submitted they are assessments like any
-- other, and the link is spent. (006 is the real dates of issue 14, part 2.)

CREATE TABLE survey_link (
  id              INTEGER PRIMARY KEY,
  token_hash      TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
  participant_id  INTEGER NOT NULL REFERENCES participant (id),
  timepoint       TEXT NOT NULL,
  instruments     TEXT NOT NULL,                 -- JSON list of instrument ids, in order
  issued_at       TEXT NOT NULL,
  issued_by       TEXT NOT NULL,
  expires_at      TEXT NOT NULL,
  state           TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'submitted', 'revoked')),
  answers         TEXT,                          -- JSON saved and not yet submitted
  saved_at        TEXT,
  submitted_at    TEXT,
  revoked_at      TEXT,
  revoke_reason   TEXT CHECK (revoke_reason IS NULL OR length(revoke_reason) BETWEEN 1 AND 2000)
) STRICT;

CREATE INDEX survey_link_participant ON survey_link (participant_id, timepoint);
