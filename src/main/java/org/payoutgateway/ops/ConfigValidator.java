package org.payoutgateway.ops;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.spi.EndpointUriFactory;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.payoutgateway.api.PayoutApi;
import org.payoutgateway.callback.SubmitterCallbacks;
import org.payoutgateway.config.Settings;
import org.payoutgateway.dispatch.Dispatcher;
import org.payoutgateway.intake.erp.ErpIntake;
import org.payoutgateway.intake.file.FileIntake;
import org.payoutgateway.intake.file.FileResults;
import org.payoutgateway.notify.NotifyReceiver;
import org.payoutgateway.payout.H2Url;
import org.payoutgateway.payout.PayoutStore;
import org.payoutgateway.provider.AccountGuards;
import org.payoutgateway.provider.ProviderAccounts;
import org.payoutgateway.query.StatusQueries;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

/**
 * The offline check of {@code routes/} and {@code config/} ({@code java -jar payout-gateway.jar
 * validate [config-dir] [routes-dir]}): YAML that does not parse, endpoints of components the
 * gateway does not have, beans or bean methods that do not exist, placeholders no setting defines,
 * provider accounts missing a required setting, routing entries that name no account (docs/operations.md
 * "Check before you deploy" lists every check). Each problem is printed as {@code file:line: message}; the exit
 * code is 1 when there is any. Nothing is started and no database is touched. Settings are read as
 * the gateway reads them: system properties and environment variables over the file's values.
 */
public final class ConfigValidator {

    /** The beans the routes may call, by the names the gateway binds them under. */
    static final Map<String, Class<?>> BEANS = Map.ofEntries(
            Map.entry("fileIntake", FileIntake.class), Map.entry("fileResults", FileResults.class),
            Map.entry("fileInboxFilter", org.apache.camel.component.file.GenericFileFilter.class),
            Map.entry("erpIntake", ErpIntake.class), Map.entry("dispatcher", Dispatcher.class),
            Map.entry("statusQueries", StatusQueries.class), Map.entry("payoutApi", PayoutApi.class),
            Map.entry("operatorApi", org.payoutgateway.api.OperatorApi.class),
            Map.entry("accountLanes", org.payoutgateway.dispatch.AccountLanes.class),
            Map.entry("notifyReceiver", NotifyReceiver.class), Map.entry("submitterCallbacks", SubmitterCallbacks.class),
            Map.entry("payoutMetrics", PayoutMetrics.class), Map.entry("providerAccounts", ProviderAccounts.class),
            Map.entry("payoutStore", PayoutStore.class), Map.entry("accountGuards", AccountGuards.class),
            Map.entry("payoutDataSource", javax.sql.DataSource.class), Map.entry("erpDataSource", javax.sql.DataSource.class),
            Map.entry("dispatchPool", java.util.concurrent.ExecutorService.class),
            Map.entry("callbackHttpClient", org.payoutgateway.callback.CallbackHttpClient.class),
            Map.entry("consoleApi", org.payoutgateway.console.ConsoleApi.class),
            Map.entry("consoleWeb", org.payoutgateway.console.ConsoleWeb.class));
    /** The secret settings (docs/operations.md, "Secrets from files"); {@code <account>}: each account's. */
    public static final List<String> SECRET_SETTINGS = List.of("payout.api.keys", "payout.webhook.signing-key",
            "payout.datasource.password", "payout.intake.erp.datasource.password", "payout.provider.<account>.secret",
            "payout.provider.<account>.key", "payout.provider.<account>.authorization");
    /** The type of a setting's value. */
    enum Kind { COUNT, BOOLEAN, DURATION, DURATIONS, CRON }

