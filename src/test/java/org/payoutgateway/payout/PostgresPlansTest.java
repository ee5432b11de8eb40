package org.payoutgateway.payout;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.payoutgateway.support.EmbeddedPostgres;
import org.payoutgateway.support.Gateway;

/**
 * PostgreSQL plans a prepared statement once for all parameter values after five executions (a
 * generic plan) and keeps it. Planned on a new, still empty payout table (no statistics yet), the
 * claim {@code UPDATE payout ... WHERE reference = ? AND state = 'RECEIVED'} used the state index
 * and walked every RECEIVED payout for each one it claimed: 20-60 ms a payout once a file of
 * 100,000 was stored, most of the benchmark's time on PostgreSQL. The store's compare-and-sets by
 * reference ({@link PayoutStore#whereReferenceAnd}) leave PostgreSQL only the reference index; the
 * look-up of many payouts by reference ({@link PayoutStore#FIND_ALL}, shared with H2) uses it too.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PostgresPlansTest {

    @Test
    void aCompareAndSetPreparedOnAnEmptyTableStillLooksUpItsOneReferenceOnceTheTableIsFull() throws Exception {
        EmbeddedPostgres.Database db = EmbeddedPostgres.freshDatabase("plans");
        try (Gateway migrated = Gateway.start("plans", db.storeSettings())) {
            assertThat(migrated.store().findAll(java.util.List.of("P1"))).isEmpty(); // the tables, and no payout yet
        }
        try (Connection c = db.connect();
             Statement s = c.createStatement()) {
            // as the store runs them: the claim, and the change of state by compare-and-set
            s.execute("PREPARE claim(timestamptz, varchar) AS " + numbered(PayoutStore.CLAIM));
            s.execute("PREPARE change(varchar, varchar, varchar) AS "
                    + numbered("UPDATE payout SET state = ?, message = ?" + PayoutStore.whereReferenceAnd("state = ?")));
            for (int i = 0; i < 10; i++) { // on the empty table, as a new gateway does
                s.execute("EXECUTE claim(CURRENT_TIMESTAMP, 'NONE" + i + "')");
                s.execute("EXECUTE change('SUBMITTED', null, 'NONE" + i + "', 'SENDING')");
            }
            s.execute("INSERT INTO payout (reference, intake, content_hash, state, next_action_at, created_at, updated_at) "
                    + "SELECT 'P' || n, 'FILE', 'h', 'RECEIVED', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP "
                    + "FROM generate_series(1, 20000) n");

            String claim = explain(s, "EXECUTE claim(CURRENT_TIMESTAMP, 'P19999')");
            assertThat(claim).as(claim).contains("payout_reference_unique").doesNotContain("payout_due");
            String change = explain(s, "EXECUTE change('SUBMITTED', 'ok', 'P19998', 'RECEIVED')");
            assertThat(change).as(change).contains("payout_reference_unique").doesNotContain("payout_due");
            // and they are still compare-and-sets
            assertThat(s.executeUpdate("EXECUTE claim(CURRENT_TIMESTAMP, 'P19999')")).isEqualTo(1);
            assertThat(s.executeUpdate("EXECUTE claim(CURRENT_TIMESTAMP, 'P19999')")).isZero();
            assertThat(s.executeUpdate("EXECUTE change('SUBMITTED', 'ok', 'P19999', 'RECEIVED')")).isZero();
            assertThat(s.executeUpdate("EXECUTE change('SUBMITTED', 'ok', 'P19999', 'SENDING')")).isEqualTo(1);
        }
    }

    @Test
    void theLookUpOfManyPayoutsByReferenceUsesTheReferenceIndex() throws Exception {
        EmbeddedPostgres.Database db = EmbeddedPostgres.freshDatabase("plans-find");
        try (Gateway migrated = Gateway.start("plans-find", db.storeSettings())) {
            assertThat(migrated.store().findAll(java.util.List.of("P1"))).isEmpty();
        }
        try (Connection c = db.connect();
             Statement s = c.createStatement()) {
            s.execute("INSERT INTO payout (reference, intake, content_hash, state, next_action_at, created_at, updated_at) "
                    + "SELECT 'P' || n, 'FILE', 'h', 'SUBMITTED', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP "
                    + "FROM generate_series(1, 20000) n");
            s.execute("ANALYZE payout");
            s.execute("PREPARE find(varchar[]) AS " + numbered(PayoutStore.FIND_ALL));
            for (int i = 0; i < 10; i++) { // past the five executions after which PostgreSQL may keep a generic plan
                s.execute("EXECUTE find(ARRAY['P" + (i + 1) + "', 'NONE'])");
            }
            String find = explain(s, "EXECUTE find(ARRAY['P1', 'P7', 'P19997'])");
            assertThat(find).as(find).contains("payout_reference_unique").doesNotContain("Seq Scan on payout");
            java.util.List<String> found = new java.util.ArrayList<>();
            try (ResultSet rs = s.executeQuery("EXECUTE find(ARRAY['P1', 'NONE', 'P19997'])")) {
                while (rs.next()) {
                    found.add(rs.getString("reference"));
                }
            }
            assertThat(found).containsExactlyInAnyOrder("P1", "P19997");
        }
    }

    /** The JDBC statement with PostgreSQL's numbered parameters, for PREPARE. */
    private static String numbered(String sql) {
        StringBuilder out = new StringBuilder();
        int n = 0;
        for (char ch : sql.toCharArray()) {
            out.append(ch == '?' ? "$" + ++n : String.valueOf(ch));
        }
        return out.toString();
    }

    private static String explain(Statement s, String sql) throws SQLException {
        StringBuilder plan = new StringBuilder();
        try (ResultSet rs = s.executeQuery("EXPLAIN " + sql)) {
            while (rs.next()) {
                plan.append(rs.getString(1)).append('\n');
            }
        }
        return plan.toString();
    }
}
