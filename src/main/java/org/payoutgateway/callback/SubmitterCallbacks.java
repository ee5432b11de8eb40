package org.payoutgateway.callback;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.payoutgateway.api.PayoutJson;
import org.payoutgateway.payout.Payout;
import org.payoutgateway.payout.PayoutStore;
import org.payoutgateway.provider.Digests;
import org.payoutgateway.provider.ProviderCalls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Callbacks to the submitter, as called by {@code routes/submitter-callbacks.yaml}: a payout with a
 * {@code callback_url} that reaches SUCCESS or FAILED is POSTed there as JSON (the API's payout
 * shape), with header {@code X-Payout-Signature}: lower-case hex HMAC-SHA256 of the raw body bytes
 * with {@code payout.webhook.signing-key}. Any 2xx is delivery; otherwise it is tried again after
 * each wait of {@code payout.webhook.retry-backoff}, and given up (logged) when they are spent.
 * Every attempt is a row in {@code callback_delivery}. Right before each attempt the target is
 * checked again ({@link CallbackTargets}); a refused one is not called, and the attempt is recorded
 * as failed with the reason.
 */
public class SubmitterCallbacks {

    private static final Logger LOG = LoggerFactory.getLogger(SubmitterCallbacks.class);
    public static final String SIGNATURE_HEADER = "X-Payout-Signature";
    private static final String PAYOUT = "callbackPayout";

    private final PayoutStore store;
    private final String signingKey;
    private final List<Duration> retryBackoff;
    private final int batchSize;
    private final Duration inFlightLease;
    private final CallbackTargets targets;

    /** @param inFlightLease longer than one delivery can take (the HTTP timeouts): how long a claim holds */
    public SubmitterCallbacks(PayoutStore store, String signingKey, List<Duration> retryBackoff, int batchSize,
                              Duration inFlightLease, CallbackTargets targets) {
        this.store = store;
        this.targets = targets;
        this.signingKey = signingKey;
        this.retryBackoff = retryBackoff;
        this.batchSize = batchSize;
        this.inFlightLease = inFlightLease;
    }

    /** Which callback URLs may be called. */
    public CallbackTargets targets() {
        return targets;
    }

    /** Whether callbacks can be signed: without a key, callback_url is refused at intake. */
    public boolean enabled() {
        return signingKey != null && !signingKey.isEmpty();
    }

