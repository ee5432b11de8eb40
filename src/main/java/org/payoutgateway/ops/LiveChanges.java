package org.payoutgateway.ops;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.DefaultRegistry;
import org.apache.camel.support.FileWatcherResourceReloadStrategy;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.support.service.ServiceSupport;
import org.payoutgateway.config.Settings;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.payout.PayoutStore;
import org.payoutgateway.provider.AccountGuards;
import org.payoutgateway.provider.AccountRoutes;
import org.payoutgateway.provider.ProviderAccounts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies edits of {@code routes/*.yaml} and {@code config/application.properties} to the running
 * gateway, when {@code payout.live-changes.enabled=true}. An edit is checked before anything
 * running is touched, and refused with one ERROR log line when it is not sound; the running routes
 * and settings then stay as they were.
 *
 * <p>The checks, in order: the offline check of {@link ConfigValidator} (YAML, endpoints, beans and
 * methods, placeholders, account settings, routing); for settings, the provider accounts and their
 * guards built from the new values, and no account removed while it still has open payouts; then
 * a trial build of the routes in a separate, never-started Camel context with the new files and the
 * gateway's beans (every endpoint, expression and bean call is resolved there, no consumer runs).
 *
 * <p>A sound route file replaces the routes that came from it: each old route is stopped gracefully
 * (an exchange in flight finishes first; the dispatch timer's run, with its sends, completes), then
 * the new ones start. If a new route fails to start, the file's old routes are put back. Payouts
 * are never held in a route: they are in the store, claimed by compare-and-set, so a replaced
 * route loses or duplicates none.
 *
 * <p>A sound settings file is loaded in place: provider accounts and routing, each account's rate
 * limit, concurrency limit and circuit breaker apply at once, and every route file that uses a
 * changed setting in a <code>{{placeholder}}</code> is replaced as above. Any other changed setting
 * (the store, ports, batch sizes, the HTTP client, Camel's own) applies at the next restart; the
 * log line names those settings. A removed route file is not applied live (its routes keep running
 * until a restart).
 */
public final class LiveChanges extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(LiveChanges.class);
    private static final AtomicInteger TRIALS = new AtomicInteger();
    /** Settings applied live by rebuilding the accounts and guards; routes pick up their own placeholders. */
    static final List<String> LIVE_PREFIXES = List.of("payout.provider.", "payout.routing.");
    private static final Set<PayoutState> OPEN = Set.of(PayoutState.RECEIVED, PayoutState.SENDING,
            PayoutState.SUBMITTED, PayoutState.UNKNOWN);

    /** What became of one edit. */
    public enum Result { APPLIED, REFUSED }

    /** One edit and what became of it. */
    public record Change(String file, Result result, String detail) {
    }

    private final CamelContext camel;
    private final Path propertiesFile;
    private final Path routesDir;
    private final long settleMillis;
    private final ProviderAccounts accounts;
    private final AccountGuards guards;
    private final PayoutStore store;
    private final Settings settings;
    /** The files as applied, and the version they make (readiness reports it). */
    private final SettingsVersion applied;
    private final Map<Path, ScheduledFuture<?>> pending = new HashMap<>();
    private final List<Change> changes = Collections.synchronizedList(new ArrayList<>());
    private final List<FileWatcherResourceReloadStrategy> watchers = new ArrayList<>();
    private ScheduledExecutorService worker;

    /**
     * @param settleMillis how long a file must stay unchanged before it is read (an editor writes
     *                     a file in several steps)
     */
    public LiveChanges(CamelContext camel, Path configDir, Path routesDir, long settleMillis,
            ProviderAccounts accounts, AccountGuards guards, PayoutStore store, Settings settings, SettingsVersion applied) {
        this.camel = camel;
        this.applied = applied;
        this.propertiesFile = configDir.resolve("application.properties").toAbsolutePath().normalize();
        this.routesDir = routesDir.toAbsolutePath().normalize();
        this.settleMillis = settleMillis;
        this.accounts = accounts;
        this.guards = guards;
        this.store = store;
        this.settings = settings;
    }

    /** Every edit seen so far and what became of it, oldest first. */
    public List<Change> changes() {
        synchronized (changes) {
            return List.copyOf(changes);
        }
    }

    @Override
    protected void doStart() throws Exception {
        worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "live-changes");
            t.setDaemon(true);
            return t;
        });
        watch(routesDir, f -> f.getName().endsWith(".yaml"));
        watch(propertiesFile.getParent(), f -> f.toPath().toAbsolutePath().normalize().equals(propertiesFile));
        LOG.info("Live changes on: edits of {} and {} are checked, then applied without a restart", routesDir, propertiesFile);
    }

    private void watch(Path dir, java.io.FileFilter filter) throws Exception {
        FileWatcherResourceReloadStrategy watcher = new FileWatcherResourceReloadStrategy(dir.toString());
        watcher.setCamelContext(camel);
        watcher.setFileFilter(filter);
        watcher.setPollTimeout(500);
        watcher.setResourceReload((name, resource) -> edited(Path.of(name).toAbsolutePath().normalize()));
        watcher.start();
        watchers.add(watcher);
    }

    @Override
    protected void doStop() throws Exception {
        for (FileWatcherResourceReloadStrategy w : watchers) {
            w.stop();
        }
        watchers.clear();
        if (worker != null) {
            worker.shutdownNow();
        }
    }

    /** A file was written: it is looked at once it has settled. */
    private synchronized void edited(Path file) {
        ScheduledFuture<?> before = pending.get(file);
        if (before != null) {
            before.cancel(false);
        }
        pending.put(file, worker.schedule(() -> apply(file), settleMillis, TimeUnit.MILLISECONDS));
    }

    private void apply(Path file) {
        try {
            if (file.equals(propertiesFile)) {
                applySettings();
            } else {
                applyRoutes(file);
            }
        } catch (Exception e) {
            refuse(file, "could not be applied: " + ConfigValidator.messages(e));
        }
    }

    // ------------------------------------------------------------------------------------- routes

    private void applyRoutes(Path file) throws Exception {
        if (!Files.exists(file)) {
            if (applied.content(file) != null) {
                refuse(file, "was removed; removing routes is not applied live, its routes keep running until a restart");
            }
            return;
        }
        long started = System.nanoTime();
        String content = Files.readString(file);
        if (content.equals(applied.content(file))) {
            return;
        }
        // the running settings were checked when applied: a settings file saved but refused since
        // does not hold up a route edit
        List<ConfigValidator.Problem> problems = ConfigValidator.validate(propertiesFile, liveLookup(), List.of(file)).stream()
                .filter(p -> Path.of(p.file()).toAbsolutePath().normalize().equals(file)).toList();
        if (!problems.isEmpty()) {
            refuse(file, problems.stream().map(Object::toString).collect(Collectors.joining("; ")));
            return;
        }
        Optional<String> taken = idOfAnotherFile(file);
        if (taken.isPresent()) {
            refuse(file, taken.get());
            return;
        }
        Optional<String> trial = trialBuild(List.of(file), accounts.names());
        if (trial.isPresent()) {
            refuse(file, trial.get());
            return;
        }
        long checkedMillis = millisSince(started);
        long checked = System.nanoTime();
        // no new calls while routes are replaced: those under way end on the old routes, promptly
        org.payoutgateway.dispatch.AccountLanes lanes = camel.getRegistry()
                .lookupByNameAndType("accountLanes", org.payoutgateway.dispatch.AccountLanes.class);
        if (lanes != null) {
            lanes.pause();
        }
        Set<String> ids;
        try {
            ids = replaceRoutes(file);
        } finally {
            if (lanes != null) {
                lanes.resume();
            }
        }
        applied.applied(file, content);
        record(file, Result.APPLIED, "routes " + ids + " replaced (checked in " + checkedMillis
                + " ms, replaced in " + millisSince(checked) + " ms)");
    }

    /** A route (or template) id of the file that a route of another file, or of the gateway's own, already has. */
    private Optional<String> idOfAnotherFile(Path file) {
        ModelCamelContext model = (ModelCamelContext) camel;
        for (ConfigValidator.RouteId id : ConfigValidator.routeIds(file)) {
            if (id.id() == null) {
                continue; // refused by the validator
            }
            Route route = id.kind().equals("route") ? camel.getRoute(id.id()) : null;
            RouteTemplateDefinition template = id.kind().equals("routeTemplate")
                    ? model.getRouteTemplateDefinition(id.id()) : null;
            Resource source = route != null ? route.getSourceResource() : template != null ? template.getResource() : null;
            if ((route != null || template != null) && !from(file, source)) {
                return Optional.of(file + ":" + id.line() + ": " + id.kind() + " id '" + id.id() + "' is already used by "
                        + (source != null ? source.getLocation() : "a route of the gateway")
                        + " (ids must be unique: a second " + id.kind() + " with an id replaces the first)");
            }
        }
        return Optional.empty();
    }

    /**
     * Replaces the routes (and route configurations) that came from a file by the file's new ones;
     * if any new route does not start, the old ones are put back.
     *
     * @return the ids of the routes the file now has
     */
    private Set<String> replaceRoutes(Path file) throws Exception {
        ModelCamelContext model = (ModelCamelContext) camel;
        List<RouteDefinition> oldRoutes = model.getRouteDefinitions().stream().filter(d -> from(file, d.getResource())).toList();
        List<RouteConfigurationDefinition> oldConfigurations = model.getRouteConfigurationDefinitions().stream()
                .filter(d -> from(file, d.getResource())).toList();
        List<RouteTemplateDefinition> oldTemplates = model.getRouteTemplateDefinitions().stream()
                .filter(t -> from(file, t.getResource())).toList();
        List<String> oldAccountTemplates = oldTemplates.stream().map(RouteTemplateDefinition::getId)
                .filter(AccountRoutes.templates(camel)::contains).toList();
        List<String> accountNames = accounts.names();
        Resource resource = PluginHelper.getResourceLoader(camel).resolveResource("file:" + file);
        Set<String> ids = new LinkedHashSet<>();
        try {
            // the file's entry routes first, then the ones they call (direct:), then the per-account
            // routes of its templates: an exchange in flight finishes through the old routes, and no
            // new route sends through an old one. Until the new account routes are made, a new
            // route's call to one waits for it (direct: waits for its consumer).
            List<String> stopOrder = new ArrayList<>(oldRoutes.stream()
                    .sorted(java.util.Comparator.comparing(d -> d.getInput().getEndpointUri().startsWith("direct:")))
                    .map(RouteDefinition::getRouteId).toList());
            for (String template : oldAccountTemplates) {
                accountNames.forEach(a -> stopOrder.add(AccountRoutes.routeId(template, a)));
            }
            for (String id : stopOrder) {
                camel.getRouteController().stopRoute(id);
            }
            // the file's templates are replaced (Camel would keep the old definition beside the new one)
            for (RouteTemplateDefinition t : oldTemplates) {
                model.removeRouteTemplateDefinition(t);
            }
            ids.addAll(PluginHelper.getRoutesLoader(camel).updateRoutes(resource));
            List<String> templates = model.getRouteTemplateDefinitions().stream()
                    .filter(t -> from(file, t.getResource())).map(RouteTemplateDefinition::getId)
                    .filter(AccountRoutes.templates(camel)::contains).toList();
            ids.addAll(AccountRoutes.make(camel, templates, accountNames));
            for (RouteDefinition old : oldRoutes) {
                // the API document's route (rest-api:) is Camel's own, kept across updates
                if (!ids.contains(old.getRouteId()) && !old.getInput().getEndpointUri().startsWith("rest-api:")) {
                    camel.getRouteController().stopRoute(old.getRouteId());
                    camel.removeRoute(old.getRouteId());
                }
            }
            for (RouteDefinition old : oldRoutes) {
                // a route of the file that was kept as it was (the API document's) runs again
                ServiceStatus status = camel.getRouteController().getRouteStatus(old.getRouteId());
                if (status != null && status.isStopped() && !waitsForClusterLock(old.getRouteId())) {
                    camel.getRouteController().startRoute(old.getRouteId());
                }
            }
            for (String id : ids) {
                ServiceStatus status = camel.getRouteController().getRouteStatus(id);
                RouteDefinition d = model.getRouteDefinition(id);
                boolean autoStart = d == null || d.getAutoStartup() == null || !d.getAutoStartup().equals("false");
                if (autoStart && (status == null || !status.isStarted()) && !waitsForClusterLock(id)) {
                    throw new IllegalStateException("route " + id + " did not start (" + status + ")");
                }
            }
            return ids;
        } catch (Exception e) {
            LOG.error("Live change of {}: a new route failed to start ({}); putting the old routes back", file,
                    ConfigValidator.messages(e));
            for (Route r : List.copyOf(camel.getRoutes())) {
                if (ids.contains(r.getRouteId()) || from(file, r.getSourceResource())) {
                    camel.getRouteController().stopRoute(r.getRouteId());
                    camel.removeRoute(r.getRouteId());
                }
            }
            for (RouteTemplateDefinition t : List.copyOf(model.getRouteTemplateDefinitions())) {
                if (from(file, t.getResource())) {
                    model.removeRouteTemplateDefinition(t);
                }
            }
            model.addRouteTemplateDefinitions(oldTemplates);
            for (RouteConfigurationDefinition c : oldConfigurations) {
                model.addRouteConfiguration(c);
            }
            // the old account routes before the old routes that call them
            AccountRoutes.make(camel, oldAccountTemplates, accountNames);
            model.addRouteDefinitions(oldRoutes);
            throw new IllegalStateException("a new route did not start: " + ConfigValidator.messages(e)
                    + "; the old routes run again", e);
        }
    }

    private static boolean from(Path file, Resource resource) {
        if (resource == null || resource.getLocation() == null) {
            return false;
        }
        String location = resource.getLocation().replaceFirst("^file:", "");
        return Path.of(location).toAbsolutePath().normalize().equals(file);
    }

    // ----------------------------------------------------------------------------------- settings

    private void applySettings() throws Exception {
        if (!Files.exists(propertiesFile)) {
            refuse(propertiesFile, "was removed; the running settings stay");
            return;
        }
        long started = System.nanoTime();
        String content = Files.readString(propertiesFile);
        String before = applied.content(propertiesFile);
        if (content.equals(before)) {
            return;
        }
        Set<String> changed = changedKeys(load(before), load(content));
        if (changed.isEmpty()) {
            applied.applied(propertiesFile, content);
            return;
        }
        List<String> newAccountNames;
        // the new file, with the gateway's overrides and environment over it, as the live lookup would give it
        try (DefaultCamelContext trial = trialContext()) {
            Function<String, Optional<String>> lookup = k -> trial.getPropertiesComponent().resolveProperty(k);
            List<ConfigValidator.Problem> problems = ConfigValidator.validate(propertiesFile, lookup, routeFiles());
            if (!problems.isEmpty()) {
                refuse(propertiesFile, problems.stream().map(Object::toString).collect(Collectors.joining("; ")));
                return;
            }
            Settings candidate = new Settings(lookup);
            ProviderAccounts newAccounts;
            try {
                newAccounts = new ProviderAccounts(candidate);
                AccountGuards.check(newAccounts, candidate);
            } catch (RuntimeException e) {
                refuse(propertiesFile, "provider accounts: " + ConfigValidator.messages(e));
                return;
            }
            newAccountNames = newAccounts.names();
            Set<String> kept = Set.copyOf(newAccountNames);
            for (String removed : accounts.names().stream().filter(a -> !kept.contains(a)).toList()) {
                long open = openPayouts(removed);
                if (open > 0) {
                    refuse(propertiesFile, "account " + removed + " would be removed while it has " + open
                            + " open payout(s); remove it once they are final");
                    return;
                }
            }
        }
        List<Path> affected = new ArrayList<>();
        for (Path f : routeFiles()) {
            String text = Files.readString(f);
            if (changed.stream().anyMatch(k -> usesSetting(text, k))) {
                affected.add(f);
            }
        }
        Optional<String> trial = trialBuild(routeFiles(), newAccountNames);
        if (trial.isPresent()) {
            refuse(propertiesFile, trial.get());
            return;
        }

        List<String> accountsBefore = accounts.names();
        if (!camel.getPropertiesComponent().reloadProperties(propertiesFile.toString())) {
            refuse(propertiesFile, "is not the settings file the gateway loaded its settings from ("
                    + camel.getPropertiesComponent().getLocations() + ")");
            return;
        }
        accounts.reload();
        guards.configure(accounts, settings);
        List<String> added = newAccountNames.stream().filter(a -> !accountsBefore.contains(a)).toList();
        AccountRoutes.make(camel, AccountRoutes.templates(camel), added);
        for (String gone : accountsBefore.stream().filter(a -> !newAccountNames.contains(a)).toList()) {
            AccountRoutes.remove(camel, gone);
        }
        HealthCheckRegistry health = HealthCheckRegistry.get(camel);
        if (health != null) {
            for (String a : guards.accounts()) {
                if (health.getCheck("provider-account-" + a).isEmpty()) {
                    health.register(new ProviderAccountHealthCheck(a, guards, ProviderAccountHealthCheck.inReadiness(settings)));
                }
            }
        }
        applied.applied(propertiesFile, content);
        for (Path f : affected) {
            if (Files.readString(f).equals(applied.content(f))) {
                replaceRoutes(f);
            }
        }
        // a raised max-concurrent, a new account or new routes: the provider pools fit them
        org.payoutgateway.provider.ProviderHttpPool.fit(camel, guards);
        Set<String> live = changed.stream().filter(k -> LIVE_PREFIXES.stream().anyMatch(k::startsWith))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> atRestart = new TreeSet<>(changed);
        atRestart.removeAll(live);
        for (Path f : affected) {
            String text = Files.readString(f);
            atRestart.removeIf(k -> usesSetting(text, k));
        }
        record(propertiesFile, Result.APPLIED, "changed " + changed + "; routes replaced from "
                + affected.stream().map(p -> p.getFileName().toString()).toList()
                + (atRestart.isEmpty() ? "" : "; these apply at the next restart: " + atRestart)
                + " (in " + millisSince(started) + " ms)");
    }

    /** Whether a route file's text uses the setting as a placeholder ({{key}}, {{key:default}}, {{?key}}). */
    static boolean usesSetting(String text, String key) {
        return text.contains("{{" + key + "}}") || text.contains("{{" + key + ":") || text.contains("{{?" + key + "}}");
    }

    private long openPayouts(String account) {
        return OPEN.stream().mapToLong(s -> store.search(new PayoutStore.Filter(s, null, account, null, null, null), 0, 1).total()).sum();
    }

    private static Properties load(String content) throws IOException {
        Properties p = new Properties();
        if (content != null) {
            try (Reader r = new java.io.StringReader(content)) {
                p.load(r);
            }
        }
        return p;
    }

    private static Set<String> changedKeys(Properties before, Properties after) {
        Set<String> keys = new TreeSet<>(before.stringPropertyNames());
        keys.addAll(after.stringPropertyNames());
        keys.removeIf(k -> Objects.equals(before.getProperty(k), after.getProperty(k)));
        return keys;
    }

    // -------------------------------------------------------------------------------------- trial

    /**
     * Builds the routes of some files in a Camel context that is never started (routes are built,
     * not one consumer runs), with the settings file as it is on disk now, the gateway's overrides
     * and environment, and the gateway's beans.
     *
     * @return why they do not build, or empty when they do
     */
    private Optional<String> trialBuild(List<Path> files, List<String> accountNames) {
        try (DefaultCamelContext trial = trialContext()) {
            List<Resource> resources = new ArrayList<>();
            for (Path f : files) {
                resources.add(ResourceHelper.resolveResource(trial, "file:" + f));
            }
            PluginHelper.getRoutesLoader(trial).loadRoutes(resources);
            AccountRoutes.make(trial, AccountRoutes.templates(trial), accountNames);
            trial.start();
            return Optional.empty();
        } catch (Exception | LinkageError e) {
            return Optional.of("does not build: " + ConfigValidator.messages(e));
        }
    }

    private DefaultCamelContext trialContext() {
        DefaultCamelContext trial = new DefaultCamelContext(false);
        trial.getCamelContextExtension().setName("live-change-check-" + TRIALS.incrementAndGet());
        // the gateway's beans, but a cluster route policy (fileLeader) belongs to the running context
        // and its cluster service: the trial's routes, never started, get a plain policy under its name
        org.apache.camel.support.SimpleRegistry trialOnly = new org.apache.camel.support.SimpleRegistry();
        camel.getRegistry().findByTypeWithName(org.apache.camel.impl.cluster.ClusteredRoutePolicy.class).keySet()
                .forEach(name -> trialOnly.bind(name, new org.apache.camel.support.RoutePolicySupport() {
                }));
        trial.getCamelContextExtension().setRegistry(new DefaultRegistry(trialOnly, camel.getRegistry()));
        var live = (org.apache.camel.component.properties.PropertiesComponent) camel.getPropertiesComponent();
        PropertiesComponent pc = trial.getPropertiesComponent();
        pc.setLocation("file:" + propertiesFile);
        pc.setOverrideProperties(live.getOverrideProperties());
        pc.setInitialProperties(live.getInitialProperties());
        trial.getRestConfiguration().setComponent(camel.getRestConfiguration().getComponent());
        trial.setAutoStartup(false);
        trial.setStartupSummaryLevel(org.apache.camel.StartupSummaryLevel.Off);
        trial.build();
        return trial;
    }

    // ------------------------------------------------------------------------------------ helpers

    private Function<String, Optional<String>> liveLookup() {
        return k -> camel.getPropertiesComponent().resolveProperty(k);
    }

    /**
     * Whether the route is one a cluster route policy runs only on the replica holding the lock
     * ({@code routePolicy: fileLeader}), and this replica does not hold it: the policy starts it
     * when the lock is taken, never a live change.
     */
    private boolean waitsForClusterLock(String routeId) {
        Route route = camel.getRoute(routeId);
        return route != null && route.getRoutePolicyList().stream()
                .anyMatch(p -> p instanceof org.apache.camel.impl.cluster.ClusteredRoutePolicy c && !c.isLeader());
    }

    private List<Path> routeFiles() throws IOException {
        return ConfigValidator.routeFiles(routesDir).stream().map(p -> p.toAbsolutePath().normalize()).toList();
    }

    private void refuse(Path file, String reason) {
        String why = reason.replaceAll("\\s*\\n\\s*", " "); // one log line
        LOG.error("Live change REFUSED ({}): {}. The running routes and settings are unchanged", file, why);
        changes.add(new Change(file.toString(), Result.REFUSED, why));
    }

    private void record(Path file, Result result, String detail) {
        LOG.info("Live change APPLIED ({}): {}", file, detail);
        changes.add(new Change(file.toString(), result, detail));
    }

    private static long millisSince(long nanoTime) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanoTime);
    }
}
