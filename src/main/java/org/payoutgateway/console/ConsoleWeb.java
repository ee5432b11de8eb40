package org.payoutgateway.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.payoutgateway.api.ApiClients;
import org.payoutgateway.api.ApiGuard;
import org.payoutgateway.api.ApiProblem;
import org.payoutgateway.api.AuditTrail;
import org.payoutgateway.api.Role;
import org.payoutgateway.provider.Json;

/**
 * The operations console's pages and its login, as called by {@code routes/console.yaml}: the
 * static page set under {@code /console} (one HTML page, one script, one style sheet, from the
 * class path, never a path taken from the request), {@code POST /console/login} with an API
 * client's key, {@code GET /console/session}, {@code POST /console/logout}. Every answer carries
 * the console's security headers (a Content-Security-Policy without inline script or style,
 * framing refused, no MIME sniffing, no referrer).
 */
public class ConsoleWeb {

    public static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    /** The console's files: name in the URL, class-path resource, content type. */
    private static final Map<String, String[]> ASSETS = Map.of(
            "index.html", new String[] {"console/index.html", "text/html; charset=utf-8"},
            "console.js", new String[] {"console/console.js", "text/javascript; charset=utf-8"},
            "console.css", new String[] {"console/console.css", "text/css; charset=utf-8"});
    private static final String REMOTE_ADDRESS_HEADER = "CamelVertxPlatformHttpRemoteAddress";

    private final ApiClients clients;
    private final ApiGuard guard;
    private final AuditTrail audit;
    private final ConsoleSessions sessions;

    public ConsoleWeb(ApiClients clients, ApiGuard guard, AuditTrail audit, ConsoleSessions sessions) {
        this.clients = clients;
        this.guard = guard;
        this.audit = audit;
        this.sessions = sessions;
    }

    /** {@code GET /console}: the page (the views are its fragments, {@code /console/#/payouts?state=UNKNOWN}). */
    public void index(Exchange exchange) {
        asset(exchange, "index.html");
    }

    public void script(Exchange exchange) {
        asset(exchange, "console.js");
    }

    public void style(Exchange exchange) {
        asset(exchange, "console.css");
    }

    private void asset(Exchange exchange, String name) {
        String[] a = ASSETS.get(name);
        byte[] content;
        try (InputStream in = ConsoleWeb.class.getClassLoader().getResourceAsStream(a[0])) {
            if (in == null) {
                reply(exchange, 404, ApiProblem.of(404, "Not found", "the console is not in this build"));
                return;
            }
            content = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, a[1]);
        exchange.getMessage().setHeader("Cache-Control", "no-cache");
        exchange.getMessage().setBody(content);
        securityHeaders(exchange);
    }

    /**
     * {@code POST /console/login} with {@code {"api_key": "..."}}: the key is checked like an
     * {@code X-API-Key} (a source address past its failed authentications of the minute is refused
     * first); the answer sets the session cookie and gives the session's CSRF token. The key is not
     * kept.
     */
    public void login(Exchange exchange) {
        String source = source(exchange);
        long blocked = guard.sourceBlockedSeconds(source);
        if (blocked > 0) {
            guard.authenticationFailed(source, "blocked");
            ObjectNode p = ApiProblem.of(429, "Too many requests", "too many failed authentications from this address; try again later");
            p.put("retry_after_seconds", blocked);
            reply(exchange, 429, p);
            exchange.getMessage().setHeader("Retry-After", blocked);
            return;
        }
        String key = null;
        String text = exchange.getIn().getBody(String.class);
        try {
            JsonNode body = text == null || text.isBlank() ? null : Json.MAPPER.readTree(text);
            if (body != null && body.path("api_key").isTextual()) {
                key = body.get("api_key").asText();
            }
        } catch (IOException e) {
            key = null;
        }
        if (key == null || key.isEmpty()) {
            reply(exchange, 400, ApiProblem.of(400, "Bad request", "the body must be {\"api_key\": \"...\"}"));
            return;
        }
        Optional<ApiClients.Client> client = clients.authenticate(key);
        if (client.isEmpty()) {
            guard.authenticationFailed(source, "wrong");
            record(exchange, null, "console-login", "REFUSED", 401, "unknown API key");
            reply(exchange, 401, ApiProblem.of(401, "Unauthorized", "this is not the key of an API client"));
            return;
        }
        ConsoleSessions.Session s = sessions.open(client.get().name());
        record(exchange, client.get().name(), "console-login", "APPLIED", 200, null);
        boolean https = https(exchange);
        reply(exchange, 200, sessionJson(client.get(), s));
        exchange.getMessage().setHeader("Set-Cookie", ConsoleSessions.COOKIE + "=" + s.id() + "; Path=/; Max-Age="
                + sessions.maxAge().toSeconds() + "; HttpOnly; SameSite=Strict" + (https ? "; Secure" : ""));
    }

