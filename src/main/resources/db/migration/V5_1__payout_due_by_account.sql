-- Dispatch claims and status queries are made per provider account (each account has its own
-- lane): the due payouts of one account are found by this index, not by walking every account's.
CREATE INDEX payout_due_account ON payout (state, account, next_action_at);
