package org.payoutgateway.provider;

/**
 * A provider's notify (callback) as read by its connector: which payout it is about, whether its
 * signature is present and right, and what it says of the payout.
 */
public record ProviderNotify(String reference, Signature signature, ProviderReply reply) {

    public enum Signature {
        /** Signed, and the signature verifies with the account's secret. */
        VALID,
        /** Carries no signature (Paypro Kenya's documented example has none). */
        MISSING,
        /** Signed, but the signature does not verify: possibly forged. */
        INVALID
    }
}
