package org.payoutgateway.crash;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The gateway as production runs it, {@code org.payoutgateway.GatewayMain}, in a JVM of its own so
 * that it can be killed with SIGKILL ({@link Process#destroyForcibly()} on Linux) and started again
 * with the same settings. Each run's output goes to a log file of its own.
 */
final class ChildGateway implements AutoCloseable {

    static final String API_KEY = "crash-key";
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> STATES = List.of("RECEIVED", "SENDING", "SUBMITTED", "UNKNOWN", "SUCCESS", "FAILED", "REJECTED");

    private final Path home;
    private final int port;
    private final List<String> systemProperties;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1).build();
    private final Thread killOnExit;
    private Process process;
    private Path log;
    private int runs;

    private final Path appDir;
    private final String classPath;

    /**
     * Snapshots the application (compiled classes, {@code config/}, {@code routes/}) into
     * {@code home/app}: every run of this gateway, the first and each restart, runs the same code
     * with the same settings even while the project is being rebuilt or edited meanwhile.
     *
     * @param systemProperties the {@code -D} settings, as {@code key=value}
     */
    ChildGateway(Path home, int port, Map<String, String> systemProperties) throws IOException {
        this.home = home;
        this.port = port;
        Path project = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        this.appDir = Files.createDirectories(home.resolve("app"));
        copyTree(project.resolve("config"), appDir.resolve("config"));
        copyTree(project.resolve("routes"), appDir.resolve("routes"));
        Path classes = project.resolve("target").resolve("classes").normalize();
        copyTree(classes, appDir.resolve("classes"));
        List<String> entries = new ArrayList<>();
        for (String e : testClassPath().split(File.pathSeparator)) {
            entries.add(!e.isEmpty() && Path.of(e).toAbsolutePath().normalize().equals(classes)
                    ? appDir.resolve("classes").toString() : e);
        }
        this.classPath = String.join(File.pathSeparator, entries);
        this.systemProperties = new ArrayList<>();
        systemProperties.forEach((k, v) -> this.systemProperties.add("-D" + k + "=" + v));
        // whatever happens to the test JVM, no gateway is left behind
        this.killOnExit = new Thread(this::kill, "crash-child-kill");
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    int runs() {
        return runs;
    }

    Path log() {
        return log;
    }

    long pid() {
        return process == null ? -1 : process.pid();
    }

    void start() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("gateway already running");
        }
        runs++;
        log = home.resolve(String.format("gateway-run-%02d.log", runs));
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // the gateway alone in the child; a small heap, quick start
        cmd.add("-Xmx384m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.addAll(systemProperties);
        cmd.add("org.payoutgateway.GatewayMain");
        process = new ProcessBuilder(cmd)
                .directory(appDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    /**
     * The test class path. Surefire may hand the forked JVM a manifest-only jar as
     * {@code java.class.path}; its {@code surefire.test.class.path} is the real list.
     */
    private static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    /** Kills the gateway with SIGKILL and waits until it is gone. */
    void kill() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroyForcibly();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("gateway pid " + p.pid() + " did not die within 30 s of SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for the gateway to end by itself (a refused start); its exit code, or null if it still runs. */
    Integer awaitExit(Duration within) throws InterruptedException {
        return process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /** Waits until the API answers (the routes are started); fails with the log's tail if the gateway died. */
    Duration awaitReady(Duration within) throws Exception {
        long start = System.nanoTime();
        long deadline = start + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (!alive()) {
                throw new AssertionError("gateway run " + runs + " exited with " + process.exitValue()
                        + " before it was ready; log " + log + ":\n" + tail(log, 60));
            }
            try {
                HttpResponse<String> r = get("/api/v1/payouts?size=1", Duration.ofSeconds(2));
                if (r.statusCode() == 200) {
                    return Duration.ofNanos(System.nanoTime() - start);
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("gateway run " + runs + " not ready within " + within + "; log " + log + ":\n" + tail(log, 60));
    }

    HttpResponse<String> get(String pathAndQuery, Duration timeout) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .header("X-API-Key", API_KEY).timeout(timeout).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** POSTs JSON to the gateway's API with the trial's key. */
    HttpResponse<String> post(String path, String json, Duration timeout) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("X-API-Key", API_KEY).header("Content-Type", "application/json").timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** A GET on another port of this gateway (its management port: /observe/metrics, /observe/health). */
    String getText(int otherPort, String pathAndQuery) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + otherPort + pathAndQuery))
                .timeout(Duration.ofSeconds(10)).GET().build();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (r.statusCode() != 200) {
            throw new IOException("GET :" + otherPort + pathAndQuery + ": HTTP " + r.statusCode());
        }
        return r.body();
    }

    JsonNode getJson(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> r = get(pathAndQuery, Duration.ofSeconds(10));
        if (r.statusCode() != 200) {
            throw new IOException("GET " + pathAndQuery + ": HTTP " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** Payouts per state and in all ("ALL"), as the API's list totals tell. */
    Map<String, Long> totals() throws IOException, InterruptedException {
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("ALL", getJson("/api/v1/payouts?size=1").path("total").asLong(-1));
        for (String s : STATES) {
            out.put(s, getJson("/api/v1/payouts?status=" + s + "&size=1").path("total").asLong(-1));
        }
        return out;
    }

    /** Every payout as the API lists it, page by page (500 per page). */
    List<JsonNode> allPayouts(String status) throws IOException, InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        for (int page = 0; ; page++) {
            JsonNode r = getJson("/api/v1/payouts?size=500&page=" + page + (status == null ? "" : "&status=" + status));
            r.path("items").forEach(out::add);
            if (r.path("items").size() < 500) {
                return out;
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path src : (Iterable<Path>) paths::iterator) {
                Path dst = to.resolve(from.relativize(src).toString());
                if (Files.isDirectory(src)) {
                    Files.createDirectories(dst);
                } else {
                    Files.copy(src, dst, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | RuntimeException e) {
            return "(log not readable: " + e + ")";
        }
    }

    @Override
    public void close() {
        kill();
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }
}
