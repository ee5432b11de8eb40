-- Where a payout file is archived once read (a name in the archive folder), recorded when its
-- reading starts: a file whose reading stopped with the gateway, and that is no longer in the
-- inbox, is resumed from this copy after its last stored row.
ALTER TABLE intake_file ADD COLUMN archive_name VARCHAR(255);
