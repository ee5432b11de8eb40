package org.payoutgateway.payout;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;

/**
 * A payout store on a fresh, migrated in-memory H2 database whose connections hand the SQL of every
 * statement they prepare to the test first, so that it can fail or change the statement as a
 * faulty database would.
 */
final class InterceptedStore {

    /** What a prepared statement runs: the SQL given, another, or an exception instead. */
    @FunctionalInterface
    interface OnPrepare {
        String sql(String sql) throws SQLException;
    }

    private InterceptedStore() {
    }

    static PayoutStore create(OnPrepare onPrepare) {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
        h2.setUser("sa");
        Flyway.configure().dataSource(h2).locations("classpath:db/migration").load().migrate();
        ClassLoader loader = InterceptedStore.class.getClassLoader();
        DataSource intercepted = (DataSource) Proxy.newProxyInstance(loader, new Class<?>[] {DataSource.class}, (ds, m, args) -> {
            Object result = invoke(m, h2, args);
            if (!m.getName().equals("getConnection")) {
                return result;
            }
            Connection real = (Connection) result;
            return Proxy.newProxyInstance(loader, new Class<?>[] {Connection.class}, (c, cm, cargs) -> {
                if (cm.getName().equals("prepareStatement")) {
                    cargs = cargs.clone();
                    cargs[0] = onPrepare.sql((String) cargs[0]);
                }
                return invoke(cm, real, cargs);
            });
        });
        return new PayoutStore(intercepted, Clock.systemUTC());
    }

    private static Object invoke(Method m, Object target, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
