package org.payoutgateway;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import org.apache.camel.CamelConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.StartupListener;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.service.ServiceSupport;
import org.flywaydb.core.Flyway;
import org.payoutgateway.config.Settings;
import org.payoutgateway.api.ApiClients;
import org.payoutgateway.console.ConsoleApi;
import org.payoutgateway.console.ConsoleSessions;
import org.payoutgateway.console.ConsoleWeb;
import org.payoutgateway.api.ApiGuard;
import org.payoutgateway.api.AuditTrail;
import org.payoutgateway.api.OperatorApi;
import org.payoutgateway.api.PayoutApi;
import org.payoutgateway.callback.CallbackHttpClient;
import org.payoutgateway.callback.CallbackTargets;
import org.payoutgateway.payout.OperatorActions;
import org.payoutgateway.callback.SubmitterCallbacks;
import org.payoutgateway.dispatch.AccountLanes;
import org.payoutgateway.dispatch.Dispatcher;
import org.payoutgateway.notify.NotifyReceiver;
import org.payoutgateway.ops.LiveChanges;
import org.payoutgateway.ops.PayoutMetrics;
import org.payoutgateway.ops.IntakeFilesHealthCheck;
import org.payoutgateway.ops.PayoutStoreHealthCheck;
import org.payoutgateway.ops.SettingsVersion;
import org.payoutgateway.intake.file.FileIntake;
import org.payoutgateway.intake.file.FileResults;
import org.payoutgateway.intake.file.IntakeFiles;
import org.payoutgateway.intake.erp.ErpIntake;
import org.payoutgateway.payout.GroupCommit;
import org.payoutgateway.payout.H2Url;
import org.payoutgateway.payout.PayoutOutcomes;
import org.payoutgateway.payout.PayoutStore;
import org.payoutgateway.payout.PayoutValidator;
import org.payoutgateway.ops.ProviderAccountHealthCheck;
import org.payoutgateway.provider.AccountGuards;
import org.payoutgateway.provider.AccountRoutes;
import org.payoutgateway.provider.ProviderAccounts;
import org.payoutgateway.query.StatusQueries;
import org.payoutgateway.sandbox.ProviderSandbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the gateway's beans once from the settings and binds them by the names the routes use:
 * {@code payoutStore}, {@code providerAccounts}, {@code fileIntake}, {@code fileResults},
 * {@code accountLanes}, {@code dispatcher}, {@code statusQueries}, {@code dispatchPool} (submitter callbacks). Migrates the payout store first.
 */
