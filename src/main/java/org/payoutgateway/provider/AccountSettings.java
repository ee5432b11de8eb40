package org.payoutgateway.provider;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.payoutgateway.config.Settings;

/**
 * The settings of one provider account, {@code payout.provider.<account>.*}. Settings every
 * connector shares are read here; a connector reads its own with {@link #get}/{@link #required}.
 */
public final class AccountSettings {

    /** Default back-off between status queries; the last entry repeats. */
    public static final String DEFAULT_QUERY_SCHEDULE = "30s,1m,5m,30m,2h,6h";

    private final String account;
    private final Settings settings;

    public AccountSettings(String account, Settings settings) {
        this.account = account;
        this.settings = settings;
    }

    public String account() {
        return account;
    }

    public String key(String name) {
        return "payout.provider." + account + "." + name;
    }

    public Optional<String> find(String name) {
        return settings.find(key(name));
    }

    public String get(String name, String defaultValue) {
        return settings.get(key(name), defaultValue);
    }

    /** @throws IllegalStateException naming the setting when it is not a whole number */
    public int getInt(String name, int defaultValue) {
        return settings.getInt(key(name), defaultValue);
    }

    /** @throws IllegalStateException naming the setting when it is not a decimal number */
    public BigDecimal getDecimal(String name, String defaultValue) {
        String v = get(name, defaultValue);
        try {
            return new BigDecimal(v);
        } catch (NumberFormatException e) {
            throw new IllegalStateException(key(name) + " must be a number, not '" + v + "'");
        }
    }

    /** @throws IllegalStateException naming the setting when it is not a duration */
    public Duration getDuration(String name, String defaultValue) {
        return settings.getDuration(key(name), defaultValue);
    }

    public String required(String name) {
        return settings.required(key(name));
    }

    /** The base URL with its path prefix (e.g. {@code https://openapi-test.paypro.tech/indonesia-pay}), no trailing slash. */
    public String baseUrl() {
        String url = required("base-url");
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /**
     * How fields that a provider's parameter table types as integer but whose example JSON shows as
     * a string are sent: {@code number} (default, as the tables say) or {@code string} (as the examples).
     */
    public boolean integerFieldsAsText() {
        String v = get("integer-fields", "number");
        if (!v.equals("number") && !v.equals("string")) {
            throw new IllegalStateException(key("integer-fields") + " must be number or string, not " + v);
        }
        return v.equals("string");
    }

    public List<Duration> querySchedule() {
        return settings.getDurations(key("query-schedule"), DEFAULT_QUERY_SCHEDULE);
    }

    public Duration notFoundGrace() {
        return getDuration("not-found-grace", "10m");
    }

    /** A code set setting, e.g. {@code status.success=0000}. */
    public Set<String> codes(String name, String defaultValue) {
        return settings.getList(key(name), defaultValue).stream().collect(Collectors.toUnmodifiableSet());
    }

    /**
     * The notify (callback) URL given to the provider for this account:
     * {@code <payout.callback.base-url>/notify/<account>}; null when no callback base URL is set.
     */
    public String notifyUrl() {
        return settings.find("payout.callback.base-url")
                .map(base -> (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/notify/" + account)
                .orElse(null);
    }
}
