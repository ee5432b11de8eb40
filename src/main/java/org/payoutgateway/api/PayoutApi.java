package org.payoutgateway.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.payoutgateway.console.ConsoleSessions;
import org.payoutgateway.intake.JsonInstruction;
import org.payoutgateway.payout.Admission;
import org.payoutgateway.payout.FieldError;
import org.payoutgateway.payout.Payout;
import org.payoutgateway.payout.PayoutInstruction;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.payout.PayoutStore;
import org.payoutgateway.payout.PayoutValidator;
import org.payoutgateway.provider.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The payout API, as called by {@code routes/http-intake.yaml}. Instructions are stored like any
 * other intake's and dispatched from the store. A reference is one payout across all intakes: the
 * same reference with the same content answers the stored payout (200, nothing sent again), with
 * other content 409 naming the differences. Errors are RFC 9457 problem details.
 */
public class PayoutApi {

    private static final Logger LOG = LoggerFactory.getLogger(PayoutApi.class);
    public static final String INTAKE = "API";
    public static final String API_KEY_HEADER = "X-API-Key";
    /** Set by the platform-http (Vert.x) server: the connection's remote address. */
    static final String REMOTE_ADDRESS_HEADER = "CamelVertxPlatformHttpRemoteAddress";
    static final String CLIENT = "apiClient";
    static final String SOURCE = "apiSource";
    private static final int MAX_PAGE_SIZE = 500;
    /** One JSON document per body: anything after it (a second document, garbage) is malformed JSON. */
    private static final com.fasterxml.jackson.databind.ObjectReader BODY_READER = Json.MAPPER.reader()
            .with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /**
     * The OpenAPI operation of each route of routes/http-intake.yaml: the audit trail's action.
     * Other routes are named {@code api-<operation>} (routes/operator-actions.yaml).
     */
    private static final java.util.Map<String, String> OPERATIONS = java.util.Map.of("api-submit", "submit-payout",
            "api-batch", "submit-payout-batch", "api-get", "get-payout", "api-list", "list-payouts", "api-audit", "read-audit");

    private final PayoutStore store;
    private final PayoutValidator validator;
    private final ApiClients clients;
    private final ApiGuard guard;
    private final AuditTrail audit;
    private final int batchMax;
    private final boolean callbacksEnabled;
    private java.util.function.Function<String, Optional<String>> callbackRefusal =
            url -> Optional.of("callback targets are not checked on this gateway");
    /** The operations console's sessions, accepted instead of an X-API-Key; null: only keys. */
    private volatile ConsoleSessions sessions;

    /**
     * @param clients          the API clients and their keys; none means every request is refused
     * @param batchMax         most instructions one batch request may carry
     * @param callbacksEnabled whether callbacks can be signed; if not, {@code callback_url} is refused
     */
    public PayoutApi(PayoutStore store, PayoutValidator validator, ApiClients clients, ApiGuard guard, AuditTrail audit,
                     int batchMax, boolean callbacksEnabled) {
        this.store = store;
        this.validator = validator;
        this.clients = clients;
        this.guard = guard;
        this.audit = audit;
        this.batchMax = batchMax;
        this.callbacksEnabled = callbacksEnabled;
        if (clients.isEmpty()) {
            LOG.warn("no API client has a key (payout.api.clients, payout.api.keys): every API request is refused with 401");
        }
    }

