-- A receipt whose message id no part carries may settle a part left uncertain by a dispatcher
-- that stopped (its answer, with the id, was lost): it is matched by the number it names.
ALTER TABLE notify_receipts_unmatched ADD COLUMN recipient TEXT;
