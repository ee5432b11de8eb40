package org.payoutgateway.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * No Docker engine runs on the build machines, so the container files are checked here: every
 * environment variable the compose files give the gateway is a real setting, secrets are compose
 * secrets read from files and never environment values, the replicas file runs its replicas on
 * one shared volume behind the proxy, and the Dockerfile copies the jar the build makes and runs it
 * as a non-root user. The checks shared with the Kubernetes manifests are {@link DeploymentChecks}.
 */
class ContainerFilesTest {

    static final Path COMPOSE = Path.of("docker", "docker-compose.yml");

    @Test
    @SuppressWarnings("unchecked")
    void everyEnvironmentVariableOfTheComposeFileIsARealSetting() {
        Map<String, Object> gateway = (Map<String, Object>) ((Map<String, Object>) DeploymentChecks.yaml(COMPOSE).get("services")).get("gateway");
        assertThat(DeploymentChecks.environmentProblems("gateway", (Map<String, Object>) gateway.get("environment"))).isEmpty();
    }

    @Test
    @SuppressWarnings("unchecked")
    void secretsAreComposeSecretFiles_neverEnvironmentValues() throws Exception {
        Map<String, Object> compose = DeploymentChecks.yaml(COMPOSE);
        Map<String, Object> services = (Map<String, Object>) compose.get("services");
        Map<String, Object> secrets = (Map<String, Object>) compose.get("secrets");
        assertThat(secrets).as("top-level secrets").isNotEmpty();
        // every secret is a file that is there, next to the compose file
        secrets.forEach((name, definition) -> {
            Object file = ((Map<String, Object>) definition).get("file");
            assertThat(file).as("secret " + name + " is a file").isInstanceOf(String.class);
            assertThat(Path.of("docker").resolve((String) file)).as("file of secret " + name).isRegularFile();
        });
        Map<String, Object> gateway = (Map<String, Object>) services.get("gateway");
        Map<String, Object> env = (Map<String, Object>) gateway.get("environment");
        Set<String> mounted = new java.util.HashSet<>((List<String>) gateway.get("secrets"));
        mounted.retainAll(secrets.keySet());
        assertThat(DeploymentChecks.secretFileProblems("gateway", env, "/run/secrets", mounted)).isEmpty();
        assertThat(env.keySet().stream().filter(k -> k.endsWith("_FILE"))).as("secret settings read from files").hasSizeGreaterThanOrEqualTo(3);
        // the database's own password too
        Map<String, Object> postgres = (Map<String, Object>) services.get("postgres");
        Map<String, Object> pgEnv = (Map<String, Object>) postgres.get("environment");
        assertThat(pgEnv).doesNotContainKey("POSTGRES_PASSWORD").containsKey("POSTGRES_PASSWORD_FILE");
        assertThat((List<String>) postgres.get("secrets")).contains(String.valueOf(pgEnv.get("POSTGRES_PASSWORD_FILE"))
                .substring("/run/secrets/".length()));
        // and no service gets a value that looks like a secret
        services.forEach((name, service) -> {
            Object e = ((Map<String, Object>) service).get("environment");
            if (e instanceof Map<?, ?> m) {
                m.keySet().forEach(k -> assertThat(String.valueOf(k)).as("service " + name)
                        .matches(n -> !n.matches(".*(PASSWORD|SECRET|TOKEN|KEYS?|AUTHORIZATION)") , "no secret as a value"));
            }
        });
        // nor does the image
        assertThat(Files.readString(Path.of("docker", "Dockerfile")))
                .doesNotContainPattern("(?m)^\\s*(ENV|ARG)\\s+\\S*(PASSWORD|SECRET|TOKEN|KEY|AUTHORIZATION)");
    }

    // ------------------------------------------------------------------ docker-compose.replicas.yml

    static final Path REPLICAS = Path.of("docker", "docker-compose.replicas.yml");
    static final Path PROXY_CONFIG = Path.of("docker", "haproxy.cfg");
    private static final Pattern PROXY_SERVER = Pattern.compile("(?m)^\\s*server\\s+(\\S+)\\s+([^:\\s]+):(\\d+)(.*)$");

