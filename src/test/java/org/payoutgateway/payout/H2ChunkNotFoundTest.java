package org.payoutgateway.payout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
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
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
        h2.setUser("sa");
        Flyway.configure().dataSource(h2).locations("classpath:db/migration").load().migrate();
        javax.sql.DataSource faulty = (javax.sql.DataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {javax.sql.DataSource.class}, (ds, m, args) -> {
                    Object result = invoke(m, h2, args);
                    if (!m.getName().equals("getConnection")) {
                        return result;
                    }
                    Connection real = (Connection) result;
                    return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class}, (c, cm, cargs) -> {
                        if (cm.getName().equals("prepareStatement")) {
                            statements.incrementAndGet();
                            if (failuresLeft.getAndDecrement() > 0) {
                                throw new SQLException("General error: \"org.h2.mvstore.MVStoreException: Chunk 137 not found "
                                        + "[2.3.232/9]\"", "HY000", 50000);
                            }
                        }
                        return invoke(cm, real, cargs);
                    });
                });
        store = new PayoutStore(faulty, Clock.systemUTC());
    }

    private static Object invoke(java.lang.reflect.Method m, Object target, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
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
