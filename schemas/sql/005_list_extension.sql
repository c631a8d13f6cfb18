-- 005: extensions of the sealed allocation list (issue 14, part 4). When the planned positions
-- run out, an extension appends whole blocks to every stratum's list from a new seed, with its
-- own commitment chained to the one before (docs/randomization.md, "Extending the list"). The
-- appended positions go into allocation_list like the planned ones.

CREATE TABLE list_extension (
  segment     INTEGER PRIMARY KEY CHECK (segment >= 2),   -- the planned list is segment 1
  seed        INTEGER NOT NULL CHECK (seed BETWEEN 0 AND 4294967295),
  salt        TEXT NOT NULL,
  blocks      INTEGER NOT NULL CHECK (blocks BETWEEN 1 AND 1000),
  reason      TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
  commitment  TEXT NOT NULL,                               -- "sha256:<hex>"
  created_at  TEXT NOT NULL,
  created_by  TEXT NOT NULL
) STRICT;

CREATE TRIGGER list_extension_no_update BEFORE UPDATE ON list_extension
BEGIN SELECT RAISE(ABORT, 'a list extension is sealed: it cannot be changed'); END;
CREATE TRIGGER list_extension_no_delete BEFORE DELETE ON list_extension
BEGIN SELECT RAISE(ABORT, 'a list extension is sealed: it cannot be deleted'); END;
