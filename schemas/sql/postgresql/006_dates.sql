-- 006 for PostgreSQL: the dates a trial records (schemas/sql/006_dates.sql).

ALTER TABLE participant ADD COLUMN consent_date TEXT COLLATE "C" CHECK (length(consent_date) = 10);
ALTER TABLE participant ADD COLUMN withdrawal_date TEXT COLLATE "C"
  CHECK (length(withdrawal_date) = 10);
ALTER TABLE participant ADD COLUMN withdrawal_category TEXT COLLATE "C";
ALTER TABLE assessment ADD COLUMN assessment_date TEXT COLLATE "C"
  CHECK (length(assessment_date) = 10);

UPDATE participant SET consent_date = substr(enrolled_at, 1, 10);
UPDATE participant SET withdrawal_date = substr(withdrawn_at, 1, 10), withdrawal_category = 'other'
  WHERE withdrawn_at IS NOT NULL;
UPDATE assessment SET assessment_date = substr(recorded_at, 1, 10);
