package org.payoutgateway.provider;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.payoutgateway.payout.FieldError;
import org.payoutgateway.payout.Payout;
import org.payoutgateway.payout.PayoutInstruction;

/**
 * One provider account: everything that knows a provider's field names, units, signing and codes.
 * The payout core never sees a provider field; it sees {@link ProviderRequest}s and
 * {@link ProviderReply}s.
 */
public interface ProviderConnector {

    /** The account name, e.g. {@code paypro-id}. */
    String account();

    /** ISO 3166 alpha-2 country this account pays out in. */
    String country();

    /** ISO 4217 currency of its amounts. */
    String currency();

    /** Adds an error for every field the provider's document would refuse. {@code amount} is major units, > 0. */
    void validate(PayoutInstruction instruction, BigDecimal amount, List<FieldError> errors);

    /** The signed create request for a stored payout; {@code now} fills the provider's timestamp. */
    ProviderRequest createRequest(Payout payout, Instant now);

    /** Classifies the provider's reply to a create call (HTTP status and raw body). */
    ProviderReply readCreateReply(int httpStatus, String body);

    /** The signed status query for a payout, by its reference. */
    ProviderRequest queryRequest(Payout payout, Instant now);

    /**
     * Classifies the provider's reply to a status query about {@code reference}. A reply that is
     * about another payout tells nothing of this one: UNKNOWN.
     */
    ProviderReply readQueryReply(String reference, int httpStatus, String body);

    /** Reads a notify body the provider POSTed to this account's notify URL; null when it names no payout. */
    ProviderNotify readNotify(com.fasterxml.jackson.databind.JsonNode body);

    /** The answer the provider expects to a notify: HTTP status, content type and body. */
    NotifyAnswer notifyAnswer(boolean accepted);

    /** What to answer a provider's notify with. */
    record NotifyAnswer(int httpStatus, String contentType, String body) {
    }

    /** Delays between status queries: the n-th query waits the n-th entry; the last one repeats. */
    List<Duration> querySchedule();

    /** How long an UNKNOWN payout must be "not found" before it is sent again with the same reference. */
    Duration notFoundGrace();
}
