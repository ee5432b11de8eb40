package org.payoutgateway.provider;

/**
 * What a provider's reply (or its absence) means for the payout.
 *
 * @param outcome           see {@link Outcome}
 * @param providerReference the provider's id for the payout, when it gave one
 * @param providerStatus    the provider's own status or error code, as sent
 * @param message           the provider's description, or ours for transport failures
 */
public record ProviderReply(Outcome outcome, String providerReference, String providerStatus, String message) {

    public enum Outcome {
        /** The provider has the payout and it is in progress. */
        PROCESSING,
        /** Paid. */
        SUCCESS,
        /** Definitively not paid (create: not placed; query: rejected). */
        FAILED,
        /** Whether or how the provider took it is not known: query again, never send anew. */
        UNKNOWN,
        /** Nothing was taken (connection refused, HTTP 429): send again later, same reference. */
        NOT_TAKEN,
        /** Query only: the provider says it has no payout with this reference. */
        NOT_FOUND,
        /**
         * Create only: the gateway did not make the call (the account's circuit, rate or concurrency
         * limit, or a claim that waited too long): nothing was sent, and it is not an attempt.
         */
        HELD_BACK
    }

    public static ProviderReply of(Outcome outcome, String providerReference, String providerStatus, String message) {
        return new ProviderReply(outcome, providerReference, providerStatus, message);
    }

    public static ProviderReply unknown(String message) {
        return new ProviderReply(Outcome.UNKNOWN, null, null, message);
    }

    public static ProviderReply notTaken(String message) {
        return new ProviderReply(Outcome.NOT_TAKEN, null, null, message);
    }

    public static ProviderReply heldBack(String message) {
        return new ProviderReply(Outcome.HELD_BACK, null, null, message);
    }
}