    @Test
    void theReplicasComposeFileRunsTwoReplicasOnOneVolumeBehindTheProxy() {
        assertThat(replicaProblems(DeploymentChecks.yaml(REPLICAS), DeploymentChecks.read(PROXY_CONFIG))).isEmpty();
        assertThat(DeploymentChecks.read(REPLICAS)).as("the header says how to run it")
                .contains("docker compose -f " + REPLICAS.toString().replace('\\', '/') + " up");
    }

    /** Each check of {@link #replicaProblems} reports a file broken the way it looks for. */
    @Test
    @SuppressWarnings("unchecked")
    void theReplicaChecksReportWhatIsWrong() {
        String proxy = DeploymentChecks.read(PROXY_CONFIG);
        Map<String, java.util.function.Consumer<Map<String, Object>>> breakages = new java.util.LinkedHashMap<>();
        breakages.put("is no setting", c -> env(c, "gateway-2").put("PAYOUT_INSTANCE_NAME", "x"));
        breakages.put("ends in _PORT", c -> env(c, "gateway-2").put("CAMEL_SERVER_PORT", "8080"));
        breakages.put("same PAYOUT_INSTANCE_ID", c -> env(c, "gateway-2").put("PAYOUT_INSTANCE_ID", "gateway-1"));
        breakages.put("PAYOUT_CLUSTER_REPLICAS", c -> env(c, "gateway-1").put("PAYOUT_CLUSTER_REPLICAS", "3"));
        breakages.put("payout.cluster.lock-dir", c -> env(c, "gateway-2").put("PAYOUT_CLUSTER_LOCK_DIR", "/tmp/cluster"));
        breakages.put("payout.intake.file.inbox-dir", c -> service(c, "gateway-2").put("volumes", List.of("other-data:/app/data")));
        breakages.put("publishes the API port", c -> service(c, "gateway-1").put("ports", List.of("8081:8080", "9876:9876")));
        breakages.put("management port", c -> service(c, "gateway-2").put("ports", List.of("9876:9876")));
        breakages.put("the proxy", c -> service(c, "proxy").put("ports", List.of("80:80")));
        breakages.put("is no secret mounted", c -> service(c, "gateway-2").put("secrets", List.of("db_password")));
        breakages.forEach((expected, breakage) -> {
            Map<String, Object> compose = DeploymentChecks.yaml(REPLICAS);
            breakage.accept(compose);
            assertThat(replicaProblems(compose, proxy)).as("broken: " + expected).anyMatch(p -> p.contains(expected));
        });
        Map<String, Object> compose = DeploymentChecks.yaml(REPLICAS);
        assertThat(replicaProblems(compose, proxy.replace("server gateway-2 gateway-2:8080", "server gateway-2 gateway-1:8080")))
                .anyMatch(p -> p.contains("gateway-2") && p.contains("proxy"));
        assertThat(replicaProblems(compose, proxy.replace("check port 9876", "check port 8080")))
                .anyMatch(p -> p.contains("checks"));
        assertThat(replicaProblems(compose, proxy.replace("GET /observe/health/ready", "GET /health")))
                .anyMatch(p -> p.contains("/observe/health/ready"));
    }