    /**
     * Lets the request through only with the {@code X-API-Key} of a configured client (compared in
     * constant time, {@link ApiClients#authenticate}) and within the client's rate; otherwise
     * answers 401 or 429 and stops the route. A source address past its failed authentications of
     * the minute is refused with 429 before its key is looked at. Without an {@code X-API-Key}, a
     * live session cookie of the operations console stands for its client; such a request that is
     * not a GET must carry the session's {@code X-CSRF-Token}, else 403. Refusals of authentication
     * are audited; the client found is kept on the exchange for the operation.
     */
    public void authenticate(Exchange exchange) {
        String source = source(exchange);
        exchange.setProperty(SOURCE, source);
        String route = String.valueOf(exchange.getFromRouteId());
        String action = OPERATIONS.getOrDefault(route, route.replaceFirst("^api-", ""));
        long blocked = guard.sourceBlockedSeconds(source);
        if (blocked > 0) {
            guard.authenticationFailed(source, "blocked");
            refuse(exchange, tooMany("too many failed authentications from this address; try again later", blocked));
            return;
        }
        // the HTTP server merges query parameters into the headers: a key in the URL (where access
        // logs keep it) is refused outright, so only the real header can authenticate
        String query = exchange.getIn().getHeader(Exchange.HTTP_QUERY, String.class);
        if (query != null && query.toLowerCase(Locale.ROOT).contains(API_KEY_HEADER.toLowerCase(Locale.ROOT))) {
            guard.authenticationFailed(source, "key-in-url");
            audit(exchange, null, action, null, "REFUSED", 401, "API key in the URL");
            refuse(exchange, ApiProblem.of(401, "Unauthorized",
                    "the API key is accepted only in the " + API_KEY_HEADER + " header, never in the URL"));
            return;
        }
        String given = exchange.getIn().getHeader(API_KEY_HEADER, String.class);
        Optional<ApiClients.Client> client = clients.authenticate(given);
        if (given == null && sessions != null) {
            // the operations console: a session cookie instead of the key, and its CSRF token on writes
            String id = ConsoleSessions.cookieValue(exchange.getIn().getHeader("Cookie", String.class));
            Optional<ConsoleSessions.Session> session = sessions.find(id);
            if (id != null && session.isEmpty()) {
                audit(exchange, null, action, null, "REFUSED", 401, "console session ended or unknown");
                refuse(exchange, ApiProblem.of(401, "Unauthorized", "the console session has ended; log in again"));
                return;
            }
            if (session.isPresent()) {
                client = clients.named(session.get().client());
                String method = exchange.getIn().getHeader(Exchange.HTTP_METHOD, String.class);
                if (client.isPresent() && !"GET".equals(method) && !"HEAD".equals(method)
                        && !ConsoleSessions.csrfMatches(session.get(), exchange.getIn().getHeader(ConsoleSessions.CSRF_HEADER, String.class))) {
                    audit(exchange, client.get().name(), action, null, "REFUSED", 403, "console request without its CSRF token");
                    refuse(exchange, ApiProblem.of(403, "Forbidden", "a console session's " + method
                            + " request must carry the session's " + ConsoleSessions.CSRF_HEADER + " header"));
                    return;
                }
            }
        }
        if (client.isEmpty()) {
            guard.authenticationFailed(source, given == null ? "missing" : "wrong");
            audit(exchange, null, action, null, "REFUSED", 401, given == null ? "no API key" : "unknown API key");
            refuse(exchange, ApiProblem.of(401, "Unauthorized", "a valid " + API_KEY_HEADER + " header is required"));
            exchange.getMessage().setHeader("WWW-Authenticate", "ApiKey header=\"" + API_KEY_HEADER + "\"");
            return;
        }
        long wait = guard.admitRequest(client.get());
        if (wait > 0) {
            refuse(exchange, tooMany("client " + client.get().name() + " is over its rate limit of "
                    + client.get().requestsPerSecond() + " requests a second", wait));
            return;
        }
        exchange.setProperty(CLIENT, client.get());
    }

    /** Accepts the console's session cookies (with their CSRF token on writes) where no X-API-Key is given. */
    public void acceptSessions(ConsoleSessions sessions) {
        this.sessions = sessions;
    }

    private static ObjectNode tooMany(String detail, long retryAfterSeconds) {
        ObjectNode p = ApiProblem.of(429, "Too many requests", detail);
        p.put("retry_after_seconds", retryAfterSeconds);
        return p;
    }

    private static void refuse(Exchange exchange, ObjectNode problem) {
        ApiProblem.reply(exchange, problem);
        if (problem.has("retry_after_seconds")) {
            exchange.getMessage().setHeader("Retry-After", problem.get("retry_after_seconds").asLong());
        }
        exchange.setRouteStop(true);
    }

    /** Answers 403 (audited) unless the client has the role. */
    private boolean requireRole(Exchange exchange, ApiClients.Client client, Role role, String action) {
        if (client.has(role)) {
            return true;
        }
        audit(exchange, client.name(), action, null, "REFUSED", 403, "lacks the role " + role.label());
        ApiProblem.reply(exchange, ApiProblem.of(403, "Forbidden", "client " + client.name() + " does not have the role "
                + role.label() + ", which this operation needs"));
        return false;
    }

    /** {@code POST /api/v1/payouts}: one instruction. 202 stored, 200 already stored, 409, 422, 400. */
    public void submit(Exchange exchange) {
        ApiClients.Client client = client(exchange);
        if (!requireRole(exchange, client, Role.SUBMITTER, "submit-payout")) {
            return;
        }
        JsonNode body = readBody(exchange);
        if (body == null) {
            audit(exchange, client.name(), "submit-payout", null, "INVALID", 400, "body is not JSON");
            return;
        }
        Reply r = submitOne(body, client);
        audit.record(List.of(event(exchange, client, "submit-payout", r)));
        reply(exchange, r.status(), r.body());
        if (r.status() == 202) {
            exchange.getMessage().setHeader("Location", "/api/v1/payouts/" + r.body().path("reference").asText());
        }
    }

