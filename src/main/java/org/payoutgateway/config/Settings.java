package org.payoutgateway.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Typed read access to the {@code payout.*} settings. Values come from
 * {@code config/application.properties}, overridden by a JVM system property of the same name or an
 * environment variable in Camel's convention (upper case, {@code .} and {@code -} as {@code _}).
 */
public final class Settings {

    private final Function<String, Optional<String>> lookup;

    public Settings(Function<String, Optional<String>> lookup) {
        this.lookup = lookup;
    }

    public Optional<String> find(String key) {
        return lookup.apply(key).map(String::strip).filter(s -> !s.isEmpty());
    }

    public String get(String key, String defaultValue) {
        return find(key).orElse(defaultValue);
    }

    /** @throws MissingSettingException when the setting is absent or blank */
    public String required(String key) {
        return find(key).orElseThrow(() -> new MissingSettingException(key));
    }

    public int getInt(String key, int defaultValue) {
        return find(key).map(Integer::parseInt).orElse(defaultValue);
    }

    public boolean getBoolean(String key, boolean defaultValue) {
        return find(key).map(Boolean::parseBoolean).orElse(defaultValue);
    }

    public List<String> getList(String key, String defaultValue) {
        return Arrays.stream(get(key, defaultValue).split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    public Duration getDuration(String key, String defaultValue) {
        return parseDuration(get(key, defaultValue));
    }

    /** {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}; a bare number is milliseconds. */
    public static Duration parseDuration(String text) {
        String t = text.strip().toLowerCase();
        if (t.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
        }
        long n = t.matches("\\d+") ? Long.parseLong(t) : Long.parseLong(t.substring(0, t.length() - 1));
        return switch (t.charAt(t.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            case 'd' -> Duration.ofDays(n);
            default -> Duration.ofMillis(n);
        };
    }

    /** A comma-separated list of durations, e.g. a status-query back-off schedule. */
    public List<Duration> getDurations(String key, String defaultValue) {
        return getList(key, defaultValue).stream().map(Settings::parseDuration).toList();
    }

    /** A required setting is absent. */
    public static class MissingSettingException extends IllegalStateException {
        public MissingSettingException(String key) {
            super("missing required setting " + key);
        }
    }
}
