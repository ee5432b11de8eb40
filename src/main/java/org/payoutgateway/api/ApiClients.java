package org.payoutgateway.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.payoutgateway.config.Settings;

/**
 * The named API clients and their keys (docs/api.md, "Clients and roles"):
 * {@code payout.api.clients=team-a,ops}, and per client {@code payout.api.client.<name>.keys}
 * (comma-separated; two keys at once while one is rotated) and {@code .roles}. The older
 * {@code payout.api.keys} is one more client, {@value #DEFAULT_CLIENT}, with the role submitter.
 * Keys are kept only as SHA-256 digests and compared in constant time.
 */
public final class ApiClients {

    /** The client of {@code payout.api.keys}, and the default owner of file and ERP payouts. */
    public static final String DEFAULT_CLIENT = "default";
    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

    /** A client: its name (the owner of what it submits), its roles and its request rate per second. */
    public record Client(String name, Set<Role> roles, int requestsPerSecond) {
        public boolean has(Role role) {
            return roles.contains(role);
        }

        public boolean readsAll() {
            return roles.stream().anyMatch(Role::readsAll);
        }

        public boolean readsAudit() {
            return roles.stream().anyMatch(Role::readsAudit);
        }
    }

    private record Key(byte[] digest, Client client) {
    }

    private final Map<String, Client> clients;
    private final List<Key> keys;

    private ApiClients(Map<String, Client> clients, List<Key> keys) {
        this.clients = clients;
        this.keys = keys;
    }

    /**
     * @throws IllegalStateException naming the setting: a client name that is not lower-case
     *         letters, digits, {@code -} and {@code _}; a client without keys or roles; an unknown
     *         role; a key given to two clients; {@value #DEFAULT_CLIENT} both listed and given by
     *         {@code payout.api.keys}
     */
    public static ApiClients from(Settings settings) {
        int defaultRate = settings.getInt("payout.api.rate-limit", 100);
        Map<String, Client> clients = new LinkedHashMap<>();
        Map<String, List<String>> keysOf = new LinkedHashMap<>();
        List<String> legacy = settings.getList("payout.api.keys", "");
        if (!legacy.isEmpty()) {
            clients.put(DEFAULT_CLIENT, new Client(DEFAULT_CLIENT, EnumSet.of(Role.SUBMITTER), defaultRate));
            keysOf.put(DEFAULT_CLIENT, legacy);
        }
        for (String name : settings.getList("payout.api.clients", "")) {
            if (!NAME.matcher(name).matches()) {
                throw new IllegalStateException("payout.api.clients: '" + name
                        + "' is not a client name (lower-case letters, digits, - and _, at most 64)");
            }
            if (clients.containsKey(name)) {
                throw new IllegalStateException("payout.api.clients: " + name + " is named twice"
                        + (name.equals(DEFAULT_CLIENT) ? " (payout.api.keys is the client " + DEFAULT_CLIENT + ")" : ""));
            }
            String prefix = "payout.api.client." + name + ".";
            List<String> keys = settings.getList(prefix + "keys", "");
            if (keys.isEmpty()) {
                throw new IllegalStateException(prefix + "keys is missing: client " + name + " has no key");
            }
            List<String> roleNames = settings.getList(prefix + "roles", "");
            if (roleNames.isEmpty()) {
                throw new IllegalStateException(prefix + "roles is missing: client " + name + " has no role");
            }
            Set<Role> roles = EnumSet.noneOf(Role.class);
            for (String r : roleNames) {
                try {
                    roles.add(Role.parse(r));
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException(prefix + "roles: " + e.getMessage());
                }
            }
            clients.put(name, new Client(name, Set.copyOf(roles), settings.getInt(prefix + "rate-limit", defaultRate)));
            keysOf.put(name, keys);
        }
        List<Key> keys = new ArrayList<>();
        Map<String, String> owners = new HashMap<>();
        keysOf.forEach((name, list) -> list.forEach(k -> {
            String other = owners.putIfAbsent(k, name);
            if (other != null && !other.equals(name)) {
                throw new IllegalStateException("payout.api.client." + name + ".keys: a key of " + name
                        + " is also a key of " + other + "; each key names one client");
            }
            keys.add(new Key(sha256(k), clients.get(name)));
        }));
        return new ApiClients(Map.copyOf(clients), List.copyOf(keys));
    }

    /**
     * The client whose key this is. Every configured key is compared (digests of equal length,
     * {@link MessageDigest#isEqual}), whatever matched first, so the time taken does not tell which
     * key, or how much of one, was right.
     */
    public Optional<Client> authenticate(String key) {
        if (key == null) {
            return Optional.empty();
        }
        byte[] digest = sha256(key);
        Client found = null;
        for (Key k : keys) {
            if (MessageDigest.isEqual(k.digest(), digest) && found == null) {
                found = k.client();
            }
        }
        return Optional.ofNullable(found);
    }

    public Optional<Client> named(String name) {
        return Optional.ofNullable(clients.get(name));
    }

    public Set<String> names() {
        return clients.keySet();
    }

    public boolean isEmpty() {
        return keys.isEmpty();
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