    /** {@code GET /console/session}: who is logged in, and the session's CSRF token (the page keeps it in memory only). */
    public void session(Exchange exchange) {
        Optional<ConsoleSessions.Session> s = sessions.find(ConsoleSessions.cookieValue(exchange.getIn().getHeader("Cookie", String.class)));
        Optional<ApiClients.Client> client = s.flatMap(x -> clients.named(x.client()));
        if (client.isEmpty()) {
            reply(exchange, 401, ApiProblem.of(401, "Unauthorized", "not logged in"));
            return;
        }
        reply(exchange, 200, sessionJson(client.get(), s.get()));
    }

    /** {@code POST /console/logout} (with the session's CSRF token): ends the session and clears the cookie. */
    public void logout(Exchange exchange) {
        Optional<ConsoleSessions.Session> s = sessions.find(ConsoleSessions.cookieValue(exchange.getIn().getHeader("Cookie", String.class)));
        if (s.isPresent() && !ConsoleSessions.csrfMatches(s.get(), exchange.getIn().getHeader(ConsoleSessions.CSRF_HEADER, String.class))) {
            record(exchange, s.get().client(), "console-logout", "REFUSED", 403, "without its CSRF token");
            reply(exchange, 403, ApiProblem.of(403, "Forbidden", "logout must carry the session's " + ConsoleSessions.CSRF_HEADER + " header"));
            return;
        }
        boolean https = https(exchange);
        s.ifPresent(x -> {
            sessions.close(x.id());
            record(exchange, x.client(), "console-logout", "APPLIED", 204, null);
        });
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 204);
        exchange.getMessage().setBody(null);
        exchange.getMessage().setHeader("Set-Cookie", ConsoleSessions.COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"
                + (https ? "; Secure" : ""));
        securityHeaders(exchange);
    }

    private static ObjectNode sessionJson(ApiClients.Client client, ConsoleSessions.Session s) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("client", client.name());
        ArrayNode roles = o.putArray("roles");
        client.roles().stream().map(Role::label).sorted().forEach(roles::add);
        o.put("reads_all", client.readsAll());
        o.put("reads_audit", client.readsAudit());
        o.put("csrf_token", s.csrfToken());
        return o;
    }

    /** The console's security headers, on every answer under /console. */
    public static void securityHeaders(Exchange exchange) {
        exchange.getMessage().setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        exchange.getMessage().setHeader("X-Frame-Options", "DENY");
        exchange.getMessage().setHeader("X-Content-Type-Options", "nosniff");
        exchange.getMessage().setHeader("Referrer-Policy", "no-referrer");
    }

    /** Whether the request came over https: to this server, or to a proxy in front that says so. */
    static boolean https(Exchange exchange) {
        String url = exchange.getIn().getHeader(Exchange.HTTP_URL, String.class);
        String proto = exchange.getIn().getHeader("X-Forwarded-Proto", String.class);
        return (url != null && url.toLowerCase(Locale.ROOT).startsWith("https:"))
                || (proto != null && proto.strip().equalsIgnoreCase("https"));
    }

    private void record(Exchange exchange, String client, String action, String outcome, int status, String detail) {
        audit.record(List.of(new AuditTrail.Event(client, action, null, outcome, status, source(exchange), detail)));
    }

    private static String source(Exchange exchange) {
        Object remote = exchange.getIn().getHeader(REMOTE_ADDRESS_HEADER);
        return remote instanceof io.vertx.core.net.SocketAddress a ? a.hostAddress() : "unknown";
    }

    private static void reply(Exchange exchange, int status, ObjectNode body) {
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, status >= 400 ? ApiProblem.MEDIA_TYPE : "application/json");
        exchange.getMessage().setHeader("Cache-Control", "no-store");
        exchange.getMessage().setBody(body.toString());
        securityHeaders(exchange);
    }
}
