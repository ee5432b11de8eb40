package org.payoutgateway.payout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * H2 can fail a read with "Chunk N not found" under concurrent writes (h2database#4383): the store
 * reads again, up to three tries; work that writes is never run again on it.
 */
class H2ChunkNotFoundTest {

    private final AtomicInteger failuresLeft = new AtomicInteger();
    private final AtomicInteger statements = new AtomicInteger();
    private PayoutStore store;

    @BeforeEach
    void store() {
        store = InterceptedStore.create(sql -> {
            statements.incrementAndGet();
            if (failuresLeft.getAndDecrement() > 0) {
                throw new SQLException("General error: \"org.h2.mvstore.MVStoreException: Chunk 137 not found "
                        + "[2.3.232/9]\"", "HY000", 50000);
            }
            return sql;
        });
    }

    @Test
    void aReadIsTriedAgain() {
        failuresLeft.set(2);
        assertThat(store.find("NOPE-1")).isEmpty();
        assertThat(statements.get()).as("two failed tries, then the read").isEqualTo(3);
    }

    @Test
    void aReadGivesUpAfterThreeTries() {
        failuresLeft.set(3);
        assertThatThrownBy(() -> store.find("NOPE-1")).isInstanceOf(PayoutStoreException.class).hasMessageContaining("Chunk 137 not found");
        assertThat(statements.get()).isEqualTo(3);
    }

    @Test
    void workThatWritesIsNotRunAgain() {
        failuresLeft.set(1);
        assertThatThrownBy(() -> store.markReported("NOPE-1", PayoutState.SUCCESS)).isInstanceOf(PayoutStoreException.class);
        assertThat(statements.get()).isEqualTo(1);
    }
}
