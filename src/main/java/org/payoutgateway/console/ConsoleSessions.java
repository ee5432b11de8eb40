package org.payoutgateway.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import org.payoutgateway.payout.PayoutStore;

/**
 * The operations console's sessions, kept on the server only, in the payout store (table
 * {@code console_session}) so that every replica knows a session made on another: a session is a
 * random 256-bit id (the cookie {@value #COOKIE}, stored only as its SHA-256) naming the API client
 * that logged in with its key, and a random CSRF token every non-GET request of the session must
 * carry in {@value #CSRF_HEADER}. The key itself is never kept. A session ends at logout, after
 * {@code idle} without a request, or {@code maxAge} after login, whichever comes first.
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
    private final PayoutStore store;
    private final Duration maxAge;
    private final Duration idle;

    /** @param store the payout store, whose clock is the sessions' clock */
    public ConsoleSessions(PayoutStore store, Duration maxAge, Duration idle) {
        if (maxAge.isNegative() || maxAge.isZero() || idle.isNegative() || idle.isZero()) {
            throw new IllegalStateException("payout.console.session-max-age and payout.console.session-idle must be positive");
        }
        this.store = store;
        this.maxAge = maxAge;
        this.idle = idle;
    }

    public Duration maxAge() {
        return maxAge;
    }

    /** Starts a session for the client. */
    public Session open(String client) {
        Instant now = store.now();
        Session s = new Session(token(), client, token(), now, now);
        store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM console_session WHERE created_at < ? OR last_seen < ?")) {
                ps.setObject(1, PayoutStore.ts(now.minus(maxAge)));
                ps.setObject(2, PayoutStore.ts(now.minus(idle)));
                ps.executeUpdate();
            }
            if (count(c) >= MAX_SESSIONS) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM console_session WHERE id_hash = "
                        + "(SELECT id_hash FROM console_session ORDER BY created_at LIMIT 1)")) {
                    ps.executeUpdate();
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO console_session (id_hash, client, csrf_token, created_at, last_seen) VALUES (?, ?, ?, ?, ?)")) {
                ps.setString(1, hash(s.id()));
                ps.setString(2, client);
                ps.setString(3, s.csrfToken());
                ps.setObject(4, PayoutStore.ts(now));
                ps.setObject(5, PayoutStore.ts(now));
                ps.executeUpdate();
            }
            return null;
        });
        return s;
    }

    /** The live session of this id, its idle time restarted; empty when unknown or ended. */
    public Optional<Session> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        Instant now = store.now();
        String hash = hash(id);
        return store.inTransaction(c -> {
            Session s;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT client, csrf_token, created_at, last_seen FROM console_session WHERE id_hash = ?")) {
                ps.setString(1, hash);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<Session>empty();
                    }
                    s = new Session(id, rs.getString(1), rs.getString(2),
                            PayoutStore.instant(rs.getObject(3, OffsetDateTime.class)),
                            PayoutStore.instant(rs.getObject(4, OffsetDateTime.class)));
                }
            }
            boolean ended = now.isAfter(s.createdAt().plus(maxAge)) || now.isAfter(s.lastSeen().plus(idle));
            try (PreparedStatement ps = c.prepareStatement(ended
                    ? "DELETE FROM console_session WHERE id_hash = ?"
                    : "UPDATE console_session SET last_seen = ? WHERE id_hash = ?")) {
                int i = 1;
                if (!ended) {
                    ps.setObject(i++, PayoutStore.ts(now));
                }
                ps.setString(i, hash);
                ps.executeUpdate();
            }
            return ended ? Optional.<Session>empty()
                    : Optional.of(new Session(s.id(), s.client(), s.csrfToken(), s.createdAt(), now));
        });
    }

    public void close(String id) {
        if (id != null) {
            store.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM console_session WHERE id_hash = ?")) {
                    ps.setString(1, hash(id));
                    ps.executeUpdate();
                }
                return null;
            });
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

    private static int count(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM console_session");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static String hash(String id) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** 256 random bits, base64url without padding (43 characters). */
    private String token() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
