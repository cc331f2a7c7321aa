-- target: orders-prod
-- reason: refund payment 7 (duplicate charge)
-- ticket: SUP-1234
UPDATE payments SET refunded = true WHERE id = 7;