    /** {@code POST /api/v1/payouts/batch}: an array of instructions, one result per item, in order. */
    public void batch(Exchange exchange) {
        ApiClients.Client client = client(exchange);
        if (!requireRole(exchange, client, Role.SUBMITTER, "submit-payout-batch")) {
            return;
        }
        JsonNode body = readBody(exchange);
        if (body == null) {
            audit(exchange, client.name(), "submit-payout-batch", null, "INVALID", 400, "body is not JSON");
            return;
        }
        JsonNode items = body.isObject() ? body.get("payouts") : body;
        if (items == null || !items.isArray()) {
            audit(exchange, client.name(), "submit-payout-batch", null, "INVALID", 400, "body is not an array");
            ApiProblem.reply(exchange, ApiProblem.of(400, "Bad request", "the body must be a JSON array of payout instructions"));
            return;
        }
        if (items.size() > batchMax) {
            audit(exchange, client.name(), "submit-payout-batch", null, "INVALID", 413, items.size() + " items");
            ApiProblem.reply(exchange, ApiProblem.of(413, "Batch too large",
                    "a batch carries at most " + batchMax + " instructions; this one has " + items.size()));
            return;
        }
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode results = out.putArray("results");
        List<AuditTrail.Event> events = new ArrayList<>();
        int index = 0;
        for (JsonNode item : items) {
            Reply r = submitOne(item, client);
            events.add(event(exchange, client, "submit-payout-batch", r));
            ObjectNode result = results.addObject();
            result.put("index", index++);
            result.put("status", r.status());
            result.set(r.status() < 300 ? "payout" : "problem", r.body());
        }
        audit.record(events);
        reply(exchange, 200, out);
    }

    /** {@code GET /api/v1/payouts/{reference}}: the payout with its history. */
    public void get(Exchange exchange) {
        ApiClients.Client client = client(exchange);
        String reference = exchange.getIn().getHeader("reference", String.class);
        Optional<Payout> p = reference == null || !PayoutStore.REFERENCE.matcher(reference).matches()
                ? Optional.empty() : store.find(reference);
        if (p.isPresent() && !client.readsAll() && !client.name().equals(p.get().owner())) {
            // another client's payout is answered as if there were none: its existence is not told
            audit(exchange, client.name(), "get-payout", reference, "REFUSED", 404, "payout of another client");
            p = Optional.empty();
        }
        if (p.isEmpty()) {
            ApiProblem.reply(exchange, ApiProblem.of(404, "Not found", "no payout with reference " + reference));
            return;
        }
        reply(exchange, 200, PayoutJson.withHistory(p.get(), store.history(reference)));
    }

    /** {@code GET /api/v1/payouts?status=&country=&provider=&since=&until=&page=&size=}: newest first. */
    public void list(Exchange exchange) {
        ApiClients.Client client = client(exchange);
        PayoutStore.Filter filter;
        int page;
        int size;
        try {
            String status = query(exchange, "status");
            if (status != null && java.util.Arrays.stream(PayoutState.values()).noneMatch(x -> x.name().equalsIgnoreCase(status))) {
                throw new IllegalArgumentException("unknown status " + status);
            }
            filter = new PayoutStore.Filter(status == null ? null : PayoutState.valueOf(status.toUpperCase()),
                    query(exchange, "country"), query(exchange, "provider"), instant(query(exchange, "since")),
                    instant(query(exchange, "until")), client.readsAll() ? null : client.name());
            page = Integer.parseInt(Optional.ofNullable(query(exchange, "page")).orElse("0"));
            size = Integer.parseInt(Optional.ofNullable(query(exchange, "size")).orElse("50"));
            if (page < 0 || size < 1 || size > MAX_PAGE_SIZE) {
                throw new IllegalArgumentException("page must be >= 0 and size 1.." + MAX_PAGE_SIZE);
            }
        } catch (IllegalArgumentException | DateTimeParseException e) {
            ApiProblem.reply(exchange, ApiProblem.of(400, "Bad query", "status is one of " + List.of(PayoutState.values())
                    + ", since/until are ISO-8601 instants (2026-11-21T00:00:00Z), page >= 0, size 1.." + MAX_PAGE_SIZE
                    + ": " + e.getMessage()));
            return;
        }
        PayoutStore.Page result = store.search(filter, page, size);
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("page", page);
        out.put("size", size);
        out.put("total", result.total());
        ArrayNode items = out.putArray("items");
        result.items().forEach(p -> items.add(PayoutJson.of(p)));
        reply(exchange, 200, out);
    }

