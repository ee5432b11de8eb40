package org.payoutgateway.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * <p>
 * Any setting can instead be read from a file, as secrets mounted into containers are: setting
 * {@code <key>.file} to the file's path (so also the environment variable {@code <KEY>_FILE}, e.g.
 * {@code PAYOUT_WEBHOOK_SIGNING_KEY_FILE=/run/secrets/webhook_signing_key}) makes the file's
 * content, without a trailing newline, the setting's value. Setting both the value and the file
 * is an error naming the setting. Messages name the setting and the path, never the content.
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
        Optional<String> value = lookup.apply(key).map(String::strip).filter(s -> !s.isEmpty());
        if (key.endsWith(FILE_SUFFIX)) {
            return value;
        }
        Optional<String> file = fileOf(key);
        if (file.isEmpty()) {
            return value;
        }
        if (value.isPresent()) {
            throw new IllegalStateException(key + " is set both as a value and as a file (" + key + FILE_SUFFIX
                    + "): set only one, and blank the other (e.g. " + environmentName(key) + "= or " + key + "= in the settings file)");
        }
        return Optional.of(readFile(key, Path.of(file.get())));
    }

    /** The path of the file the setting is read from ({@code <key>.file}), if one is set. */
    public Optional<String> fileOf(String key) {
        return lookup.apply(key + FILE_SUFFIX).map(String::strip).filter(s -> !s.isEmpty());
    }

    /** The suffix of the setting that names the file another setting's value is read from. */
    public static final String FILE_SUFFIX = ".file";

    /**
     * The content of a setting's file, without one trailing newline.
     *
     * @throws IllegalStateException naming the setting and the path (never the content) when it cannot be read or is empty
     */
    static String readFile(String key, Path path) {
        String content;
        try {
            content = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalStateException(key + FILE_SUFFIX + ": " + path + " does not exist");
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new IllegalStateException(key + FILE_SUFFIX + ": " + path + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        String value = content.endsWith("\r\n") ? content.substring(0, content.length() - 2)
                : content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
        if (value.isBlank()) {
            throw new IllegalStateException(key + FILE_SUFFIX + ": " + path + " is empty");
        }
        return value;
    }

    /** A setting's environment variable in Camel's convention: upper case, {@code .} and {@code -} as {@code _}. */
    public static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * Settings from environment variables in Camel's convention; {@code <key>.file} is then
     * {@code <KEY>_FILE}, the convention of container images.
     */
    public static Function<String, Optional<String>> fromEnvironment(Map<String, String> environment) {
        return key -> Optional.ofNullable(environment.get(environmentName(key)));
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
