package org.payoutgateway.payout;

import java.time.Instant;

/**
 * A stored payout: the instruction plus what the gateway knows of it. {@code account} is the
 * provider account it is (or will be) sent through; {@code providerReference} the provider's own id
 * (Paypro platFormTradeNo / serialNumber, DiamondPay payout_id).
 */
public record Payout(
        String reference,
        PayoutInstruction instruction,
        String account,
        String intake,
        String intakeRef,
        PayoutState state,
        String providerReference,
        String providerStatus,
        String message,
        int dispatchCount,
        int queryCount,
        boolean resend,
        boolean needsAttention,
        Instant unknownSince,
        Instant createdAt,
        Instant updatedAt) {
}
