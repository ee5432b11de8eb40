-- Which gateway reads a payout file (or writes its result), and until when: a claim taken by
-- compare-and-set and renewed with every batch of rows stored. Of several replicas on one shared
-- inbox only the holder stores rows of the file (each batch checks the claim in its own
-- transaction); a claim whose holder died lapses, and another replica resumes the file after its
-- last stored row.
ALTER TABLE intake_file ADD COLUMN claimed_by VARCHAR(128);
ALTER TABLE intake_file ADD COLUMN claim_expires_at TIMESTAMP WITH TIME ZONE;

-- One row, locked (SELECT ... FOR UPDATE) by each opening of a payout file found in the inbox, so
-- that two gateways finding one new file at the same moment do not both record (and read) it.
CREATE TABLE intake_file_open (id INT PRIMARY KEY);
INSERT INTO intake_file_open (id) VALUES (1);
