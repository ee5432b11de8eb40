package org.payoutgateway.provider;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.payoutgateway.config.Settings;
import org.payoutgateway.provider.diamondpay.DiamondPayConnector;
import org.payoutgateway.provider.paypro.PayproIndonesia;
import org.payoutgateway.provider.paypro.PayproKenya;
import org.payoutgateway.provider.paypro.PayproPakistan;

/**
 * The provider accounts configured in {@code payout.provider.accounts}, each built from its
 * {@code payout.provider.<account>.mapping} (default: the account's own name), and the country
 * routing {@code payout.routing.<COUNTRY>=<account>}.
 *
 * <p>Mappings: {@code paypro-id}, {@code paypro-ke}, {@code paypro-pk}, {@code diamondpay-id}. A
 * second merchant of an existing mapping is configuration only: list the account and set
 * {@code payout.provider.<name>.mapping=paypro-id} with its own base-url and credentials. A new
 * Paypro country with the create fields of a mapped one is too: the account of that mapping also
 * sets its {@code country}, {@code currency} and the mapping's country rules (see
 * {@code PayproConnector}).
 */
public final class ProviderAccounts {

    public static final Map<String, Function<AccountSettings, ProviderConnector>> MAPPINGS = Map.of(
            "paypro-id", PayproIndonesia::new,
            "paypro-ke", PayproKenya::new,
            "paypro-pk", PayproPakistan::new,
            "diamondpay-id", DiamondPayConnector::new);

    private volatile Map<String, ProviderConnector> accounts;
    private final Settings settings;

    /** @throws IllegalStateException for an unknown mapping or a missing required account setting */
    public ProviderAccounts(Settings settings) {
        this.settings = settings;
        this.accounts = build(settings);
    }

    /**
     * Builds the accounts again from the settings as they are now (a live settings change) and puts
     * them in place at once; on an error nothing changes.
     *
     * @throws IllegalStateException for an unknown mapping or a missing required account setting
     */
    public void reload() {
        this.accounts = build(settings);
    }

    private static Map<String, ProviderConnector> build(Settings settings) {
        Map<String, ProviderConnector> accounts = new LinkedHashMap<>();
        for (String account : settings.getList("payout.provider.accounts", "")) {
            AccountSettings as = new AccountSettings(account, settings);
            String mapping = as.get("mapping", account);
            Function<AccountSettings, ProviderConnector> factory = MAPPINGS.get(mapping);
            if (factory == null) {
                throw new IllegalStateException(as.key("mapping") + ": unknown mapping '" + mapping
                        + "'; known: " + MAPPINGS.keySet());
            }
            accounts.put(account, factory.apply(as));
        }
        return java.util.Collections.unmodifiableMap(accounts);
    }

    public Optional<ProviderConnector> find(String account) {
        return Optional.ofNullable(account == null ? null : accounts.get(account));
    }

    /** @throws IllegalArgumentException for an account that is not configured */
    public ProviderConnector get(String account) {
        return find(account).orElseThrow(() -> new IllegalArgumentException("no provider account " + account));
    }

    public Collection<ProviderConnector> all() {
        return accounts.values();
    }

    /** The configured account names, in the order of {@code payout.provider.accounts}. */
    public List<String> names() {
        return List.copyOf(accounts.keySet());
    }

    /** The default account for a country, from {@code payout.routing.<COUNTRY>}. */
    public Optional<String> routeFor(String country) {
        return country == null ? Optional.empty() : settings.find("payout.routing." + country.toUpperCase());
    }
}
