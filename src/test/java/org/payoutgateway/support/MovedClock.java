package org.payoutgateway.support;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** A UTC clock showing the instant a test holds and moves (leases passing without waiting). */
public final class MovedClock extends Clock {

    private final AtomicReference<Instant> now;

    private MovedClock(AtomicReference<Instant> now) {
        this.now = now;
    }

    /** A clock that shows whatever {@code now} holds at each reading. */
    public static Clock of(AtomicReference<Instant> now) {
        return new MovedClock(now);
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
