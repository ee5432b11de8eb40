-- H2 only (the gateway adds db/vendor/<database> to the migrations when the folder exists).
-- H2 writes an identity column's sequence to disk every CACHE values with a commit of its own, and
-- with WRITE_DELAY=0 each such commit stores every page changed so far: with the default of 32 that
-- was a quarter of the CPU of a large file's intake and dispatch. H2's sequence is one per
-- database, so ids stay in insertion order (history is read in id order); after a crash the
-- numbers not handed out are skipped, never reused. PostgreSQL keeps its default: its cache is per
-- connection, which would break that order.
ALTER TABLE payout ALTER COLUMN id SET CACHE 10000;
ALTER TABLE payout_history ALTER COLUMN id SET CACHE 10000;
