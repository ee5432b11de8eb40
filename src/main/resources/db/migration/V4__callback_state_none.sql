-- Payouts without a callback_url have no callback to send: marked NONE, so that the callback
-- poll (callback_state IS NULL AND state final) only ever looks at payouts that have one.
UPDATE payout SET callback_state = 'NONE' WHERE callback_url IS NULL AND callback_state IS NULL;