    /**
     * Claims the final payouts whose callback is due and returns their references. A claim pushes
     * {@code next_callback_at} past the delivery's longest duration (compare-and-set), so that
     * neither a later poll nor another gateway instance sends the same callback while it is under
     * way; the attempt's outcome then sets the real next time.
     */
    public List<String> due() {
        if (!enabled()) {
            return List.of();
        }
        return store.inTransaction(c -> {
            Instant now = store.now();
            List<String> candidates = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT reference FROM payout WHERE callback_state IS NULL "
                    + "AND state IN ('SUCCESS', 'FAILED') AND callback_url IS NOT NULL "
                    + "AND (next_callback_at IS NULL OR next_callback_at <= ?) ORDER BY updated_at LIMIT " + batchSize)) {
                ps.setObject(1, PayoutStore.ts(now));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        candidates.add(rs.getString(1));
                    }
                }
            }
            List<String> claimed = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("UPDATE payout SET next_callback_at = ?" + PayoutStore
                    .whereReferenceAnd("callback_state IS NULL AND (next_callback_at IS NULL OR next_callback_at <= ?)"))) {
                for (String ref : candidates) {
                    ps.setObject(1, PayoutStore.ts(now.plus(inFlightLease)));
                    ps.setString(2, ref);
                    ps.setObject(3, PayoutStore.ts(now));
                    if (ps.executeUpdate() == 1) {
                        claimed.add(ref);
                    }
                }
            }
            return claimed;
        });
    }

    /**
     * Puts the signed callback of the payout whose reference is the body on the exchange.
     *
     * @throws CallbackTargets.RefusedTargetException when its callback_url may not be called now
     */
    public void prepare(Exchange exchange) throws CallbackTargets.RefusedTargetException {
        Optional<Payout> p = store.find(exchange.getIn().getBody(String.class));
        if (p.isEmpty()) {
            exchange.setRouteStop(true);
            return;
        }
        exchange.setProperty(PAYOUT, p.get());
        Optional<String> refused = targets.refusal(p.get().instruction().callbackUrl());
        if (refused.isPresent()) {
            // not called: recorded by onFailure as a failed attempt with the reason
            throw new CallbackTargets.RefusedTargetException(refused.get());
        }
        byte[] body = PayoutJson.of(p.get()).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_URI, p.get().instruction().callbackUrl());
        exchange.getMessage().setHeader(Exchange.HTTP_METHOD, org.apache.camel.component.http.HttpMethods.POST);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setHeader(SIGNATURE_HEADER, sign(body, signingKey));
        exchange.getMessage().setBody(body);
    }

    /** The signature a receiver checks: hex HMAC-SHA256 of the raw body with the signing key. */
    public static String sign(byte[] body, String key) {
        return HexFormat.of().formatHex(Digests.hmacSha256(key, body));
    }

    public void onReply(Exchange exchange) {
        int status = ProviderCalls.httpStatus(exchange);
        record(exchange.getProperty(PAYOUT, Payout.class), status, status >= 200 && status < 300 ? null : "HTTP " + status);
    }

    public void onFailure(Exchange exchange) {
        Throwable t = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Payout p = exchange.getProperty(PAYOUT, Payout.class);
        if (p == null) {
            LOG.warn("Callback not prepared: {}", t == null ? "failed" : t.toString());
            return;
        }
        Throwable refused = t;
        while (refused != null && !(refused instanceof CallbackTargets.RefusedTargetException)) {
            refused = refused.getCause();
        }
        record(p, null, refused != null ? "target refused: " + refused.getMessage() : t == null ? "failed"
                : t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage()));
    }

    private void record(Payout p, Integer httpStatus, String error) {
        Instant now = store.now();
        store.inTransaction(c -> {
            int attempt;
            try (PreparedStatement ps = c.prepareStatement("SELECT callback_attempts FROM payout WHERE reference = ?")) {
                ps.setString(1, p.reference());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    attempt = rs.getInt(1) + 1;
                }
            }
            String outcome = error == null ? "DELIVERED" : attempt > retryBackoff.size() ? "GAVE_UP" : "RETRY";
            Instant next = "RETRY".equals(outcome) ? now.plus(retryBackoff.get(attempt - 1)) : null;
            try (PreparedStatement ps = c.prepareStatement("UPDATE payout SET callback_attempts = ?, callback_state = ?, "
                    + "next_callback_at = ? WHERE reference = ?")) {
                ps.setInt(1, attempt);
                ps.setString(2, "RETRY".equals(outcome) ? null : outcome);
                ps.setObject(3, PayoutStore.ts(next));
                ps.setString(4, p.reference());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO callback_delivery (reference, attempt, at, url, "
                    + "http_status, outcome, error) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, p.reference());
                ps.setInt(2, attempt);
                ps.setObject(3, PayoutStore.ts(now));
                ps.setString(4, p.instruction().callbackUrl());
                ps.setObject(5, httpStatus);
                ps.setString(6, outcome);
                ps.setString(7, error == null || error.length() <= 1024 ? error : error.substring(0, 1024));
                ps.executeUpdate();
            }
            switch (outcome) {
                case "DELIVERED" -> LOG.info("Callback for payout {} delivered (attempt {})", p.reference(), attempt);
                case "GAVE_UP" -> LOG.warn("Callback for payout {} given up after {} attempts: {}", p.reference(), attempt, error);
                default -> LOG.info("Callback for payout {} failed (attempt {}): {}; next at {}", p.reference(), attempt, error, next);
            }
            return null;
        });
    }
}
