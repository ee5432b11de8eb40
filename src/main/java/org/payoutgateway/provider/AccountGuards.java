package org.payoutgateway.provider;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.payoutgateway.config.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What protects each provider account, and the gateway from it (Resilience4j): a rate limit in
 * requests per second, a limit of concurrent calls, and a circuit breaker that opens when too many
 * calls end without a usable answer (timeouts, 5xx, dropped connections, 429) and lets a few trial
 * calls through after a while. While an account's breaker is open its payouts are not claimed:
 * they wait in the store as RECEIVED and go out once it closes. Nothing is failed by a breaker.
 *
 * <p>Settings ({@code payout.provider.<account>.}): {@code rate-limit} (requests per second, default 500;
 * set it to the provider's agreed limit), {@code max-concurrent} (default 16), {@code circuit-breaker.failure-rate} (percent,
 * default 50), {@code circuit-breaker.window} (calls looked at, default 20),
 * {@code circuit-breaker.min-calls} (default 10), {@code circuit-breaker.open-for} (default 30s).
 */
public class AccountGuards {

    private static final Logger LOG = LoggerFactory.getLogger(AccountGuards.class);
    private static final Duration MAX_WAIT = Duration.ofSeconds(10);

    /** One account's guards. */
    public record Guard(RateLimiter rate, Bulkhead concurrency, CircuitBreaker breaker) {
    }

    private final Map<String, Guard> guards = new LinkedHashMap<>();

    public AccountGuards(ProviderAccounts accounts, Settings settings) {
        for (ProviderConnector c : accounts.all()) {
            String a = c.account();
            AccountSettings s = new AccountSettings(a, settings);
            int rps = Integer.parseInt(s.get("rate-limit", "500"));
            RateLimiter rate = RateLimiter.of(a, RateLimiterConfig.custom().limitForPeriod(rps)
                    .limitRefreshPeriod(Duration.ofSeconds(1)).timeoutDuration(MAX_WAIT).build());
            Bulkhead concurrency = Bulkhead.of(a, BulkheadConfig.custom()
                    .maxConcurrentCalls(Integer.parseInt(s.get("max-concurrent", "16"))).maxWaitDuration(MAX_WAIT).build());
            int window = Integer.parseInt(s.get("circuit-breaker.window", "20"));
            CircuitBreaker breaker = CircuitBreaker.of(a, CircuitBreakerConfig.custom()
                    .failureRateThreshold(Float.parseFloat(s.get("circuit-breaker.failure-rate", "50")))
                    .slidingWindowSize(window)
                    .minimumNumberOfCalls(Integer.parseInt(s.get("circuit-breaker.min-calls", "10")))
                    .waitDurationInOpenState(Settings.parseDuration(s.get("circuit-breaker.open-for", "30s")))
                    .permittedNumberOfCallsInHalfOpenState(3)
                    .automaticTransitionFromOpenToHalfOpenEnabled(true).build());
            breaker.getEventPublisher().onStateTransition(e -> LOG.warn("Provider account {}: circuit {}", a,
                    e.getStateTransition()));
            guards.put(a, new Guard(rate, concurrency, breaker));
        }
    }

    /** Accounts whose breaker is open: their payouts are not claimed for now. */
    public Set<String> open() {
        return guards.entrySet().stream().filter(e -> e.getValue().breaker().getState() == CircuitBreaker.State.OPEN)
                .map(Map.Entry::getKey).collect(Collectors.toSet());
    }

    /**
     * Lets one call through: breaker (for creates), concurrency and rate permits, waiting up to
     * 10 s for the last two. Every permit taken is given back by {@link #leave}.
     *
     * @param gated whether the circuit breaker may refuse the call (creates); queries, which are how
     *              the gateway learns the provider is back, only wait for rate and concurrency
     * @return false when the call must not be made now (nothing was taken)
     */
    public boolean enter(String account, boolean gated) {
        Guard g = guards.get(account);
        if (g == null) {
            return true;
        }
        if (gated && !g.breaker().tryAcquirePermission()) {
            return false;
        }
        boolean concurrent;
        try {
            concurrent = g.concurrency().tryAcquirePermission();
        } catch (RuntimeException e) {
            concurrent = false;
        }
        if (!concurrent) {
            if (gated) {
                g.breaker().releasePermission();
            }
            return false;
        }
        if (!g.rate().acquirePermission()) {
            g.concurrency().onComplete();
            if (gated) {
                g.breaker().releasePermission();
            }
            return false;
        }
        return true;
    }

    /**
     * Gives the concurrency permit back and, for a gated call, tells the breaker how it went: an
     * answer the provider gave (taken, paid, refused, not found) is a success; no usable answer is
     * a failure.
     */
    public void leave(String account, boolean gated, ProviderReply.Outcome outcome, long nanos) {
        Guard g = guards.get(account);
        if (g == null) {
            return;
        }
        g.concurrency().onComplete();
        if (!gated) {
            return;
        }
        if (outcome == ProviderReply.Outcome.UNKNOWN || outcome == ProviderReply.Outcome.NOT_TAKEN) {
            g.breaker().onError(nanos, TimeUnit.NANOSECONDS, new IllegalStateException("no usable answer: " + outcome));
        } else {
            g.breaker().onSuccess(nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Gives back the permits of a gated call that was not made after all. */
    public void release(String account) {
        Guard g = guards.get(account);
        if (g != null) {
            g.concurrency().onComplete();
            g.breaker().releasePermission();
        }
    }

    /** The breaker state of an account: CLOSED, OPEN, HALF_OPEN. */
    public CircuitBreaker.State state(String account) {
        return guards.get(account).breaker().getState();
    }

    public Set<String> accounts() {
        return guards.keySet();
    }
}