    /**
     * The gateway's own settings whose values have a type (docs/settings.md). A value that is not
     * of its type would stop the gateway at its next start, or stop a route: each is checked.
     */
    static final Map<String, Kind> TYPED_SETTINGS = Map.ofEntries(
            Map.entry("payout.datasource.pool-size", Kind.COUNT),
            Map.entry("payout.cluster.replicas", Kind.COUNT),
            Map.entry("payout.cluster.lock-interval-ms", Kind.COUNT),
            Map.entry("payout.api.rate-limit", Kind.COUNT),
            Map.entry("payout.api.auth-failures-per-minute", Kind.COUNT),
            Map.entry("payout.intake.erp.datasource.pool-size", Kind.COUNT),
            Map.entry("payout.intake.file.poll-interval-ms", Kind.COUNT),
            Map.entry("payout.intake.file.result-interval-ms", Kind.COUNT),
            Map.entry("payout.intake.file.resume-interval-ms", Kind.COUNT),
            Map.entry("payout.intake.file.batch-size", Kind.COUNT),
            Map.entry("payout.intake.file.progress-interval", Kind.DURATION),
            Map.entry("payout.intake.file.claim-lease", Kind.DURATION),
            Map.entry("payout.intake.erp.enabled", Kind.BOOLEAN),
            Map.entry("payout.intake.erp.poll-interval-ms", Kind.COUNT),
            Map.entry("payout.intake.erp.poll-size", Kind.COUNT),
            Map.entry("payout.intake.erp.claim-lease", Kind.DURATION),
            Map.entry("payout.dispatch.poll-interval-ms", Kind.COUNT),
            Map.entry("payout.dispatch.batch-size", Kind.COUNT),
            Map.entry("payout.dispatch.concurrency", Kind.COUNT),
            Map.entry("payout.dispatch.prefetch", Kind.COUNT),
            Map.entry("payout.dispatch.record-interval-ms", Kind.COUNT),
            Map.entry("payout.dispatch.record-max", Kind.COUNT),
            Map.entry("payout.dispatch.retry-backoff", Kind.DURATIONS),
            Map.entry("payout.dispatch.sending-lease", Kind.DURATION),
            Map.entry("payout.query.cron", Kind.CRON),
            Map.entry("payout.api.batch-max", Kind.COUNT),
            Map.entry("payout.console.session-max-age", Kind.DURATION),
            Map.entry("payout.console.session-idle", Kind.DURATION),
            Map.entry("payout.console.query-overdue", Kind.DURATION),
            Map.entry("payout.webhook.retry-backoff", Kind.DURATIONS),
            Map.entry("payout.webhook.poll-interval-ms", Kind.COUNT),
            Map.entry("payout.webhook.allow-http", Kind.BOOLEAN),
            Map.entry("payout.webhook.allow-private-targets", Kind.BOOLEAN),
            Map.entry("payout.metrics.refresh-interval-ms", Kind.COUNT),
            Map.entry("payout.health.provider-circuits-in-readiness", Kind.BOOLEAN),
            Map.entry("payout.live-changes.enabled", Kind.BOOLEAN),
            Map.entry("payout.live-changes.settle-ms", Kind.COUNT),
            Map.entry("payout.sandbox.enabled", Kind.BOOLEAN),
            Map.entry("payout.sandbox.settle-after", Kind.DURATION),
            Map.entry("camel.server.port", Kind.COUNT),
            Map.entry("camel.management.port", Kind.COUNT));
    private static final Pattern DSL_LINE = Pattern.compile("line (\\d+)");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(\\??)([^}:]+)(:[^}]*)?}}");
    private static final Pattern BEAN_CALL = Pattern.compile("\\$\\{bean:(\\w+)(?:\\?method=(\\w+))?");

    /** One problem: where, and what. */
    public record Problem(String file, int line, String message) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + message;
        }
    }

    private ConfigValidator() {
    }

    /** Runs the check and prints its findings; returns the exit code. */
    public static int run(String[] args, PrintStream out) {
        Path config = Path.of(args.length > 1 ? args[1] : "config");
        Path routes = Path.of(args.length > 2 ? args[2] : "routes");
        List<Problem> problems = validate(config, routes);
        problems.forEach(out::println);
        out.println(problems.isEmpty() ? "OK: " + routes + " and " + config + " are valid"
                : problems.size() + " problem(s) in " + routes + " and " + config);
        return problems.isEmpty() ? 0 : 1;
    }

    /** Checks {@code <configDir>/application.properties} and every {@code <routesDir>/*.yaml} as the files hold them. */
    public static List<Problem> validate(Path configDir, Path routesDir) {
        List<Path> routeFiles;
        try {
            routeFiles = routeFiles(routesDir);
        } catch (IOException e) {
            return List.of(new Problem(routesDir.toString(), 0, "cannot be read: " + e.getMessage()));
        }
        if (routeFiles.isEmpty()) {
            return List.of(new Problem(routesDir.toString(), 0, "holds no route file (*.yaml): the gateway would do nothing"));
        }
        return validate(configDir.resolve("application.properties"), null, routeFiles);
    }

    /** The route files of a folder ({@code *.yaml}), sorted by name. */
    public static List<Path> routeFiles(Path routesDir) throws IOException {
        try (Stream<Path> files = Files.list(routesDir)) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    /**
     * Checks a settings file and some route files.
     *
     * @param settings where a setting's value is looked up (a running gateway passes its own
     *                 overrides and environment over the file's values); {@code null}: this JVM's
     *                 system properties and environment variables over the file's values, as the
     *                 gateway would read them
     */
    public static List<Problem> validate(Path propertiesFile, Function<String, Optional<String>> settings, List<Path> routeFiles) {
        List<Problem> problems = new ArrayList<>();
        Properties props = new Properties();
        List<String> lines;
        try (Reader r = Files.newBufferedReader(propertiesFile)) {
            props.load(r);
            lines = Files.readAllLines(propertiesFile);
        } catch (IOException e) {
            problems.add(new Problem(propertiesFile.toString(), 0, "cannot be read: " + e.getMessage()));
            return problems;
        }
        Function<String, Optional<String>> lookup = settings != null ? settings : k -> Optional.ofNullable(System.getProperty(k))
                .or(() -> Settings.fromEnvironment(System.getenv()).apply(k))
                .or(() -> Optional.ofNullable(props.getProperty(k)));
        checkSettings(propertiesFile.toString(), props, lookup, lines, problems);
        // looks up components and reads route files, never started; stopped after (live changes
        // validate on every edit)
        DefaultCamelContext camel = quietContext();
        camel.getPropertiesComponent().addPropertiesSource(new org.apache.camel.spi.PropertiesSource() {
            @Override
            public String getName() {
                return "settings";
            }

            @Override
            public String getProperty(String name) {
                return lookup.apply(name).orElse(null);
            }
        });
        camel.build();
        try {
            Map<String, String> ids = new HashMap<>();
            for (Path f : routeFiles) {
                checkRoutes(f, lookup, camel, problems, ids);
            }
        } finally {
            camel.stop();
        }
        return problems;
    }

    // ------------------------------------------------------------------------------------ settings

    private static void checkSettings(String file, Properties props, Function<String, Optional<String>> lookup,
            List<String> lines, List<Problem> problems) {
        Settings settings = new Settings(lookup);
        List<String> accounts = settings.getList("payout.provider.accounts", "");
        accounts.stream().filter(a -> accounts.indexOf(a) != accounts.lastIndexOf(a)).distinct().forEach(a -> problems.add(
                new Problem(file, lineOf(lines, "payout.provider.accounts"), "payout.provider.accounts names " + a + " twice")));
        if (accounts.isEmpty()) {
            problems.add(new Problem(file, lineOf(lines, "payout.provider.accounts"), "payout.provider.accounts names no account"));
        }
        Map<String, String> countries = new HashMap<>();
        for (String account : accounts) {
            try {
                Settings one = new Settings(k -> k.equals("payout.provider.accounts") ? Optional.of(account) : lookup.apply(k));
                ProviderAccounts built = new ProviderAccounts(one);
                AccountGuards.check(built, one);
                countries.put(account, built.get(account).country());
            } catch (RuntimeException e) {
                String key = e instanceof Settings.MissingSettingException ? e.getMessage().replace("missing required setting ", "")
                        : e.getMessage().split("[ :]", 2)[0];
                int line = lineOf(lines, key.startsWith("payout.provider." + account + ".") ? key : "payout.provider." + account);
                problems.add(new Problem(file, line > 0 ? line : lineOf(lines, "payout.provider.accounts"),
                        "account " + account + ": " + e.getMessage()));
            }
        }
        for (String key : props.stringPropertyNames()) {
            if (!key.startsWith("payout.routing.")) {
                continue;
            }
            String account = props.getProperty(key).strip();
            String country = key.substring("payout.routing.".length()).toUpperCase(Locale.ROOT);
            if (!accounts.contains(account)) {
                problems.add(new Problem(file, lineOf(lines, key), key + " names account '" + account
                        + "', which is not in payout.provider.accounts " + accounts));
            } else if (countries.containsKey(account) && !countries.get(account).equals(country)) {
                problems.add(new Problem(file, lineOf(lines, key), key + " names account '" + account + "', which pays out in "
                        + countries.get(account) + " (set payout.provider." + account + ".country for an account of another country)"));
            }
        }
        TYPED_SETTINGS.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            String wrong = wrongType(settings, e.getKey(), e.getValue());
            if (wrong != null) {
                problems.add(new Problem(file, lineOf(lines, e.getKey()), wrong));
            }
        });
        checkSettingFiles(file, props, lookup, accounts, lines, problems);
        for (Map.Entry<String, Map<String, String>> store : Map.of("payout.datasource.url", H2Url.PAYOUT_STORE,
                "payout.intake.erp.datasource.url", H2Url.DURABLE).entrySet()) {
            try {
                settings.find(store.getKey()).ifPresent(url -> H2Url.enforce(url, store.getValue()));
            } catch (IllegalArgumentException e) {
                problems.add(new Problem(file, lineOf(lines, store.getKey()), store.getKey() + ": " + e.getMessage()));
            }
        }
        try {
            org.payoutgateway.api.ApiClients.from(settings);
        } catch (IllegalStateException e) {
            // the message starts with the setting it is about
            String key = e.getMessage().split("[: ]", 2)[0];
            problems.add(new Problem(file, lineOf(lines, key) > 0 ? lineOf(lines, key) : lineOf(lines, "payout.api.clients"),
                    e.getMessage()));
        }
        for (String key : props.stringPropertyNames()) {
            Matcher m = PLACEHOLDER.matcher(props.getProperty(key));
            while (m.find()) {
                if (m.group(1).isEmpty() && m.group(3) == null && !defined(m.group(2), lookup)) {
                    problems.add(new Problem(file, lineOf(lines, key), key + " uses {{" + m.group(2) + "}}, which no setting defines"));
                }
            }
        }
    }

    /**
     * A setting read from a file ({@code <key>.file}, {@code <KEY>_FILE}): the file exists, is a
     * file and is readable, and the setting has no value as well. The content is never read here,
     * nor printed.
     */
    private static void checkSettingFiles(String file, Properties props, Function<String, Optional<String>> lookup,
            List<String> accounts, List<String> lines, List<Problem> problems) {
        Settings settings = new Settings(lookup);
        java.util.Set<String> keys = new java.util.TreeSet<>();
        for (String key : props.stringPropertyNames()) {
            keys.add(key.endsWith(Settings.FILE_SUFFIX) ? key.substring(0, key.length() - Settings.FILE_SUFFIX.length()) : key);
        }
        keys.addAll(TYPED_SETTINGS.keySet());
        for (String secret : SECRET_SETTINGS) {
            if (secret.contains("<account>")) {
                accounts.forEach(a -> keys.add(secret.replace("<account>", a)));
            } else {
                keys.add(secret);
            }
        }
        for (String key : keys) {
            Optional<String> path = settings.fileOf(key);
            if (path.isEmpty()) {
                continue;
            }
            int line = lineOf(lines, key + Settings.FILE_SUFFIX) > 0 ? lineOf(lines, key + Settings.FILE_SUFFIX) : lineOf(lines, key);
            String name = key + Settings.FILE_SUFFIX + " (" + Settings.environmentName(key) + "_FILE)";
            Path p = Path.of(path.get());
            if (!Files.exists(p)) {
                problems.add(new Problem(file, line, name + ": " + p + " does not exist"));
            } else if (!Files.isRegularFile(p)) {
                problems.add(new Problem(file, line, name + ": " + p + " is not a file"));
            } else if (!Files.isReadable(p)) {
                problems.add(new Problem(file, line, name + ": " + p + " is not readable by this user"));
            }
            if (lookup.apply(key).filter(v -> !v.isBlank()).isPresent()) {
                problems.add(new Problem(file, line, key + " is set both as a value and as a file (" + key + Settings.FILE_SUFFIX
                        + "): set only one, and blank the other"));
            }
        }
    }

    /** Why a setting's value is not of its kind; null when it is, or when it is not set. */
    private static String wrongType(Settings settings, String key, Kind kind) {
        Optional<String> value = settings.find(key);
        if (value.isEmpty() || value.get().contains("{{")) {
            return null;
        }
        try {
            switch (kind) {
                case COUNT -> {
                    if (settings.getInt(key, 1) < 1) {
                        return key + " must be at least 1, not " + value.get();
                    }
                }
                case BOOLEAN -> settings.getBoolean(key, false);
                case DURATION -> settings.getDuration(key, "0");
                case DURATIONS -> settings.getDurations(key, "0");
                case CRON -> org.quartz.CronExpression.validateExpression(value.get());
                default -> throw new IllegalArgumentException(kind.name());
            }
            return null;
        } catch (IllegalStateException e) {
            return e.getMessage();
        } catch (java.text.ParseException e) {
            return key + " is not a Quartz cron expression (e.g. 0/5 * * * * ?): " + e.getMessage();
        }
    }

    private static boolean defined(String key, Function<String, Optional<String>> lookup) {
        return key.startsWith("env:") || key.startsWith("sys:") || lookup.apply(key).isPresent();
    }

    /** The 1-based line where a key is set, 0 when it is not in the file. */
    static int lineOf(List<String> lines, String key) {
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.startsWith(key + "=") || l.startsWith(key + " ") || l.startsWith(key + ":")) {
                return i + 1;
            }
        }
        return 0;
    }

    // -------------------------------------------------------------------------------------- routes

    /**
     * @param ids the ids of the routes, templates and route configurations of the files checked so
     *            far, with where each is ({@code file:line}); this file's are added
     */
    private static void checkRoutes(Path file, Function<String, Optional<String>> props, DefaultCamelContext camel,
            List<Problem> problems, Map<String, String> ids) {
        Node root;
        try {
            root = parse(file);
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(0);
            problems.add(new Problem(file.toString(), line, "YAML does not parse: " + e.getProblem()));
            return;
        } catch (IOException | RuntimeException e) {
            problems.add(new Problem(file.toString(), 0, "cannot be read: " + e.getMessage()));
            return;
        }
        for (RouteId id : routeIdList(root)) {
            if (id.id() == null) {
                problems.add(new Problem(file.toString(), id.line(), id.kind() + " without an id: give it one (logs, metrics"
                        + " and live changes name routes by their id)"));
                continue;
            }
            String before = ids.putIfAbsent(id.kind() + " " + id.id(), file + ":" + id.line());
            if (before != null) {
                problems.add(new Problem(file.toString(), id.line(), id.kind() + " id '" + id.id() + "' is already used at "
                        + before + " (ids must be unique: a second " + id.kind() + " with an id replaces the first)"));
            }
        }
        checkDsl(file, camel, problems);
        if (root != null) {
            // a route template's parameters ({{account}}) are filled in by the template, not settings
            java.util.Set<String> parameters = new java.util.HashSet<>();
            templateParameters(root, false, parameters);
            walk(root, file.toString(), k -> parameters.contains(k) ? Optional.of("") : props.apply(k), camel, problems);
        }
    }

    /**
     * Reads the file with Camel's YAML DSL into route definitions, as the gateway does before it
     * builds them (nothing is built or started): a misspelled step or key, or a value of the wrong
     * shape, is refused there.
     */
    private static void checkDsl(Path file, DefaultCamelContext camel, List<Problem> problems) {
        try {
            PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.resolveResource(camel, "file:" + file));
        } catch (Exception e) {
            String why = messages(e);
            Matcher line = DSL_LINE.matcher(why);
            problems.add(new Problem(file.toString(), line.find() ? Integer.parseInt(line.group(1)) : 0,
                    "Camel's YAML DSL refuses it: " + why.replaceAll("\\s*\\n\\s*", " ")));
        } finally {
            // the next file is read alone: its ids are checked above, not by Camel
            ModelCamelContext model = (ModelCamelContext) camel;
            try {
                model.removeRouteDefinitions(List.copyOf(model.getRouteDefinitions()));
                for (var t : List.copyOf(model.getRouteTemplateDefinitions())) {
                    model.removeRouteTemplateDefinition(t);
                }
            } catch (Exception e) {
                throw new IllegalStateException("could not clear the definitions read from " + file, e);
            }
        }
    }

    /** A Camel context for looking things up, that logs nothing when it starts or stops. */
    private static DefaultCamelContext quietContext() {
        DefaultCamelContext camel = new DefaultCamelContext(false);
        camel.setStartupSummaryLevel(org.apache.camel.StartupSummaryLevel.Off);
        return camel;
    }

    /** An exception's message and its causes', each once. */
    static String messages(Throwable e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            if (t.getMessage() != null && !sb.toString().contains(t.getMessage())) {
                sb.append(" <- ").append(t.getMessage());
            }
        }
        return sb.toString();
    }

    private static Node parse(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file)) {
            Composer composer = new Composer(LoadSettings.builder().build(),
                    new ParserImpl(LoadSettings.builder().build(), new StreamReader(LoadSettings.builder().build(), r)));
            return composer.getSingleNode().orElse(null);
        }
    }

    /**
     * The id a route file gives one of its {@code route}s, {@code routeTemplate}s or
     * {@code routeConfiguration}s (null when it gives none), and its 1-based line.
     */
    public record RouteId(String kind, String id, int line) {
    }

    /** The ids a route file gives its routes, templates and route configurations, in order; empty if it does not parse. */
    public static List<RouteId> routeIds(Path file) {
        try {
            return routeIdList(parse(file));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    private static List<RouteId> routeIdList(Node root) {
        List<RouteId> ids = new ArrayList<>();
        if (root instanceof SequenceNode seq) {
            for (Node item : seq.getValue()) {
                if (!(item instanceof MappingNode map)) {
                    continue;
                }
                for (NodeTuple t : map.getValue()) {
                    String kind = t.getKeyNode() instanceof ScalarNode k ? k.getValue() : "";
                    if (List.of("route", "routeTemplate", "routeConfiguration").contains(kind)
                            && t.getValueNode() instanceof MappingNode body) {
                        RouteId id = new RouteId(kind, null, t.getKeyNode().getStartMark().map(m -> m.getLine() + 1).orElse(0));
                        for (NodeTuple b : body.getValue()) {
                            if (b.getKeyNode() instanceof ScalarNode k && k.getValue().equals("id")
                                    && b.getValueNode() instanceof ScalarNode v) {
                                id = new RouteId(kind, v.getValue(), v.getStartMark().map(m -> m.getLine() + 1).orElse(0));
                            }
                        }
                        ids.add(id);
                    }
                }
            }
        }
        return ids;
    }

    private static void templateParameters(Node node, boolean inTemplate, java.util.Set<String> names) {
        if (node instanceof MappingNode map) {
            for (NodeTuple t : map.getValue()) {
                String key = t.getKeyNode() instanceof ScalarNode k ? k.getValue() : "";
                if (inTemplate && key.equals("name") && t.getValueNode() instanceof ScalarNode v) {
                    names.add(v.getValue());
                }
                boolean template = key.equals("routeTemplate") || (inTemplate && key.equals("parameters"));
                if (template || !inTemplate) {
                    templateParameters(t.getValueNode(), template, names);
                }
            }
        } else if (node instanceof SequenceNode seq) {
            seq.getValue().forEach(n -> templateParameters(n, inTemplate, names));
        }
    }

    private static void walk(Node node, String file, Function<String, Optional<String>> props, DefaultCamelContext camel, List<Problem> problems) {
        if (node instanceof MappingNode map) {
            String ref = null;
            int refLine = 0;
            String method = null;
            int methodLine = 0;
            String uri = map.getValue().stream()
                    .filter(t -> t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("uri")
                            && t.getValueNode() instanceof ScalarNode)
                    .map(t -> ((ScalarNode) t.getValueNode()).getValue()).findFirst().orElse(null);
            for (NodeTuple t : map.getValue()) {
                String key = t.getKeyNode() instanceof ScalarNode k ? k.getValue() : "";
                if (uri != null && key.equals("parameters") && t.getValueNode() instanceof MappingNode parameters) {
                    for (NodeTuple p : parameters.getValue()) {
                        if (p.getKeyNode() instanceof ScalarNode name) {
                            int line = name.getStartMark().map(m -> m.getLine() + 1).orElse(0);
                            checkOption(uri, name.getValue(), file, line, camel, problems);
                        }
                    }
                }
                if (t.getValueNode() instanceof ScalarNode v) {
                    int line = v.getStartMark().map(m -> m.getLine() + 1).orElse(0);
                    if (key.equals("uri") || key.equals("to") || key.equals("toD")) {
                        checkEndpoint(v.getValue(), file, line, camel, problems);
                    }
                    if (key.equals("ref")) {
                        ref = v.getValue();
                        refLine = line;
                    }
                    if (key.equals("method")) {
                        method = v.getValue();
                        methodLine = line;
                    }
                    if (key.equals("executorService") || v.getValue().matches("#[A-Za-z]\\w*")) {
                        // a bean by name: executorService: dispatchPool, dataSource: "#erpDataSource"
                        checkBean(v.getValue().replaceFirst("^#", ""), null, file, line, line, problems);
                    }
                    checkText(v.getValue(), file, line, props, problems);
                } else {
                    walk(t.getValueNode(), file, props, camel, problems);
                }
            }
            if (ref != null) {
                checkBean(ref, method, file, refLine, methodLine, problems);
            }
        } else if (node instanceof SequenceNode seq) {
            seq.getValue().forEach(n -> walk(n, file, props, camel, problems));
        } else if (node instanceof ScalarNode s) {
            checkText(s.getValue(), file, s.getStartMark().map(m -> m.getLine() + 1).orElse(0), props, problems);
        }
    }

    private static void checkEndpoint(String uri, String file, int line, DefaultCamelContext camel, List<Problem> problems) {
        int colon = uri.indexOf(':');
        if (colon <= 0 || uri.startsWith("{{") || uri.startsWith("${")) {
            return;
        }
        String scheme = uri.substring(0, colon);
        if (camel.getComponent(scheme, true, false) == null) {
            problems.add(new Problem(file, line, "unknown endpoint '" + scheme + ":' (no such Camel component in the gateway)"));
            return;
        }
        int query = uri.indexOf('?');
        if (query > 0) {
            for (String option : uri.substring(query + 1).split("&")) {
                String[] nameValue = option.split("=", 2);
                checkOption(uri, nameValue[0], file, line, camel, problems);
                if (nameValue.length == 2 && nameValue[1].matches("#[A-Za-z]\\w*")) {
                    checkBean(nameValue[1].substring(1), null, file, line, line, problems); // ?dataSource=#erpDataSource
                }
            }
        }
        if (scheme.equals("bean")) { // bean:statusQueries?method=load
            String path = uri.substring(colon + 1, query > 0 ? query : uri.length());
            Matcher method = Pattern.compile("[?&]method=(\\w+)").matcher(uri);
            checkBean(path, method.find() ? method.group(1) : null, file, line, line, problems);
        }
    }

    /**
     * An endpoint option must be one its component has (the component's own list, as Camel's
     * catalogue gives it); the http component would send an unknown one to the provider as a query
     * parameter, and others fail only when the route is built.
     */
    private static void checkOption(String uri, String option, String file, int line, DefaultCamelContext camel,
            List<Problem> problems) {
        int colon = uri.indexOf(':');
        if (colon <= 0 || option.isEmpty() || option.contains("{{") || option.contains("${")) {
            return;
        }
        String scheme = uri.substring(0, colon);
        EndpointUriFactory factory = camel.getCamelContextExtension().getEndpointUriFactory(scheme);
        if (factory == null) {
            return;
        }
        String wanted = option.replace("-", "").toLowerCase(Locale.ROOT);
        boolean known = factory.propertyNames().stream().anyMatch(n -> n.toLowerCase(Locale.ROOT).equals(wanted))
                || factory.multiValuePrefixes().values().stream().anyMatch(option::startsWith);
        if (!known) {
            problems.add(new Problem(file, line, scheme + " endpoint has no option '" + option + "'"));
        }
    }

    private static void checkText(String text, String file, int line, Function<String, Optional<String>> props, List<Problem> problems) {
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            if (m.group(1).isEmpty() && m.group(3) == null && !defined(m.group(2), props)) {
                problems.add(new Problem(file, line, "placeholder {{" + m.group(2) + "}} is not a setting in config/application.properties"));
            }
        }
        Matcher b = BEAN_CALL.matcher(text);
        while (b.find()) {
            checkBean(b.group(1), b.group(2), file, line, line, problems);
        }
    }

    private static void checkBean(String ref, String method, String file, int line, int methodLine, List<Problem> problems) {
        Class<?> type = BEANS.get(ref);
        if (type == null) {
            problems.add(new Problem(file, line, "unknown bean '" + ref + "'; the gateway's beans are " + BEANS.keySet().stream().sorted().toList()));
            return;
        }
        if (method != null) {
            String name = method.contains("(") ? method.substring(0, method.indexOf('(')) : method;
            boolean exists = Arrays.stream(type.getMethods()).map(Method::getName).anyMatch(name::equals);
            if (!exists) {
                problems.add(new Problem(file, methodLine, "bean '" + ref + "' has no method '" + name + "'"));
            }
        }
    }
}
