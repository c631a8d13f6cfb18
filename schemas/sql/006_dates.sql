-- 006: the dates a trial records (issue 14, part 2), "YYYY-MM-DD" in the trial's time zone:
-- each participant's consent date, each withdrawal's date and category, and each
-- questionnaire's assessment date. Rows written before this version get the UTC date of their
-- entry (and the withdrawal category "other"): the best the file knows (docs/decisions.md).

ALTER TABLE participant ADD COLUMN consent_date TEXT CHECK (length(consent_date) = 10);
ALTER TABLE participant ADD COLUMN withdrawal_date TEXT CHECK (length(withdrawal_date) = 10);
ALTER TABLE participant ADD COLUMN withdrawal_category TEXT;
ALTER TABLE assessment ADD COLUMN assessment_date TEXT CHECK (length(assessment_date) = 10);

UPDATE participant SET consent_date = substr(enrolled_at, 1, 10);
UPDATE participant SET withdrawal_date = substr(withdrawn_at, 1, 10), withdrawal_category = 'other'
  WHERE withdrawn_at IS NOT NULL;
UPDATE assessment SET assessment_date = substr(recorded_at, 1, 10);
