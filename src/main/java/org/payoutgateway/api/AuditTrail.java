package org.payoutgateway.api;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.payoutgateway.payout.PayoutStore;
import org.payoutgateway.payout.PayoutStoreException;

/**
 * The API's audit trail, table {@code api_audit}: every write through the API and every refused
 * attempt, one row each. A row holds who (the client's name, never its key), what, which
 * reference, the outcome and status answered, and the source address; never a secret.
 */
public final class AuditTrail {

    /** One audit row. {@code client} is null when the caller did not authenticate. */
    public record Entry(long id, Instant at, String client, String action, String reference, String outcome, int status,
                        String source, String detail) {
    }

    /** An entry to write; see {@link Entry}. */
    public record Event(String client, String action, String reference, String outcome, int status, String source,
                        String detail) {
    }

    /** One page of entries, newest first, and the number of all that match. */
    public record Page(List<Entry> items, long total) {
    }

    private final DataSource dataSource;
    private final Supplier<Instant> clock;

    public AuditTrail(DataSource dataSource, Supplier<Instant> clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /** Writes the events in one transaction. */
    public void record(List<Event> events) {
        if (events.isEmpty()) {
            return;
        }
        Instant now = clock.get();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO api_audit (at, client, action, reference, outcome, "
                    + "status, source, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (Event e : events) {
                    ps.setObject(1, PayoutStore.ts(now));
                    ps.setString(2, cut(e.client(), 64));
                    ps.setString(3, cut(e.action(), 32));
                    ps.setString(4, cut(e.reference(), 64));
                    ps.setString(5, cut(e.outcome(), 16));
                    ps.setInt(6, e.status());
                    ps.setString(7, cut(e.source(), 64));
                    ps.setString(8, cut(e.detail(), 255));
                    ps.addBatch();
                }
                ps.executeBatch();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new PayoutStoreException("could not write the API audit trail", e);
        }
    }

    /** Entries newest first; {@code client}, {@code action} and {@code since} filter when not null. */
    public Page page(String client, String action, Instant since, int page, int size) {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (client != null) {
            where.append(" AND client = ?");
            args.add(client);
        }
        if (action != null) {
            where.append(" AND action = ?");
            args.add(action);
        }
        if (since != null) {
            where.append(" AND at >= ?");
            args.add(PayoutStore.ts(since));
        }
        try (Connection c = dataSource.getConnection()) {
            long total;
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM api_audit" + where)) {
                PayoutStore.bind(ps, args);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    total = rs.getLong(1);
                }
            }
            List<Entry> items = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, at, client, action, reference, outcome, status, source, "
                    + "detail FROM api_audit" + where + " ORDER BY id DESC LIMIT " + size + " OFFSET " + ((long) page * size))) {
                PayoutStore.bind(ps, args);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        items.add(new Entry(rs.getLong(1), PayoutStore.instant(rs.getObject(2, OffsetDateTime.class)),
                                rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getInt(7),
                                rs.getString(8), rs.getString(9)));
                    }
                }
            }
            return new Page(items, total);
        } catch (SQLException e) {
            throw new PayoutStoreException("could not read the API audit trail", e);
        }
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
