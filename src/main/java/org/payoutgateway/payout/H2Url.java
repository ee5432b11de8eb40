package org.payoutgateway.payout;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The H2 settings the payout store's safety needs, enforced on whatever H2 URL it is given
 * ({@code jdbc:h2:...;KEY=VALUE;...}, keys case-insensitive, H2's own syntax). A URL that lacks
 * one gets it added; a URL that sets one to another value is refused, naming the setting, because
 * the store would run unsafely or its SQL would not work:
 * <ul>
 *   <li>{@code WRITE_DELAY=0}: every commit reaches the file before the commit returns. H2's default
 *       (500 ms) keeps recent commits in memory, so a killed process forgets payouts, claims and
 *       file rows it had reported stored (and may then send or store again what it forgot).</li>
 *   <li>{@code MODE=PostgreSQL}, {@code DATABASE_TO_LOWER=TRUE}, {@code DEFAULT_NULL_ORDERING=HIGH}:
 *       the store's SQL is written for PostgreSQL (lower-case names, nulls sorted last).</li>
 * </ul>
 * {@code FILE_LOCK=NO} is refused: two processes writing one file corrupt it. URLs of other
 * databases pass unchanged.
 */
public final class H2Url {

    /** What the payout store needs. */
    public static final Map<String, String> PAYOUT_STORE = orderedMap(
            "MODE", "PostgreSQL", "DATABASE_TO_LOWER", "TRUE", "DEFAULT_NULL_ORDERING", "HIGH", "WRITE_DELAY", "0");
    /** What any database the gateway commits claims to needs (an ERP table on H2): durable commits only. */
    public static final Map<String, String> DURABLE = orderedMap("WRITE_DELAY", "0");
    private static final Map<String, String> REFUSED = Map.of("FILE_LOCK", "NO");

    private H2Url() {
    }

    /** A URL and the settings that were added to it (empty when none was missing or it is not H2). */
    public record Enforced(String url, List<String> added) {
    }

    /**
     * @param url a JDBC URL, from configuration
     * @param required the settings (upper-case key, value) the URL must have
     * @throws IllegalArgumentException naming the setting, when the URL sets a required one to
     *         another value or sets a refused one; the message never holds the rest of the URL
     */
    public static Enforced enforce(String url, Map<String, String> required) {
        if (url == null || !url.regionMatches(true, 0, "jdbc:h2:", 0, 8)) {
            return new Enforced(url, List.of());
        }
        Map<String, String> given = new LinkedHashMap<>();
        String[] parts = url.split("(?<!\\\\);");
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq > 0) {
                given.put(parts[i].substring(0, eq).strip().toUpperCase(Locale.ROOT), parts[i].substring(eq + 1).strip());
            }
        }
        for (Map.Entry<String, String> r : REFUSED.entrySet()) {
            if (r.getValue().equalsIgnoreCase(given.get(r.getKey()))) {
                throw new IllegalArgumentException("the H2 URL sets " + r.getKey() + "=" + given.get(r.getKey())
                        + ": two processes could then write one database file and corrupt it; remove it");
            }
        }
        StringBuilder out = new StringBuilder(url);
        List<String> added = new ArrayList<>();
        for (Map.Entry<String, String> r : required.entrySet()) {
            String value = given.get(r.getKey());
            if (value == null) {
                out.append(';').append(r.getKey()).append('=').append(r.getValue());
                added.add(r.getKey() + "=" + r.getValue());
            } else if (!value.equalsIgnoreCase(r.getValue())) {
                throw new IllegalArgumentException("the H2 URL sets " + r.getKey() + "=" + value + "; the payout gateway needs "
                        + r.getKey() + "=" + r.getValue() + (r.getKey().equals("WRITE_DELAY")
                        ? " (any delay lets a killed process forget commits it reported)" : " (its SQL is written for it)")
                        + ": change it or leave it out");
            }
        }
        return new Enforced(out.toString(), List.copyOf(added));
    }

    private static Map<String, String> orderedMap(String... keysAndValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }
}
