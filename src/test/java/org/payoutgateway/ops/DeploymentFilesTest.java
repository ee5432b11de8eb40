package org.payoutgateway.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No kubectl runs on the build machines, so deploy/kubernetes is checked here against the gateway's
 * real settings, ports, health paths and files (with {@link DeploymentChecks}, as
 * ContainerFilesTest checks the compose files). {@link #problems} lists what is wrong;
 * {@link #eachCheckReportsWhatIsWrong} breaks the manifests one way at a time and expects each to
 * be reported.
 */
class DeploymentFilesTest {

    static final Path DIR = Path.of("deploy", "kubernetes");
    /** The heap the benchmarks ran in and met their targets (docs/performance.md). */
    static final long MEASURED_HEAP_MIB = 512;
    /** Peak RSS 857 MB with that 512 MB heap (docs/performance.md): what the JVM needs besides its heap. */
    static final long MEASURED_NON_HEAP_MIB = 857 - 512;

    /** kustomization.yaml and its resources by kind. */
    record Manifests(Map<String, Object> kustomization, Map<String, Map<String, Object>> byKind) {

        static Manifests load() {
            Map<String, Object> kustomization = DeploymentChecks.yaml(DIR.resolve("kustomization.yaml"));
            Map<String, Map<String, Object>> byKind = new LinkedHashMap<>();
            for (Object resource : list(kustomization.get("resources"))) {
                for (Object doc : DeploymentChecks.yamlDocuments(DIR.resolve(String.valueOf(resource)))) {
                    byKind.put(String.valueOf(map(doc).get("kind")), map(doc));
                }
            }
            return new Manifests(kustomization, byKind);
        }

        Map<String, Object> deployment() {
            return byKind.getOrDefault("Deployment", Map.of());
        }

        Map<String, Object> podSpec() {
            return at(deployment(), "spec", "template", "spec");
        }

        Map<String, Object> container() {
            return list(podSpec().get("containers")).stream().map(DeploymentFilesTest::map)
                    .filter(c -> "gateway".equals(c.get("name"))).findFirst().orElse(Map.of());
        }

        /** The container's environment, name → value (or its valueFrom). */
        Map<String, Object> env() {
            Map<String, Object> env = new LinkedHashMap<>();
            list(container().get("env")).stream().map(DeploymentFilesTest::map)
                    .forEach(e -> env.put(String.valueOf(e.get("name")), e.containsKey("value") ? e.get("value") : e.get("valueFrom")));
            return env;
        }
    }

    @Test
    void theManifestsAgreeWithTheGateway() {
        assertThat(problems(Manifests.load())).isEmpty();
    }

    @Test
    void theReadmeSaysHowToApplyThemAndThatReplicasMustAgree() {
        String readme = DeploymentChecks.read(DIR.resolve("README.md"));
        assertThat(readme).contains("kubectl kustomize --load-restrictor LoadRestrictionsNone deploy/kubernetes | kubectl apply -f -")
                .contains("PAYOUT_CLUSTER_REPLICAS").contains("replicas");
        assertThat(DeploymentChecks.read(DIR.resolve("kustomization.yaml"))).contains("--load-restrictor LoadRestrictionsNone");
    }

    @Test
    void eachCheckReportsWhatIsWrong() {
        Map<String, Consumer<Manifests>> breakages = new LinkedHashMap<>();
        breakages.put("is no setting", m -> envEntry(m, "PAYOUT_CLUSTER_REPLICAS").put("name", "PAYOUT_CLUSTER_COUNT"));
        breakages.put("ends in _PORT", m -> addEnv(m, "CAMEL_MANAGEMENT_PORT", "9876"));
        breakages.put("is a value", m -> addEnv(m, "PAYOUT_API_KEYS", "k"));
        breakages.put("PAYOUT_CLUSTER_REPLICAS", m -> envEntry(m, "PAYOUT_CLUSTER_REPLICAS").put("value", "3"));
        breakages.put("at least 2", m -> {
            m.deployment().put("spec", with(at(m.deployment(), "spec"), "replicas", 1));
            envEntry(m, "PAYOUT_CLUSTER_REPLICAS").put("value", "1");
        });
        breakages.put("metadata.name", m -> envEntry(m, "PAYOUT_INSTANCE_ID").put("valueFrom", Map.of("fieldRef", Map.of("fieldPath", "spec.nodeName"))));
        breakages.put("maxSurge", m -> at(m.deployment(), "spec", "strategy", "rollingUpdate").put("maxSurge", 1));
        breakages.put("camel.server.port", m -> map(list(m.container().get("ports")).get(0)).put("containerPort", 8081));
        breakages.put("probe port", m -> at(m.container(), "readinessProbe", "httpGet").put("port", 8080));
        breakages.put("probe path", m -> at(m.container(), "livenessProbe", "httpGet").put("path", "/observe/health"));
        breakages.put("readinessProbe", m -> m.container().remove("readinessProbe"));
        breakages.put("readOnlyRootFilesystem", m -> at(m.container(), "securityContext").put("readOnlyRootFilesystem", false));
        breakages.put("runAsUser", m -> at(m.podSpec(), "securityContext").put("runAsUser", 0));
        breakages.put("heap", m -> at(m.container(), "resources", "limits").put("memory", "768Mi"));
        breakages.put("requests", m -> at(m.container(), "resources", "requests").put("memory", "512Mi"));
        breakages.put("PodDisruptionBudget", m -> at(m.byKind().get("PodDisruptionBudget"), "spec", "selector", "matchLabels").put("app.kubernetes.io/name", "other"));
        breakages.put("minAvailable", m -> at(m.byKind().get("PodDisruptionBudget"), "spec").put("minAvailable", 0));
        breakages.put("Service", m -> at(m.byKind().get("Service"), "spec", "selector").put("app", "other"));
        breakages.put("Service port", m -> map(list(at(m.byKind().get("Service"), "spec").get("ports")).get(0)).put("targetPort", "management"));
        breakages.put("ReadWriteMany", m -> at(m.byKind().get("PersistentVolumeClaim"), "spec").put("accessModes", List.of("ReadWriteOnce")));
        breakages.put("payout.cluster.lock-dir", m -> envEntry(m, "PAYOUT_CLUSTER_LOCK_DIR").put("value", "/tmp/cluster"));
        breakages.put("payout.intake.file.inbox-dir", m -> envEntry(m, "PAYOUT_INTAKE_FILE_INBOX_DIR").put("value", "/app/inbox"));
        breakages.put("routes/", m -> list(generator(m, "configMapGenerator", "payout-gateway-routes").get("files")).remove(0));
        breakages.put("does not exist", m -> list(generator(m, "configMapGenerator", "payout-gateway-config").get("files")).add("../../config/gone.properties"));
        breakages.put("mounted at /app/config", m -> volumeMount(m, "config").put("mountPath", "/etc/payout"));
        breakages.put("no secret mounted", m -> list(generator(m, "secretGenerator", "payout-gateway-secrets").get("files")).remove("secrets/api_keys"));
        breakages.put("sandbox file", m -> list(generator(m, "secretGenerator", "payout-gateway-secrets").get("files")).add("secrets/provider_key"));
        breakages.forEach((expected, breakage) -> {
            Manifests m = Manifests.load();
            breakage.accept(m);
            assertThat(problems(m)).as("broken: " + expected).anyMatch(p -> p.contains(expected));
        });
    }

    /** Everything wrong with the manifests, one line each. */
    static List<String> problems(Manifests m) {
        List<String> problems = new ArrayList<>();
        for (String kind : List.of("Deployment", "Service", "PodDisruptionBudget", "PersistentVolumeClaim")) {
            if (!m.byKind().containsKey(kind)) {
                problems.add("kustomization.yaml has no " + kind);
            }
        }
        if (!problems.isEmpty()) {
            return problems;
        }
        Map<String, Object> env = m.env();
        Map<String, Object> container = m.container();
        Map<String, Object> podLabels = at(m.deployment(), "spec", "template", "metadata", "labels");

        // settings and replicas
        problems.addAll(DeploymentChecks.environmentProblems("Deployment", env));
        Object replicas = at(m.deployment(), "spec").get("replicas");
        if (!(replicas instanceof Integer n) || n < 2) {
            problems.add("Deployment: replicas " + replicas + ", at least 2");
        }
        if (!String.valueOf(replicas).equals(env.get("PAYOUT_CLUSTER_REPLICAS"))) {
            problems.add("Deployment: PAYOUT_CLUSTER_REPLICAS=" + env.get("PAYOUT_CLUSTER_REPLICAS") + " is not its replicas " + replicas);
        }
        if (!"metadata.name".equals(env.get("PAYOUT_INSTANCE_ID") instanceof Map<?, ?> from ? at(map(from), "fieldRef").get("fieldPath") : null)) {
            problems.add("Deployment: PAYOUT_INSTANCE_ID is not the pod's name (fieldRef metadata.name)");
        }
        // a rollout that starts a pod before one stops would run more pods than PAYOUT_CLUSTER_REPLICAS
        if (!Objects.equals(0, at(m.deployment(), "spec", "strategy", "rollingUpdate").get("maxSurge"))) {
            problems.add("Deployment: maxSurge is not 0");
        }
        if (!at(m.deployment(), "spec", "selector", "matchLabels").equals(podLabels) || podLabels.isEmpty()) {
            problems.add("Deployment: its selector is not its pods' labels");
        }

        // ports and probes
        Map<String, Integer> ports = new LinkedHashMap<>();
        list(container.get("ports")).stream().map(DeploymentFilesTest::map)
                .forEach(p -> ports.put(String.valueOf(p.get("name")), (Integer) p.get("containerPort")));
        int serverPort = DeploymentChecks.serverPort(env);
        if (!ports.containsValue(serverPort)) {
            problems.add("Deployment: no container port is camel.server.port " + serverPort + ": " + ports);
        }
        Map<String, String> probes = Map.of("livenessProbe", DeploymentChecks.LIVE, "readinessProbe", DeploymentChecks.READY,
                "startupProbe", DeploymentChecks.LIVE);
        for (String probe : new TreeSet<>(probes.keySet())) {
            if (!container.containsKey(probe)) {
                if (!probe.equals("startupProbe")) {
                    problems.add("Deployment: no " + probe);
                }
                continue;
            }
            Map<String, Object> get = at(container, probe, "httpGet");
            problems.addAll(DeploymentChecks.probeProblems("Deployment " + probe, env, port(get.get("port"), ports),
                    String.valueOf(get.get("path")), probes.get(probe)));
        }

        // non-root, read-only root file system (the JVM and Vert.x write to /tmp: an emptyDir)
        Matcher uid = Pattern.compile("--uid (\\d+)").matcher(DeploymentChecks.read(Path.of("docker", "Dockerfile")));
        Map<String, Object> podSecurity = at(m.podSpec(), "securityContext");
        if (!uid.find() || !Objects.equals(Integer.valueOf(uid.group(1)), podSecurity.get("runAsUser"))
                || !Boolean.TRUE.equals(podSecurity.get("runAsNonRoot"))) {
            problems.add("Deployment: runAsNonRoot with runAsUser the image's uid (docker/Dockerfile --uid)");
        }
        Map<String, Object> security = at(container, "securityContext");
        if (!Boolean.TRUE.equals(security.get("readOnlyRootFilesystem")) || !Boolean.FALSE.equals(security.get("allowPrivilegeEscalation"))) {
            problems.add("Deployment: readOnlyRootFilesystem true and allowPrivilegeEscalation false");
        }
        if (!"emptyDir".equals(volumeKind(m, mountedVolume(m, "/tmp")))) {
            problems.add("Deployment: /tmp is no emptyDir (the root file system is read-only)");
        }

        // memory: the heap the benchmarks ran in, and room beside it for what the JVM needs besides
        problems.addAll(memoryProblems(at(container, "resources"), env));

        // PodDisruptionBudget and Service select the Deployment's pods
        Map<String, Object> pdb = at(m.byKind().get("PodDisruptionBudget"), "spec");
        if (!selects(at(pdb, "selector", "matchLabels"), podLabels)) {
            problems.add("PodDisruptionBudget: its selector does not select the Deployment's pods");
        }
        if (!Objects.equals(1, pdb.get("minAvailable"))) {
            problems.add("PodDisruptionBudget: minAvailable " + pdb.get("minAvailable") + ", not 1");
        }
        Map<String, Object> service = at(m.byKind().get("Service"), "spec");
        if (!selects(at(service, "selector"), podLabels)) {
            problems.add("Service: its selector does not select the Deployment's pods");
        }
        if (list(service.get("ports")).stream().map(DeploymentFilesTest::map).noneMatch(p -> port(p.get("targetPort"), ports) == serverPort)) {
            problems.add("Service port: no targetPort is camel.server.port " + serverPort);
        }

        // the shared volume: ReadWriteMany, mounted where the lock folder and the file folders are
        Map<String, Object> pvc = m.byKind().get("PersistentVolumeClaim");
        if (!list(at(pvc, "spec").get("accessModes")).contains("ReadWriteMany")) {
            problems.add("PersistentVolumeClaim: not ReadWriteMany, the pods share it");
        }
        String dataMount = list(m.podSpec().get("volumes")).stream().map(DeploymentFilesTest::map)
                .filter(v -> Objects.equals(at(map(v), "persistentVolumeClaim").get("claimName"), at(pvc, "metadata").get("name")))
                .map(v -> mountPath(m, String.valueOf(v.get("name")))).filter(Objects::nonNull).findFirst().orElse(null);
        for (String[] folder : new String[][] {{"payout.cluster.lock-dir", "data/cluster"}, {"payout.intake.file.inbox-dir", ""},
                {"payout.intake.file.archive-dir", ""}, {"payout.intake.file.error-dir", ""}, {"payout.intake.file.outbox-dir", ""}}) {
            String path = DeploymentChecks.folder(env, folder[0], folder[1]);
            if (dataMount == null || !DeploymentChecks.inside(path, dataMount)) {
                problems.add("Deployment: " + folder[0] + " (" + path + ") is not on the shared volume (" + dataMount + ")");
            }
        }

        // ConfigMaps: every file of config/ and routes/, mounted where the gateway reads them
        String routesDir = DeploymentChecks.shipped().getProperty("camel.main.routes-include-pattern")
                .replaceFirst("^file:", "").replaceFirst("/[^/]*$", "");
        problems.addAll(configMapProblems(m, "payout-gateway-config", Path.of("config"), DeploymentChecks.workDir() + "/config"));
        problems.addAll(configMapProblems(m, "payout-gateway-routes", Path.of(routesDir), DeploymentChecks.workDir() + "/" + routesDir));

        // the Secret: made from the operator's files (never committed), mounted, read through _FILE
        problems.addAll(secretProblems(m, env));
        return problems;
    }

    static List<String> memoryProblems(Map<String, Object> resources, Map<String, Object> env) {
        List<String> problems = new ArrayList<>();
        long limit = mebibytes(String.valueOf(at(resources, "limits").get("memory")));
        if (limit != mebibytes(String.valueOf(at(resources, "requests").get("memory")))) {
            problems.add("Deployment: memory requests are not the limit (the JVM keeps the heap it took)");
        }
        Matcher xmx = Pattern.compile("-Xmx(\\d+[kKmMgG]?)").matcher(String.valueOf(env.getOrDefault(DeploymentChecks.JVM_OPTIONS, "")));
        Matcher percentage = Pattern.compile("MaxRAMPercentage=(\\d+)").matcher(DeploymentChecks.read(Path.of("docker", "Dockerfile")));
        long heap = xmx.find() ? mebibytes(xmx.group(1)) : percentage.find() ? limit * Integer.parseInt(percentage.group(1)) / 100 : limit;
        if (heap < MEASURED_HEAP_MIB || limit - heap < MEASURED_NON_HEAP_MIB) {
            problems.add("Deployment: heap " + heap + " MiB of a " + limit + " MiB limit; the measured heap needs " + MEASURED_HEAP_MIB
                    + " MiB and " + MEASURED_NON_HEAP_MIB + " MiB beside it");
        }
        return problems;
    }

    /** The generator of that name covers every file of {@code dir}, each path is there, and it is mounted at {@code mountPath}. */
    static List<String> configMapProblems(Manifests m, String name, Path dir, String mountPath) {
        List<String> problems = new ArrayList<>();
        List<Object> files = list(generator(m, "configMapGenerator", name).get("files"));
        Set<String> keys = new TreeSet<>();
        for (Object f : files) {
            Path file = DIR.resolve(String.valueOf(f)).normalize();
            if (!Files.isRegularFile(file)) {
                problems.add("ConfigMap " + name + ": " + f + " does not exist");
            }
            keys.add(file.getFileName().toString());
        }
        Set<String> present;
        try (Stream<Path> listed = Files.list(dir)) {
            present = listed.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        } catch (IOException e) {
            return List.of("ConfigMap " + name + ": " + dir + " cannot be listed");
        }
        if (!keys.containsAll(present)) {
            problems.add("ConfigMap " + name + " lacks files of " + dir + "/: " + present.stream().filter(p -> !keys.contains(p)).toList());
        }
        String volume = list(m.podSpec().get("volumes")).stream().map(DeploymentFilesTest::map)
                .filter(v -> name.equals(at(v, "configMap").get("name"))).map(v -> String.valueOf(v.get("name"))).findFirst().orElse(null);
        if (volume == null || !mountPath.equals(mountPath(m, volume))) {
            problems.add("ConfigMap " + name + " is not mounted at " + mountPath);
        }
        return problems;
    }

    static List<String> secretProblems(Manifests m, Map<String, Object> env) {
        List<String> problems = new ArrayList<>();
        Map<String, Object> generator = generator(m, "secretGenerator", "payout-gateway-secrets");
        Set<String> keys = new TreeSet<>();
        for (Object f : list(generator.get("files"))) {
            Path file = Path.of(String.valueOf(f));
            keys.add(file.getFileName().toString());
            // the operator's file, kept out of version control; a sandbox file of the name for a first look
            if (!Path.of("secrets").equals(file.getParent())) {
                problems.add("Secret: " + f + " is not in secrets/ (ignored by secrets/.gitignore)");
            }
            if (!Files.isRegularFile(Path.of("docker", "secrets").resolve(file.getFileName()))) {
                problems.add("Secret: " + f + " has no sandbox file docker/secrets/" + file.getFileName());
            }
        }
        if (!DeploymentChecks.read(DIR.resolve("secrets").resolve(".gitignore")).lines().anyMatch("*"::equals)) {
            problems.add("Secret: secrets/.gitignore does not keep the operator's files out of version control");
        }
        String volume = list(m.podSpec().get("volumes")).stream().map(DeploymentFilesTest::map)
                .filter(v -> "payout-gateway-secrets".equals(at(v, "secret").get("secretName"))).map(v -> String.valueOf(v.get("name")))
                .findFirst().orElse(null);
        String mount = volume == null ? null : mountPath(m, volume);
        if (mount == null) {
            return List.of("Secret: payout-gateway-secrets is not mounted");
        }
        problems.addAll(DeploymentChecks.secretFileProblems("Deployment", env, mount, keys));
        if (env.keySet().stream().filter(k -> k.endsWith("_FILE")).count() < 3) {
            problems.add("Deployment: fewer than 3 secrets read from files");
        }
        return problems;
    }

    // ------------------------------------------------------------------ reading the manifests

    private static boolean selects(Map<String, Object> selector, Map<String, Object> labels) {
        return !selector.isEmpty() && labels.entrySet().containsAll(selector.entrySet());
    }

    /** A port by number or by the name of a container port. */
    private static int port(Object port, Map<String, Integer> named) {
        return port instanceof Integer n ? n : named.getOrDefault(String.valueOf(port), -1);
    }

    private static String mountPath(Manifests m, String volume) {
        return list(m.container().get("volumeMounts")).stream().map(DeploymentFilesTest::map)
                .filter(v -> volume.equals(v.get("name"))).map(v -> String.valueOf(v.get("mountPath"))).findFirst().orElse(null);
    }

    private static String mountedVolume(Manifests m, String mountPath) {
        return list(m.container().get("volumeMounts")).stream().map(DeploymentFilesTest::map)
                .filter(v -> mountPath.equals(v.get("mountPath"))).map(v -> String.valueOf(v.get("name"))).findFirst().orElse(null);
    }

    private static String volumeKind(Manifests m, String volume) {
        return list(m.podSpec().get("volumes")).stream().map(DeploymentFilesTest::map).filter(v -> Objects.equals(volume, v.get("name")))
                .flatMap(v -> v.keySet().stream()).filter(k -> !k.equals("name")).findFirst().orElse(null);
    }

    private static Map<String, Object> volumeMount(Manifests m, String volume) {
        return list(m.container().get("volumeMounts")).stream().map(DeploymentFilesTest::map)
                .filter(v -> volume.equals(v.get("name"))).findFirst().orElseThrow();
    }

    private static Map<String, Object> generator(Manifests m, String kind, String name) {
        return list(m.kustomization().get(kind)).stream().map(DeploymentFilesTest::map)
                .filter(g -> name.equals(g.get("name"))).findFirst().orElse(new LinkedHashMap<>());
    }

    private static Map<String, Object> envEntry(Manifests m, String name) {
        return list(m.container().get("env")).stream().map(DeploymentFilesTest::map)
                .filter(e -> name.equals(e.get("name"))).findFirst().orElseThrow();
    }

    private static void addEnv(Manifests m, String name, String value) {
        list(m.container().get("env")).add(new LinkedHashMap<>(Map.of("name", name, "value", value)));
    }

    private static Map<String, Object> with(Map<String, Object> map, String key, Object value) {
        map.put(key, value);
        return map;
    }

    /** 1Gi, 512Mi, 1G, 512m (a JVM size) → MiB. */
    static long mebibytes(String quantity) {
        Matcher q = Pattern.compile("(\\d+)\\s*([a-zA-Z]*)").matcher(quantity.strip());
        if (!q.matches()) {
            return -1;
        }
        long n = Long.parseLong(q.group(1));
        return switch (q.group(2)) {
            case "Gi", "G", "g" -> n * 1024;
            case "Mi", "M", "m" -> n;
            case "Ki", "K", "k" -> n / 1024;
            case "" -> n / (1024 * 1024);
            default -> -1;
        };
    }

    /** The map under {@code path}, or an empty one. */
    static Map<String, Object> at(Map<String, Object> map, String... path) {
        Map<String, Object> here = map == null ? Map.of() : map;
        for (String key : path) {
            here = here.get(key) instanceof Map<?, ?> next ? map(next) : new LinkedHashMap<>();
        }
        return here;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : new LinkedHashMap<>();
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return o instanceof List<?> l ? (List<Object>) l : new ArrayList<>();
    }
}
