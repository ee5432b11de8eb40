package org.payoutgateway.payout;

import java.time.Instant;

/** One state change of a payout: when, from which state (null for the first), to which, and why. */
public record HistoryEntry(Instant at, PayoutState from, PayoutState to, String providerCode, String message) {
}
