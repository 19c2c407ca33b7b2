-- +goose Up
-- BO-3: an inspector may refuse an application held for review (an applicant who gave another
-- person's document or СНИЛС): the review is closed as refused, with the reason given.
ALTER TABLE reg_reviews ADD COLUMN reason TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE reg_reviews DROP COLUMN reason;
