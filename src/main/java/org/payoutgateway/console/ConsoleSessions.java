package org.payoutgateway.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The operations console's sessions, kept in memory on the server only: a session is a random
 * 256-bit id (the cookie {@value #COOKIE}) naming the API client that logged in with its key, and a
 * random CSRF token every non-GET request of the session must carry in {@value #CSRF_HEADER}. The
 * key itself is never kept. A session ends at logout, after {@code idle} without a request, or
 * {@code maxAge} after login, whichever comes first; a restart ends all of them.
 */
public final class ConsoleSessions {

    public static final String COOKIE = "payout_console";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    /** Sessions kept at most; past that the oldest login is ended first. */
    static final int MAX_SESSIONS = 10_000;

    /** One logged-in console user: the API client, the CSRF token, and when it ends. */
    public record Session(String id, String client, String csrfToken, Instant createdAt, Instant lastSeen) {
    }

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Duration maxAge;
    private final Duration idle;
    private final Supplier<Instant> clock;

    public ConsoleSessions(Duration maxAge, Duration idle, Supplier<Instant> clock) {
        if (maxAge.isNegative() || maxAge.isZero() || idle.isNegative() || idle.isZero()) {
            throw new IllegalStateException("payout.console.session-max-age and payout.console.session-idle must be positive");
        }
        this.maxAge = maxAge;
        this.idle = idle;
        this.clock = clock;
    }

    public Duration maxAge() {
        return maxAge;
    }

    /** Starts a session for the client. */
    public Session open(String client) {
        Instant now = clock.get();
        sweep(now);
        if (sessions.size() >= MAX_SESSIONS) {
            sessions.values().stream().min(java.util.Comparator.comparing(Session::createdAt))
                    .ifPresent(oldest -> sessions.remove(oldest.id()));
        }
        Session s = new Session(token(), client, token(), now, now);
        sessions.put(s.id(), s);
        return s;
    }

    /** The live session of this id, its idle time restarted; empty when unknown or ended. */
    public Optional<Session> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        Instant now = clock.get();
        Session s = sessions.get(id);
        if (s == null) {
            return Optional.empty();
        }
        if (ended(s, now)) {
            sessions.remove(id);
            return Optional.empty();
        }
        Session touched = new Session(s.id(), s.client(), s.csrfToken(), s.createdAt(), now);
        sessions.replace(id, s, touched);
        return Optional.of(touched);
    }

    public void close(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    /** Whether the token given is the session's CSRF token (compared in constant time). */
    public static boolean csrfMatches(Session s, String given) {
        return given != null && MessageDigest.isEqual(s.csrfToken().getBytes(StandardCharsets.UTF_8),
                given.getBytes(StandardCharsets.UTF_8));
    }

    /** The value of the session cookie in a {@code Cookie} request header, or null. */
    public static String cookieValue(String cookieHeader) {
        if (cookieHeader == null) {
            return null;
        }
        for (String part : cookieHeader.split(";")) {
            String p = part.strip();
            if (p.startsWith(COOKIE + "=")) {
                String v = p.substring(COOKIE.length() + 1);
                return v.matches("[A-Za-z0-9_-]{43}") ? v : null;
            }
        }
        return null;
    }

    int size() {
        return sessions.size();
    }

    private boolean ended(Session s, Instant now) {
        return now.isAfter(s.createdAt().plus(maxAge)) || now.isAfter(s.lastSeen().plus(idle));
    }

    private void sweep(Instant now) {
        sessions.values().removeIf(s -> ended(s, now));
    }

    /** 256 random bits, base64url without padding (43 characters). */
    private String token() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
