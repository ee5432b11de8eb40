package org.payoutgateway.payout;

import java.time.Instant;

/**
 * A stored payout: the instruction plus what the gateway knows of it. {@code account} is the
 * provider account it is (or will be) sent through; {@code providerReference} the provider's own id
 * (Paypro platFormTradeNo / serialNumber, DiamondPay payout_id). {@code owner} is the API client
 * the payout belongs to: the one that submitted it, or the owner configured for its file or ERP
 * intake (docs/api.md, "Clients and roles").
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
        Instant updatedAt,
        String owner) {

    /** A payout without an owner (read only by clients that read all payouts). */
    public Payout(String reference, PayoutInstruction instruction, String account, String intake, String intakeRef,
                  PayoutState state, String providerReference, String providerStatus, String message,
                  int dispatchCount, int queryCount, boolean resend, boolean needsAttention, Instant unknownSince,
                  Instant createdAt, Instant updatedAt) {
        this(reference, instruction, account, intake, intakeRef, state, providerReference, providerStatus, message,
                dispatchCount, queryCount, resend, needsAttention, unknownSince, createdAt, updatedAt, null);
    }
}