    /**
     * The replicas (services built from docker/Dockerfile): two or more, each with real settings
     * only, its own instance id, PAYOUT_CLUSTER_REPLICAS equal to their number, the lock folder and
     * the file folders on the one volume they share, its secrets mounted, its own published
     * management port and never the API port; the proxy alone publishes the API port and names each
     * replica on it, checking each one's readiness on its management port.
     */
    @SuppressWarnings("unchecked")
    static List<String> replicaProblems(Map<String, Object> compose, String proxyConfig) {
        List<String> problems = new ArrayList<>();
        Map<String, Object> services = (Map<String, Object>) compose.get("services");
        Map<String, Object> topSecrets = (Map<String, Object>) compose.getOrDefault("secrets", Map.of());
        Map<String, Map<String, Object>> replicas = new java.util.TreeMap<>();
        services.forEach((name, s) -> {
            if (((Map<String, Object>) s).get("build") instanceof Map<?, ?> build && "docker/Dockerfile".equals(build.get("dockerfile"))) {
                replicas.put(name, (Map<String, Object>) s);
            }
        });
        if (replicas.size() < 2) {
            return List.of("fewer than 2 replicas: " + replicas.keySet());
        }
        Map<String, String> instanceIds = new java.util.HashMap<>();
        Map<String, String> sharedFolders = new java.util.HashMap<>();
        Set<String> hostManagementPorts = new java.util.HashSet<>();
        int serverPort = 0;
        int managementPort = 0;
        for (Map.Entry<String, Map<String, Object>> r : replicas.entrySet()) {
            String name = r.getKey();
            Map<String, Object> env = (Map<String, Object>) r.getValue().getOrDefault("environment", Map.of());
            problems.addAll(DeploymentChecks.environmentProblems(name, env));
            Set<String> mounted = new java.util.HashSet<>((List<String>) r.getValue().getOrDefault("secrets", List.of()));
            mounted.retainAll(topSecrets.keySet());
            problems.addAll(DeploymentChecks.secretFileProblems(name, env, "/run/secrets", mounted));
            String id = String.valueOf(env.get("PAYOUT_INSTANCE_ID"));
            String other = instanceIds.put(id, name);
            if (env.get("PAYOUT_INSTANCE_ID") == null || other != null) {
                problems.add(name + ": no PAYOUT_INSTANCE_ID of its own (same PAYOUT_INSTANCE_ID " + id + " as " + other + ")");
            }
            if (!String.valueOf(replicas.size()).equals(String.valueOf(env.get("PAYOUT_CLUSTER_REPLICAS")))) {
                problems.add(name + ": PAYOUT_CLUSTER_REPLICAS=" + env.get("PAYOUT_CLUSTER_REPLICAS") + ", but " + replicas.size() + " replicas run");
            }
            // each shared folder: on a named volume, the same volume and place for every replica
            for (String[] folder : new String[][] {{"payout.cluster.lock-dir", "data/cluster"}, {"payout.intake.file.inbox-dir", ""},
                    {"payout.intake.file.archive-dir", ""}, {"payout.intake.file.error-dir", ""}, {"payout.intake.file.outbox-dir", ""}}) {
                String path = DeploymentChecks.folder(env, folder[0], folder[1]);
                String place = ((List<String>) r.getValue().getOrDefault("volumes", List.of())).stream()
                        .map(v -> v.split(":")).filter(v -> !v[0].startsWith(".") && !v[0].startsWith("/"))
                        .filter(v -> DeploymentChecks.inside(path, v[1])).map(v -> v[0] + ":" + Path.of(v[1]).relativize(Path.of(path)))
                        .findFirst().orElse(null);
                String before = sharedFolders.putIfAbsent(folder[0], place);
                if (place == null || (before != null && !before.equals(place))) {
                    problems.add(name + ": " + folder[0] + " (" + path + ") is not on the volume the replicas share (" + place + " / " + before + ")");
                }
            }
            serverPort = DeploymentChecks.serverPort(env);
            managementPort = DeploymentChecks.managementPort(env);
            boolean management = false;
            for (String port : (List<String>) r.getValue().getOrDefault("ports", List.of())) {
                String[] hostAndContainer = port.split(":");
                int container = Integer.parseInt(hostAndContainer[hostAndContainer.length - 1]);
                if (container == serverPort) {
                    problems.add(name + " publishes the API port " + serverPort + ": only the proxy does");
                } else if (container == managementPort) {
                    management = hostManagementPorts.add(hostAndContainer[hostAndContainer.length - 2]);
                }
            }
            if (!management) {
                problems.add(name + ": no management port " + managementPort + " of its own published");
            }
        }
        // the proxy: publishes the API port, and sends to each replica's API port, checking its readiness
        Map<String, Object> proxy = (Map<String, Object>) services.get("proxy");
        List<String> proxyPorts = proxy == null ? List.of() : (List<String>) proxy.getOrDefault("ports", List.of());
        if (proxyPorts.stream().noneMatch(p -> p.startsWith(serverPortOf(replicas) + ":") && proxyConfig.contains("bind :" + p.split(":")[1]))) {
            problems.add("the proxy does not publish the API port " + serverPortOf(replicas) + " on the port its config binds");
        }
        if (proxy == null || ((List<String>) proxy.getOrDefault("volumes", List.of())).stream().noneMatch(v -> v.startsWith("./" + PROXY_CONFIG.getFileName() + ":"))) {
            problems.add("the proxy does not mount " + PROXY_CONFIG);
        }
        if (!proxyConfig.contains("option httpchk GET " + DeploymentChecks.READY)) {
            problems.add("the proxy does not check " + DeploymentChecks.READY);
        }
        Map<String, String> servers = new java.util.HashMap<>();
        Matcher m = PROXY_SERVER.matcher(proxyConfig);
        while (m.find()) {
            servers.put(m.group(2) + ":" + m.group(3), m.group(4));
            if (!m.group(4).contains("check port " + managementPort + " ")) {
                problems.add("the proxy checks " + m.group(2) + " elsewhere than on its management port " + managementPort);
            }
        }
        for (String name : replicas.keySet()) {
            if (!servers.containsKey(name + ":" + serverPort)) {
                problems.add("the proxy config names no server " + name + ":" + serverPort + ": " + servers.keySet());
            }
        }
        return problems;
    }

