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
import java.util.concurrent.ConcurrentHashMap;
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
 * With {@code payout.cluster.replicas} = N gateways on one store, each applies 1/N of the account's
 * rate limit and max-concurrent ({@link #replicas}).
 */
public class AccountGuards {

    private static final Logger LOG = LoggerFactory.getLogger(AccountGuards.class);
    private static final Duration MAX_WAIT = Duration.ofSeconds(10);

    /** One account's guards. */
    public record Guard(RateLimiter rate, Bulkhead concurrency, CircuitBreaker breaker) {
    }

    /** An account's guard settings, as read from {@code payout.provider.<account>.}. */
    private record Limits(int rate, int concurrent, float failureRate, int window, int minCalls, Duration openFor) {

        /** This gateway's share of the account's limits: 1/{@code replicas}, rounded down, at least 1. */
        static Limits of(AccountSettings s, int replicas) {
            return new Limits(Math.max(1, s.getInt("rate-limit", 500) / replicas),
                    Math.max(1, s.getInt("max-concurrent", 16) / replicas),
                    s.getDecimal("circuit-breaker.failure-rate", "50").floatValue(),
                    s.getInt("circuit-breaker.window", 20), s.getInt("circuit-breaker.min-calls", 10),
                    s.getDuration("circuit-breaker.open-for", "30s"));
        }

        boolean sameBreaker(Limits o) {
            return failureRate == o.failureRate && window == o.window && minCalls == o.minCalls && openFor.equals(o.openFor);
        }
    }

    private final Map<String, Guard> guards = new ConcurrentHashMap<>();
    private final Map<String, Limits> limits = new ConcurrentHashMap<>();

    /** @throws RuntimeException for a guard setting that is not a number (or duration) or is out of range */
    public AccountGuards(ProviderAccounts accounts, Settings settings) {
        configure(accounts, settings);
    }

    /**
     * Checks the guard settings of every account without applying them.
     *
     * @throws RuntimeException for a guard setting that is not a number (or duration) or is out of range
     */
    public static void check(ProviderAccounts accounts, Settings settings) {
        new AccountGuards(accounts, settings);
    }

    /**
     * Applies the guard settings as they are now (a live settings change): a changed rate or
     * concurrency limit is changed in place (permits held by calls in flight stay valid); a changed
     * circuit-breaker setting gives the account a new, closed breaker; a new account gets its
     * guards. An account no longer configured keeps its guards for the calls still in flight.
     */
    public synchronized void configure(ProviderAccounts accounts, Settings settings) {
        int replicas = replicas(settings);
        Map<String, Limits> read = new LinkedHashMap<>();
        for (ProviderConnector c : accounts.all()) {
            read.put(c.account(), Limits.of(new AccountSettings(c.account(), settings), replicas));
        }
        read.forEach((a, l) -> {
            Limits before = limits.get(a);
            Guard g = guards.get(a);
            if (g == null) {
                guards.put(a, new Guard(rateLimiter(a, l), bulkhead(a, l), breaker(a, l)));
            } else if (!l.equals(before)) {
                g.rate().changeLimitForPeriod(l.rate());
                g.concurrency().changeConfig(bulkheadConfig(l));
                if (!l.sameBreaker(before)) {
                    guards.put(a, new Guard(g.rate(), g.concurrency(), breaker(a, l)));
                }
                LOG.info("Provider account {}: guards now rate-limit {}/s, max-concurrent {} (this replica's share), circuit breaker {}% of {} calls (min {}), open for {}",
                        a, l.rate(), l.concurrent(), l.failureRate(), l.window(), l.minCalls(), l.openFor());
            }
            limits.put(a, l);
        });
    }

    private static RateLimiter rateLimiter(String account, Limits l) {
        return RateLimiter.of(account, RateLimiterConfig.custom().limitForPeriod(l.rate())
                .limitRefreshPeriod(Duration.ofSeconds(1)).timeoutDuration(MAX_WAIT).build());
    }

    private static Bulkhead bulkhead(String account, Limits l) {
        return Bulkhead.of(account, bulkheadConfig(l));
    }

    private static BulkheadConfig bulkheadConfig(Limits l) {
        return BulkheadConfig.custom().maxConcurrentCalls(l.concurrent()).maxWaitDuration(MAX_WAIT).build();
    }

    private static CircuitBreaker breaker(String account, Limits l) {
        CircuitBreaker breaker = CircuitBreaker.of(account, CircuitBreakerConfig.custom()
                .failureRateThreshold(l.failureRate())
                .slidingWindowSize(l.window())
                .minimumNumberOfCalls(l.minCalls())
                .waitDurationInOpenState(l.openFor())
                .permittedNumberOfCallsInHalfOpenState(3)
                .automaticTransitionFromOpenToHalfOpenEnabled(true).build());
        breaker.getEventPublisher().onStateTransition(e -> LOG.warn("Provider account {}: circuit {}", account,
                e.getStateTransition()));
        return breaker;
    }

    /**
     * {@code payout.cluster.replicas}: how many gateways share the accounts (one store). Each takes
     * that share of every account's limits, so that the account as a whole never gets more than
     * its agreed rate and concurrency; with fewer replicas running it gets less, never more.
     *
     * @throws IllegalStateException when it is not a whole number of at least 1
     */
    public static int replicas(Settings settings) {
        int n = settings.getInt("payout.cluster.replicas", 1);
        if (n < 1) {
            throw new IllegalStateException("payout.cluster.replicas must be at least 1, was " + n);
        }
        return n;
    }

    /** This gateway's rate limit for an account now (its share of the account's), in requests per second. */
    public int rateLimit(String account) {
        return guards.get(account).rate().getRateLimiterConfig().getLimitForPeriod();
    }

    /** The number of concurrent calls this gateway makes to an account now (its share of the account's). */
    public int maxConcurrent(String account) {
        return guards.get(account).concurrency().getBulkheadConfig().getMaxConcurrentCalls();
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
