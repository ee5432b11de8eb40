package org.payoutgateway.ops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * The version of the settings and routes this gateway runs: the first 12 hex digits of the
 * SHA-256 of {@code config/application.properties} and every {@code routes/*.yaml} as applied
 * (read at start, then as each live change is applied; a refused edit does not change it). Replicas
 * reading one shared volume run the same version once each has applied an edit; one that refused
 * it, or was started before it, shows another. Reported by readiness as check
 * {@code settings-version} (always UP; {@code /observe/health/ready?data=true} shows {@code version},
 * {@code files} and {@code since}).
 */
public final class SettingsVersion extends AbstractHealthCheck {

    private final Map<Path, String> applied = new TreeMap<>();
    private volatile String version;
    private volatile Instant since;

    private SettingsVersion() {
        super("payout", "settings-version");
    }

    /** The version of the files as they are now: the settings file and the route files (those that exist). */
    public static SettingsVersion read(Path propertiesFile, Path routesDir) throws IOException {
        SettingsVersion v = new SettingsVersion();
        if (Files.isRegularFile(propertiesFile)) {
            v.applied.put(propertiesFile.toAbsolutePath().normalize(), Files.readString(propertiesFile));
        }
        for (Path f : Files.isDirectory(routesDir) ? ConfigValidator.routeFiles(routesDir) : java.util.List.<Path>of()) {
            v.applied.put(f.toAbsolutePath().normalize(), Files.readString(f));
        }
        v.recompute();
        return v;
    }

    /** The content of a file as applied, or null for a file not applied. */
    public synchronized String content(Path file) {
        return applied.get(file);
    }

    /** A file's content was applied: the version changes with it. */
    public synchronized void applied(Path file, String content) {
        applied.put(file, content);
        recompute();
    }

    /** The version: 12 lower-case hex digits. */
    public String version() {
        return version;
    }

    private void recompute() {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        // by file name, not path: replicas with the shared files mounted at other places agree
        Map<String, String> byName = new TreeMap<>();
        applied.forEach((path, content) -> byName.put(path.getFileName().toString(), content));
        byName.forEach((name, content) -> {
            sha.update(name.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(content.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
        });
        String next = HexFormat.of().formatHex(sha.digest()).substring(0, 12);
        if (!next.equals(version)) {
            version = next;
            since = Instant.now();
        }
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("version", version);
        builder.detail("files", applied.size());
        builder.detail("since", since.toString());
        builder.message("settings version " + version).up();
    }
}