public class GatewayConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayConfiguration.class);
    public static final String DEFAULT_H2_URL =
            "jdbc:h2:file:./data/db/payouts;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0;CACHE_SIZE=65536";

    @Override
    public void configure(CamelContext context) throws Exception {
        Registry registry = context.getRegistry();
        if (registry.lookupByName("payoutStore") != null) {
            return; // bound already
        }
        Settings settings = new Settings(key -> context.getPropertiesComponent().resolveProperty(key));

        HikariDataSource dataSource = dataSource(settings, "payout.datasource", "payout-store", H2Url.PAYOUT_STORE);
        closeOnStop(context, dataSource);
        HikariDataSource erpDataSource = dataSource;
        if (settings.find("payout.intake.erp.datasource.url").isPresent()) {
            erpDataSource = dataSource(settings, "payout.intake.erp.datasource", "erp", H2Url.DURABLE);
            closeOnStop(context, erpDataSource);
        }
        migrate(dataSource);

        PayoutStore store = new PayoutStore(dataSource, Clock.systemUTC());
        // the registry Camel's Prometheus support serves at /observe/metrics (bound under this
        // name; made here when metrics are off, so that the gateway's meters always have a home)
        MeterRegistry meterRegistry = registry.lookupByNameAndType("metricsRegistry", MeterRegistry.class);
        if (meterRegistry == null) {
            meterRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            registry.bind("metricsRegistry", meterRegistry);
        }
        PayoutMetrics metrics = new PayoutMetrics(meterRegistry, store);
        registry.bind("payoutMetrics", metrics);
        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        if (health != null) {
            health.register(new PayoutStoreHealthCheck(dataSource));
        }
        ProviderAccounts accounts = new ProviderAccounts(settings);
        PayoutValidator validator = new PayoutValidator(accounts);
        PayoutOutcomes outcomes = new PayoutOutcomes(store,
                settings.getDurations("payout.dispatch.retry-backoff", "5s,30s,1m,5m"));
        String instanceId = settings.get("payout.instance-id",
                defaultInstanceId(settings.get("camel.server.port", "8080")));
        IntakeFiles files = new IntakeFiles(store, instanceId, settings.getDuration("payout.intake.file.claim-lease", "30s"));

        registry.bind("payoutDataSource", dataSource);
        registry.bind("erpDataSource", erpDataSource);
        registry.bind("erpIntake", new ErpIntake(store, validator, instanceId,
                settings.getDuration("payout.intake.erp.claim-lease", "5m"),
                settings.getInt("payout.intake.erp.poll-size", 200),
                settings.get("payout.intake.erp.owner", ApiClients.DEFAULT_CLIENT)));
        registry.bind("payoutStore", store);
        registry.bind("providerAccounts", accounts);
        registry.bind("payoutValidator", validator);
        registry.bind("payoutOutcomes", outcomes);
        FileIntake fileIntake = new FileIntake(store, files, validator, metrics,
                Path.of(settings.get("payout.intake.file.inbox-dir", "data/inbox")),
                Path.of(settings.get("payout.intake.file.archive-dir", "data/archive")),
                Path.of(settings.get("payout.intake.file.error-dir", "data/error")),
                settings.getInt("payout.intake.file.batch-size", 2000),
                settings.getDuration("payout.intake.file.progress-interval", "10s"),
                settings.get("payout.intake.file.owner", ApiClients.DEFAULT_CLIENT),
                org.payoutgateway.intake.file.Pain001Reader.nationalIdSchemes(
                        settings.get("payout.intake.file.iso20022.national-id-schemes", "NIDN")));
        registry.bind("fileIntake", fileIntake);
        registry.bind("fileInboxFilter", fileIntake.inboxFilter());
        registry.bind("fileLeader", fileLeader(context, settings));
        if (health != null) {
            health.register(new IntakeFilesHealthCheck(fileIntake));
        }
        registry.bind("fileResults", new FileResults(store, files,
                Path.of(settings.get("payout.intake.file.outbox-dir", "data/outbox")),
                settings.getDuration("payout.intake.file.progress-interval", "10s"),
                Path.of(settings.get("payout.intake.file.archive-dir", "data/archive"))));
        AccountGuards guards = new AccountGuards(accounts, settings);
        registry.bind("accountGuards", guards);
        HealthCheckRegistry healthChecks = HealthCheckRegistry.get(context);
        if (healthChecks != null) {
            guards.accounts().forEach(a -> healthChecks.register(new ProviderAccountHealthCheck(a, guards,
                    ProviderAccountHealthCheck.inReadiness(settings))));
        }
        java.time.Duration recordWithin = java.time.Duration.ofMillis(settings.getInt("payout.dispatch.record-interval-ms", 5));
        int recordAtMost = settings.getInt("payout.dispatch.record-max", 200);
        GroupCommit<PayoutOutcomes.CreateResult> createReplies = new GroupCommit<>("create-replies", outcomes::afterCreates,
                recordWithin, recordAtMost);
        GroupCommit<PayoutOutcomes.QueryResult> queryReplies = new GroupCommit<>("query-replies", outcomes::afterQueries,
                recordWithin, recordAtMost);
        registry.bind("dispatcher", new Dispatcher(store, accounts, metrics, guards,
                settings.getDuration("payout.dispatch.sending-lease", "2m"), createReplies));
        registry.bind("statusQueries", new StatusQueries(store, accounts, outcomes, metrics, guards,
                settings.getDuration("payout.dispatch.sending-lease", "2m"), queryReplies));
        AccountLanes lanes = new AccountLanes(context.createProducerTemplate(), store, accounts, guards, outcomes,
                settings.getInt("payout.dispatch.prefetch", 8), settings.getDuration("payout.dispatch.sending-lease", "2m"));
        registry.bind("accountLanes", lanes);
        // at the start of a stop, while the routes still run: claimed payouts not yet sent go back to
        // the store, calls under way end and are recorded; then the reply recorders close
        context.getManagementStrategy().addEventNotifier(new org.apache.camel.support.EventNotifierSupport() {
            @Override
            public boolean isEnabled(org.apache.camel.spi.CamelEvent event) {
                return event instanceof org.apache.camel.spi.CamelEvent.CamelContextStoppingEvent;
            }

            @Override
            public void notify(org.apache.camel.spi.CamelEvent event) {
                lanes.stop(java.time.Duration.ofSeconds(context.getShutdownStrategy().getTimeout()));
                createReplies.close();
                queryReplies.close();
            }
        });
        CallbackTargets callbackTargets = new CallbackTargets(settings.getBoolean("payout.webhook.allow-http", false),
                settings.getList("payout.webhook.allowed-hosts", ""),
                settings.getBoolean("payout.webhook.allow-private-targets", false),
                registry.lookupByNameAndType(CallbackTargets.RESOLVER_BEAN, CallbackTargets.HostResolver.class));
        if (callbackTargets.allowsPrivateTargets()) {
            LOG.warn("payout.webhook.allow-private-targets is on: callbacks may reach this gateway's own network; never in production");
        }
        registry.bind("callbackHttpClient", new CallbackHttpClient(context, callbackTargets));
        SubmitterCallbacks callbacks = new SubmitterCallbacks(store, settings.get("payout.webhook.signing-key", ""),
                settings.getDurations("payout.webhook.retry-backoff", "5s,30s,2m,10m,1h,6h"),
                settings.getInt("payout.dispatch.batch-size", 200),
                settings.getDuration("payout.dispatch.sending-lease", "2m"), callbackTargets);
        registry.bind("submitterCallbacks", callbacks);
        ApiClients clients = ApiClients.from(settings);
        ApiGuard apiGuard = new ApiGuard(clients, settings, meterRegistry);
        AuditTrail auditTrail = new AuditTrail(dataSource, store::now);
        PayoutApi payoutApi = new PayoutApi(store, validator, clients, apiGuard,
                auditTrail, settings.getInt("payout.api.batch-max", 1000), callbacks.enabled());
        payoutApi.checkCallbackTargets(callbackTargets::refusal);
        registry.bind("payoutApi", payoutApi);
        // the operations console: its sessions stand in for the X-API-Key of the client that logged in
        ConsoleSessions consoleSessions = new ConsoleSessions(store, settings.getDuration("payout.console.session-max-age", "8h"),
                settings.getDuration("payout.console.session-idle", "30m"));
        payoutApi.acceptSessions(consoleSessions);
        registry.bind("consoleWeb", new ConsoleWeb(clients, apiGuard, auditTrail, consoleSessions));
        registry.bind("consoleApi", new ConsoleApi(store, guards, auditTrail,
                settings.get("payout.intake.file.owner", ApiClients.DEFAULT_CLIENT),
                Path.of(settings.get("payout.intake.file.outbox-dir", "data/outbox")),
                settings.getDuration("payout.console.query-overdue", "5m")));
        if (clients.isEmpty() && settings.getBoolean("payout.sandbox.enabled", false)) {
            LOG.warn("No API client is configured, so neither the API nor the operations console (/console) can be used. "
                    + "To try them with the sandbox, start with e.g. PAYOUT_API_CLIENTS=ops,checker "
                    + "PAYOUT_API_CLIENT_OPS_KEYS=<a key> PAYOUT_API_CLIENT_OPS_ROLES=operator "
                    + "PAYOUT_API_CLIENT_CHECKER_KEYS=<another key> PAYOUT_API_CLIENT_CHECKER_ROLES=approver (README.md)");
        }
        registry.bind("operatorApi", new OperatorApi(new OperatorActions(store), store, payoutApi));
        registry.bind("notifyReceiver", new NotifyReceiver(store, accounts, outcomes));
        ExecutorService dispatchPool = context.getExecutorServiceManager()
                .newFixedThreadPool(this, "dispatch", settings.getInt("payout.dispatch.concurrency", 16));
        registry.bind("dispatchPool", dispatchPool);

        // one provider-create-<account> and provider-query-<account> route per account, from the
        // templates of routes/ (loaded by the time the context starts)
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext camel, boolean alreadyStarted) {
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext camel, boolean alreadyStarted) throws Exception {
                LOG.info("Provider account routes started: {}", AccountRoutes.make(camel, AccountRoutes.templates(camel),
                        accounts.names()));
                org.payoutgateway.api.HttpProblems.install(camel);
            }
        });
        Path configDir = Path.of(settings.get("payout.config-dir", "config"));
        Path routesDir = routesDir(settings.get("camel.main.routes-include-pattern", "file:routes/*.yaml"));
        SettingsVersion settingsVersion = SettingsVersion.read(configDir.resolve("application.properties"), routesDir);
        if (healthChecks != null) {
            healthChecks.register(settingsVersion);
        }
        LOG.info("Settings version {} ({} and {})", settingsVersion.version(), configDir, routesDir);
        if (settings.getBoolean("payout.live-changes.enabled", false)) {
            LiveChanges live = new LiveChanges(context, configDir, routesDir,
                    settings.getInt("payout.live-changes.settle-ms", 500), accounts, guards, store, settings, settingsVersion);
            registry.bind("liveChanges", live);
            context.addService(live, true, false);
        }
        if (settings.getBoolean("payout.sandbox.enabled", false)) {
            LOG.warn("SANDBOX ENABLED: simulated providers are served under /sandbox; never use in production");
            context.addRoutes(new ProviderSandbox(accounts, settings));
        }
        LOG.info("Payout gateway configured: accounts {}, store {}", accounts.all().stream()
                .map(c -> c.account() + "(" + c.country() + ")").toList(), dataSource.getJdbcUrl().replaceAll(";.*", ""));
    }

    /**
     * A default instance id: host name and the gateway's HTTP port ({@code camel.server.port}), unique
     * per running gateway (two on one host cannot share a port) and the same after a restart, so that
     * a gateway restarted after a kill takes up at once the file it was reading (its own claim). Used in ERP and file claims.
     */
    static String defaultInstanceId(String httpPort) {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "gateway";
        }
        return host + "-" + httpPort;
    }

    /** The folder of the first {@code file:} pattern of {@code camel.main.routes-include-pattern}. */
    static Path routesDir(String includePattern) {
        String first = includePattern.split(",")[0].strip().replaceFirst("^file:", "");
        return Path.of(first).getParent() == null ? Path.of(".") : Path.of(first).getParent();
    }

    /**
     * Brings the payout store's tables to the gateway's version with Flyway. Baseline 0: a database
     * that already holds other tables (an ERP's) gets every migration from V1. Replicas started at
     * once on a new store race to create Flyway's history table: one that loses (Flyway finds the
     * table there and still empty) tries again, up to 5 times a second apart, and then finds the
     * store migrated by the winner.
     */
    public static void migrate(javax.sql.DataSource dataSource) throws java.sql.SQLException {
        String[] locations = migrations(dataSource);
        for (int attempt = 1; ; attempt++) {
            try {
                Flyway.configure().dataSource(dataSource).locations(locations)
                        .baselineOnMigrate(true).baselineVersion("0").load().migrate();
                return;
            } catch (org.flywaydb.core.api.FlywayException e) {
                if (attempt == 5) {
                    throw e;
                }
                LOG.warn("Migrating the payout store failed (another gateway migrating it at the same moment?), "
                        + "trying again: {}", e.getMessage());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException stop) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** db/migration, and db/vendor/&lt;database&gt; (h2, postgresql) when the gateway has migrations for that database only. */
    private static String[] migrations(javax.sql.DataSource dataSource) throws java.sql.SQLException {
        String vendor;
        try (java.sql.Connection c = dataSource.getConnection()) {
            vendor = c.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT);
        }
        String own = "db/vendor/" + vendor;
        return GatewayConfiguration.class.getClassLoader().getResource(own) == null
                ? new String[] {"classpath:db/migration"}
                : new String[] {"classpath:db/migration", "classpath:" + own};
    }

    /**
     * A pooled data source from {@code <prefix>.url}, {@code .username}, {@code .password}, {@code .pool-size}.
     * An H2 URL gets the settings the gateway's safety needs ({@link H2Url}); one that contradicts
     * them stops the start, naming the setting.
     */
    private static HikariDataSource dataSource(Settings settings, String prefix, String poolName,
                                               java.util.Map<String, String> h2Needs) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(poolName);
        H2Url.Enforced url;
        try {
            url = H2Url.enforce(settings.get(prefix + ".url", DEFAULT_H2_URL), h2Needs);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(prefix + ".url: " + e.getMessage(), e);
        }
        if (!url.added().isEmpty()) {
            LOG.info("{}.url: H2 settings added, which the gateway needs: {}", prefix, String.join(";", url.added()));
        }
        config.setJdbcUrl(url.url());
        config.setUsername(settings.get(prefix + ".username", "sa"));
        config.setPassword(settings.get(prefix + ".password", ""));
        config.setMaximumPoolSize(settings.getInt(prefix + ".pool-size", 20));
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            if (h2InUseByAnotherProcess(e)) {
                throw new IllegalStateException(prefix + ".url: the H2 database " + url.url().split(";")[0]
                        + " is in use by another gateway process. An H2 file serves one gateway only; to run "
                        + "several replicas, give them one PostgreSQL database (docs/replicas.md)", e);
            }
            throw e;
        }
    }

    /** H2's error 90020, "Database may be already in use": another process holds the database file's lock. */
    private static boolean h2InUseByAnotherProcess(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && sql.getErrorCode() == 90020) {
                return true;
            }
        }
        return false;
    }

    /**
     * The route policy of the file routes (routes/file-intake.yaml, file-results.yaml): of the
     * gateways sharing {@code payout.cluster.lock-dir} (the replicas, on the volume they share with
     * the inbox), only the one holding its lock file runs them; another takes the lock within
     * {@code payout.cluster.lock-interval-ms} once the holder stops or dies (Camel's
     * {@link FileLockClusterService}: an OS file lock, released when the process ends, and a
     * heartbeat in the file for shared file systems that do not release locks of a dead host).
     */
    private static ClusteredRoutePolicy fileLeader(CamelContext context, Settings settings) throws Exception {
        Path lockDir = Path.of(settings.get("payout.cluster.lock-dir", "data/cluster")).toAbsolutePath();
        Files.createDirectories(lockDir);
        FileLockClusterService cluster = new FileLockClusterService();
        cluster.setId("payout-files");
        cluster.setRoot(lockDir.toString());
        cluster.setAcquireLockDelay(1, TimeUnit.MILLISECONDS);
        cluster.setAcquireLockInterval(settings.getInt("payout.cluster.lock-interval-ms", 2000), TimeUnit.MILLISECONDS);
        context.addService(cluster, true, true);
        return ClusteredRoutePolicy.forNamespace(cluster, "payout-files");
    }

    private static void closeOnStop(CamelContext context, HikariDataSource dataSource) throws Exception {
        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                dataSource.close();
            }
        }, true, true);
    }
}