    /** What an instruction's submission answered; {@code outcome} is the audit trail's word for it. */
    private record Reply(int status, ObjectNode body, String reference, String outcome) {
        Reply(int status, ObjectNode body, String reference) {
            this(status, body, reference, switch (status) {
                case 202 -> "STORED";
                case 200 -> "EXISTING";
                case 409 -> "CONFLICT";
                default -> "INVALID";
            });
        }
    }

    private Reply submitOne(JsonNode node, ApiClients.Client client) {
        String reference = node.path("reference").isTextual() ? node.path("reference").asText() : null;
        JsonInstruction.Parsed parsed = JsonInstruction.read(node);
        if (parsed.instruction() == null) {
            return new Reply(422, ApiProblem.invalid(parsed.errors()), reference);
        }
        PayoutInstruction in = parsed.instruction();
        PayoutStore.Candidate candidate = validator.validate(in);
        if (!parsed.ok()) {
            // every reason at once: the unusable fields, then what validation says of the others
            java.util.Set<String> unusable = new java.util.HashSet<>();
            parsed.errors().forEach(e -> unusable.add(e.field()));
            List<FieldError> all = new java.util.ArrayList<>(parsed.errors());
            candidate.errors().stream().filter(e -> !unusable.contains(e.field())).forEach(all::add);
            return new Reply(422, ApiProblem.invalid(all), reference);
        }
        Optional<Payout> known = in.reference() == null || !PayoutStore.REFERENCE.matcher(in.reference()).matches()
                ? Optional.empty() : store.find(in.reference());
        if (known.isPresent() && !client.name().equals(known.get().owner())) {
            return taken(in.reference());
        }
        if (known.isPresent() && known.get().state() != PayoutState.REJECTED) {
            return existing(known.get(), in, candidate.account());
        }
        List<FieldError> errors = candidate.errors();
        if (in.callbackUrl() != null && !callbacksEnabled) {
            errors = new java.util.ArrayList<>(errors);
            errors.add(new FieldError("callback_url", "callbacks are not configured on this gateway (payout.webhook.signing-key)"));
        } else if (in.callbackUrl() != null && errors.stream().noneMatch(e -> e.field().equals("callback_url"))) {
            errors = callbackTarget(errors, in.callbackUrl());
        }
        if (!errors.isEmpty()) {
            return new Reply(422, ApiProblem.invalid(errors), reference);
        }
        Admission a = store.admit(List.of(candidate), INTAKE, client.name(), client.name()).get(0);
        if (a.outcome() == Admission.Outcome.DUPLICATE) {
            // stored a moment ago by another request: by another client, the store tells nothing of it
            return a.existing() == null ? taken(in.reference()) : existing(a.existing(), in, candidate.account());
        }
        return new Reply(202, PayoutJson.of(store.find(in.reference()).orElseThrow()), in.reference());
    }

    /**
     * 409 for a reference another client (or another intake's owner) already used: it says only
     * that the reference is taken, nothing of that payout, not even whether its content is the same.
     */
    private static Reply taken(String reference) {
        return new Reply(409, ApiProblem.of(409, "Reference taken", "reference " + reference
                + " is already used; choose another reference"), reference, "TAKEN");
    }

    /** Sets the check of callback_url targets (reason when refused); until set, every callback_url is refused. */
    public void checkCallbackTargets(java.util.function.Function<String, Optional<String>> refusal) {
        this.callbackRefusal = refusal;
    }

    private List<FieldError> callbackTarget(List<FieldError> errors, String url) {
        Optional<String> refused = callbackRefusal.apply(url);
        if (refused.isEmpty()) {
            return errors;
        }
        List<FieldError> all = new java.util.ArrayList<>(errors);
        all.add(new FieldError("callback_url", refused.get()));
        return all;
    }

    private static Reply existing(Payout known, PayoutInstruction received, String account) {
        List<String> diff = known.instruction().differences(received);
        if (account != null && !account.equals(known.account())) {
            diff = new java.util.ArrayList<>(diff);
            diff.add("provider: stored " + known.account() + ", received " + account);
        }
        if (diff.isEmpty()) {
            return new Reply(200, PayoutJson.of(known), known.reference());
        }
        ObjectNode problem = ApiProblem.of(409, "Reference already used",
                "reference " + known.reference() + " is already a payout with other content: " + String.join("; ", diff));
        ArrayNode d = problem.putArray("differences");
        diff.forEach(d::add);
        return new Reply(409, problem, known.reference());
    }

