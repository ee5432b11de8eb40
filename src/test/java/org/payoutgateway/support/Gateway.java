package org.payoutgateway.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.payoutgateway.GatewayMain;
import org.payoutgateway.payout.Payout;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.payout.PayoutStore;

/**
 * The real application, booted by {@link GatewayMain#create} as production boots it, with its own
 * data folders and store under {@code target/}, fast schedules, and settings a test overrides.
 */
public final class Gateway implements AutoCloseable {

    public final Path home;
    public final Path inbox;
    public final Path outbox;
    public final Path archive;
    public final Path errors;
    public final int httpPort;
    public final int managementPort;
    private final Main main;

    private Gateway(Path home, int httpPort, int managementPort, Main main) {
        this.home = home;
        this.inbox = home.resolve("inbox");
        this.outbox = home.resolve("outbox");
        this.archive = home.resolve("archive");
        this.errors = home.resolve("error");
        this.httpPort = httpPort;
        this.managementPort = managementPort;
        this.main = main;
    }

    /**
     * Settings a test gateway needs whose callback receivers are stand-ins on this machine: plain
     * http and private (loopback) targets allowed, as in a lab. Never the shipped defaults.
     */
    public static final Map<String, String> LAB_CALLBACKS = Map.of(
            "payout.webhook.allow-http", "true", "payout.webhook.allow-private-targets", "true");

    /** Settings every test gateway gets: own folders, in-memory H2, quick polling and back-off, no sandbox. */
    public static Properties defaults(Path home, int httpPort) {
        Properties p = new Properties();
        p.setProperty("camel.server.port", String.valueOf(httpPort));
        try {
            p.setProperty("camel.management.port", String.valueOf(freePort()));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        p.setProperty("payout.datasource.url", "jdbc:h2:mem:" + UUID.randomUUID()
                + ";DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH");
        p.setProperty("payout.intake.file.inbox-dir", home.resolve("inbox").toString());
        p.setProperty("payout.intake.file.archive-dir", home.resolve("archive").toString());
        p.setProperty("payout.intake.file.error-dir", home.resolve("error").toString());
        p.setProperty("payout.intake.file.outbox-dir", home.resolve("outbox").toString());
        p.setProperty("payout.cluster.lock-dir", home.resolve("cluster").toString());
        p.setProperty("payout.cluster.lock-interval-ms", "500");
        p.setProperty("payout.intake.file.poll-interval-ms", "200");
        p.setProperty("payout.intake.file.result-interval-ms", "300");
        p.setProperty("payout.intake.file.resume-interval-ms", "500");
        p.setProperty("payout.dispatch.poll-interval-ms", "100");
        p.setProperty("payout.dispatch.retry-backoff", "500ms");
        p.setProperty("payout.query.cron", "* * * * * ?");
        p.setProperty("payout.callback.base-url", "http://localhost:" + httpPort);
        p.setProperty("payout.sandbox.enabled", "false");
        p.setProperty("camel.component.http.response-timeout", "2000");
        p.setProperty("camel.component.http.so-timeout", "2000");
        for (String account : List.of("paypro-id", "paypro-ke", "paypro-pk", "diamondpay-id")) {
            p.setProperty("payout.provider." + account + ".query-schedule", "1s");
            p.setProperty("payout.provider." + account + ".not-found-grace", "1s");
        }
        return p;
    }

    /** Starts a gateway with {@link #defaults} plus {@code overrides}. */
    public static Gateway start(String name, Map<String, String> overrides) throws Exception {
        return start(name, overrides, Map.of());
    }

    /** Starts a gateway with {@link #defaults} plus {@code overrides}, with beans bound before it is configured. */
    public static Gateway start(String name, Map<String, String> overrides, Map<String, Object> beans) throws Exception {
        Path home = Files.createDirectories(Path.of("target", "it", name + "-" + UUID.randomUUID()).toAbsolutePath());
        int port = freePort();
        Properties p = defaults(home, port);
        // one Quartz scheduler per Camel name: gateways running side by side in a test JVM need their own
        p.setProperty("camel.main.name", "gateway-" + name + "-" + home.getFileName().toString().substring(name.length() + 1, name.length() + 9));
        overrides.forEach(p::setProperty);
        Main main = GatewayMain.create(p);
        beans.forEach(main::bind);
        main.start();
        return new Gateway(home, port, Integer.parseInt(p.getProperty("camel.management.port")), main);
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public PayoutStore store() {
        return context().getRegistry().lookupByNameAndType("payoutStore", PayoutStore.class);
    }

    public Payout payout(String reference) {
        return store().find(reference).orElseThrow(() -> new AssertionError("no payout " + reference));
    }

    /** Drops a file into the inbox the way writers must: written under another name, then renamed. */
    public Path drop(String name, String content) throws IOException {
        Files.createDirectories(inbox);
        Path tmp = inbox.resolve("." + name + ".part");
        Files.writeString(tmp, content);
        return Files.move(tmp, inbox.resolve(name));
    }

    public Path resultOf(String name) {
        return outbox.resolve(name + ".result.csv");
    }

    /** Waits until the payout reaches the state, failing with its story if it does not. */
    public Payout awaitState(String reference, PayoutState state, Duration within) {
        await(() -> store().find(reference).map(p -> p.state() == state).orElse(false), within,
                () -> "payout " + reference + " never reached " + state + "; it is "
                        + store().find(reference).map(Payout::state).orElse(null) + ", history "
                        + store().history(reference));
        return payout(reference);
    }

    public static void await(BooleanSupplier condition, Duration within, java.util.function.Supplier<String> failure) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure.get());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
    }

    public static void await(BooleanSupplier condition, Duration within, String failure) {
        await(condition, within, () -> failure);
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        main.stop();
    }
}