    @SuppressWarnings("unchecked")
    private static int serverPortOf(Map<String, Map<String, Object>> replicas) {
        return DeploymentChecks.serverPort((Map<String, Object>) replicas.values().iterator().next().getOrDefault("environment", Map.of()));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> service(Map<String, Object> compose, String name) {
        return (Map<String, Object>) ((Map<String, Object>) compose.get("services")).get(name);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> env(Map<String, Object> compose, String name) {
        return (Map<String, Object>) service(compose, name).get("environment");
    }

    @Test
    void theDockerfileRunsTheBuiltJarAsANonRootUser() throws Exception {
        String dockerfile = Files.readString(Path.of("docker", "Dockerfile"));
        String finalName = Files.readString(Path.of("pom.xml")).replaceAll("(?s).*<finalName>([^<]+)</finalName>.*", "$1");
        assertThat(dockerfile).contains("/src/target/" + finalName + ".jar");
        assertThat(dockerfile).containsPattern("(?m)^USER (?!root)\\w+");
        assertThat(dockerfile).containsPattern("(?m)^HEALTHCHECK ");
        // the health check asks the liveness endpoint on the management port the gateway serves it on
        java.util.Properties settings = new java.util.Properties();
        try (java.io.Reader r = Files.newBufferedReader(Path.of("config/application.properties"))) {
            settings.load(r);
        }
        String managementPort = settings.getProperty("camel.management.port");
        assertThat(dockerfile).contains("/dev/tcp/127.0.0.1/" + managementPort).contains("GET /observe/health/live ")
                .containsPattern("(?m)^EXPOSE .*\\b" + managementPort + "\\b");
        assertThat(dockerfile).contains("COPY config ").contains("COPY routes ");
    }

    @Test
    void theDockerfileStartsWithTheClassDataSharingArchiveItMakes() throws Exception {
        String dockerfile = Files.readString(Path.of("docker", "Dockerfile"));
        java.util.regex.Matcher made = java.util.regex.Pattern.compile("-XX:ArchiveClassesAtExit=(\\S+)").matcher(dockerfile);
        assertThat(made.find()).as("the image makes an archive").isTrue();
        String entrypoint = dockerfile.lines().filter(l -> l.startsWith("ENTRYPOINT")).findFirst().orElseThrow();
        assertThat(entrypoint).contains("\"-XX:SharedArchiveFile=" + made.group(1) + "\"");
    }
}
