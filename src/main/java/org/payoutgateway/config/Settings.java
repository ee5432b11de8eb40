package org.payoutgateway.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed read access to the {@code payout.*} settings. Values come from
 * {@code config/application.properties}, overridden by a JVM system property of the same name or an
 * environment variable in Camel's convention (upper case, {@code .} and {@code -} as {@code _}).
 */
public final class Settings {

    private static final Pattern DURATION = Pattern.compile("([0-9]{1,18})(ms|s|m|h|d|)");
    /** Every key any instance was asked for, for the check of docs/settings.md (SettingsReferenceTest). */
    private static final Set<String> ASKED = ConcurrentHashMap.newKeySet();

    private final Function<String, Optional<String>> lookup;

    public Settings(Function<String, Optional<String>> lookup) {
        this.lookup = lookup;
    }

    /** The keys asked for so far in this JVM, whether or not they had a value. */
    public static Set<String> asked() {
        return Set.copyOf(ASKED);
    }

    public Optional<String> find(String key) {
        ASKED.add(key);
        return lookup.apply(key).map(String::strip).filter(s -> !s.isEmpty());
    }

    public String get(String key, String defaultValue) {
        return find(key).orElse(defaultValue);
    }

    /** @throws MissingSettingException when the setting is absent or blank */
    public String required(String key) {
        return find(key).orElseThrow(() -> new MissingSettingException(key));
    }

    /** @throws IllegalStateException naming the setting when its value is not a whole number */
    public int getInt(String key, int defaultValue) {
        Optional<String> v = find(key);
        if (v.isEmpty()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(v.get());
        } catch (NumberFormatException e) {
            throw new IllegalStateException(key + " must be a whole number, not '" + v.get() + "'");
        }
    }

    /** @throws IllegalStateException naming the setting when its value is not {@code true} or {@code false} */
    public boolean getBoolean(String key, boolean defaultValue) {
        Optional<String> v = find(key);
        if (v.isEmpty()) {
            return defaultValue;
        }
        if (!v.get().equalsIgnoreCase("true") && !v.get().equalsIgnoreCase("false")) {
            throw new IllegalStateException(key + " must be true or false, not '" + v.get() + "'");
        }
        return Boolean.parseBoolean(v.get());
    }

    public List<String> getList(String key, String defaultValue) {
        return Arrays.stream(get(key, defaultValue).split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** @throws IllegalStateException naming the setting when its value is not a duration ({@link #parseDuration}) */
    public Duration getDuration(String key, String defaultValue) {
        try {
            return parseDuration(get(key, defaultValue));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(key + ": " + e.getMessage());
        }
    }

    /**
     * {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}; a bare number is milliseconds.
     *
     * @throws IllegalArgumentException for any other text
     */
    public static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (500ms, 30s, 5m, 2h, 1d or milliseconds)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofMillis(n);
        };
    }

    /**
     * A comma-separated list of durations, e.g. a status-query back-off schedule.
     *
     * @throws IllegalStateException naming the setting when an entry is not a duration
     */
    public List<Duration> getDurations(String key, String defaultValue) {
        try {
            return getList(key, defaultValue).stream().map(Settings::parseDuration).toList();
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(key + ": " + e.getMessage());
        }
    }

    /** A required setting is absent. */
    public static class MissingSettingException extends IllegalStateException {
        public MissingSettingException(String key) {
            super("missing required setting " + key);
        }
    }
}
