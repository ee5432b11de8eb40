package org.payoutgateway.payout;

/** The payout store could not be read or written; nothing of the failed transaction was kept. */
public class PayoutStoreException extends RuntimeException {
    public PayoutStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
