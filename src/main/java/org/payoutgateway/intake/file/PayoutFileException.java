package org.payoutgateway.intake.file;

/** A payout file, or the rest of it from some row on, cannot be read: the reason is for people. */
public class PayoutFileException extends Exception {
    public PayoutFileException(String message) {
        super(message);
    }

    public PayoutFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
