-- 005 for PostgreSQL: extensions of the sealed allocation list
-- (schemas/sql/005_list_extension.sql).

CREATE TABLE list_extension (
  segment     BIGINT PRIMARY KEY CHECK (segment >= 2),    -- the planned list is segment 1
  seed        BIGINT NOT NULL CHECK (seed BETWEEN 0 AND 4294967295),
  salt        TEXT COLLATE "C" NOT NULL,
  blocks      BIGINT NOT NULL CHECK (blocks BETWEEN 1 AND 1000),
  reason      TEXT COLLATE "C" NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
  commitment  TEXT COLLATE "C" NOT NULL,                   -- "sha256:<hex>"
  created_at  TEXT COLLATE "C" NOT NULL,
  created_by  TEXT COLLATE "C" NOT NULL
);

CREATE TRIGGER list_extension_sealed BEFORE UPDATE OR DELETE ON list_extension
FOR EACH ROW EXECUTE FUNCTION balint_refuse('a list extension is sealed: it');