    // ------------------------------------------------------------------------------------ audit

    /** {@code GET /api/v1/audit?client=&action=&since=&page=&size=}: the audit trail, newest first (operator, viewer). */
    public void auditTrail(Exchange exchange) {
        ApiClients.Client client = client(exchange);
        if (!client.readsAudit()) {
            audit(exchange, client.name(), "read-audit", null, "REFUSED", 403, "lacks the role operator or viewer");
            ApiProblem.reply(exchange, ApiProblem.of(403, "Forbidden", "client " + client.name()
                    + " may not read the audit trail (roles operator, viewer)"));
            return;
        }
        AuditTrail.Page result;
        int page;
        int size;
        try {
            page = Integer.parseInt(Optional.ofNullable(query(exchange, "page")).orElse("0"));
            size = Integer.parseInt(Optional.ofNullable(query(exchange, "size")).orElse("50"));
            if (page < 0 || size < 1 || size > MAX_PAGE_SIZE) {
                throw new IllegalArgumentException("page must be >= 0 and size 1.." + MAX_PAGE_SIZE);
            }
            result = audit.page(query(exchange, "client"), query(exchange, "action"), instant(query(exchange, "since")),
                    page, size);
        } catch (IllegalArgumentException | DateTimeParseException e) {
            ApiProblem.reply(exchange, ApiProblem.of(400, "Bad query", "since is an ISO-8601 instant (2026-11-21T00:00:00Z), "
                    + "page >= 0, size 1.." + MAX_PAGE_SIZE + ": " + e.getMessage()));
            return;
        }
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("page", page);
        out.put("size", size);
        out.put("total", result.total());
        ArrayNode items = out.putArray("items");
        for (AuditTrail.Entry e : result.items()) {
            ObjectNode o = items.addObject();
            o.put("id", e.id());
            o.put("at", e.at().toString());
            o.put("client", e.client());
            o.put("action", e.action());
            o.put("reference", e.reference());
            o.put("outcome", e.outcome());
            o.put("status", e.status());
            o.put("source", e.source());
            o.put("detail", e.detail());
        }
        reply(exchange, 200, out);
    }

    private static AuditTrail.Event event(Exchange exchange, ApiClients.Client client, String action, Reply r) {
        return new AuditTrail.Event(client.name(), action, r.reference(), r.outcome(), r.status(),
                exchange.getProperty(SOURCE, String.class), r.status() >= 400 ? r.body().path("title").asText(null) : null);
    }

    void audit(Exchange exchange, String client, String action, String reference, String outcome, int status,
                       String detail) {
        audit.record(List.of(new AuditTrail.Event(client, action, reference, outcome, status,
                exchange.getProperty(SOURCE, String.class), detail)));
    }

    static ApiClients.Client client(Exchange exchange) {
        return exchange.getProperty(CLIENT, ApiClients.Client.class);
    }

    /** The caller's address as the HTTP server saw the connection (not a header the caller can set). */
    static String source(Exchange exchange) {
        Object remote = exchange.getIn().getHeader(REMOTE_ADDRESS_HEADER);
        if (remote instanceof io.vertx.core.net.SocketAddress a) {
            return a.hostAddress();
        }
        return "unknown";
    }

    /** The body as JSON; null after answering 400 when it is not. */
    static JsonNode readBody(Exchange exchange) {
        String text = exchange.getIn().getBody(String.class);
        if (text == null || text.isBlank()) {
            ApiProblem.reply(exchange, ApiProblem.of(400, "Bad request", "the request body is empty; JSON is expected"));
            return null;
        }
        try {
            return BODY_READER.readTree(text);
        } catch (JsonProcessingException e) {
            // past a nesting or size limit Jackson stops without a location
            String where = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            ApiProblem.reply(exchange, ApiProblem.of(400, "Malformed JSON", "the request body is not valid JSON: "
                    + e.getOriginalMessage() + where));
            return null;
        }
    }

    static void reply(Exchange exchange, int status, ObjectNode body) {
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, status >= 400 ? ApiProblem.MEDIA_TYPE : "application/json");
        exchange.getMessage().setBody(body.toString());
    }

    private static String query(Exchange exchange, String name) {
        String v = exchange.getIn().getHeader(name, String.class);
        return v == null || v.isBlank() ? null : v.strip();
    }

    private static Instant instant(String text) {
        return text == null ? null : Instant.parse(text);
    }
}
