package org.payoutgateway.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import org.apache.camel.Exchange;
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
    private static final int MAX_PAGE_SIZE = 500;

    private final PayoutStore store;
    private final PayoutValidator validator;
    private final List<byte[]> keyDigests;
    private final int batchMax;
    private final boolean callbacksEnabled;
    private java.util.function.Function<String, Optional<String>> callbackRefusal =
            url -> Optional.of("callback targets are not checked on this gateway");

    /**
     * @param apiKeys          the accepted {@code X-API-Key} values; none means every request is refused
     * @param batchMax         most instructions one batch request may carry
     * @param callbacksEnabled whether callbacks can be signed; if not, {@code callback_url} is refused
     */
    public PayoutApi(PayoutStore store, PayoutValidator validator, List<String> apiKeys, int batchMax,
                     boolean callbacksEnabled) {
        this.store = store;
        this.validator = validator;
        this.keyDigests = apiKeys.stream().map(PayoutApi::sha256).toList();
        this.batchMax = batchMax;
        this.callbacksEnabled = callbacksEnabled;
        if (apiKeys.isEmpty()) {
            LOG.warn("payout.api.keys is empty: every API request is refused with 401");
        }
    }

    /**
     * Lets the request through only with a configured {@code X-API-Key}, compared in constant time
     * (digests of equal length, every key compared); otherwise answers 401 and stops the route.
     */
    public void authenticate(Exchange exchange) {
        // the HTTP server merges query parameters into the headers: a key in the URL (where access
        // logs keep it) is refused outright, so only the real header can authenticate
        String query = exchange.getIn().getHeader(Exchange.HTTP_QUERY, String.class);
        if (query != null && query.toLowerCase(java.util.Locale.ROOT).contains(API_KEY_HEADER.toLowerCase(java.util.Locale.ROOT))) {
            ApiProblem.reply(exchange, ApiProblem.of(401, "Unauthorized",
                    "the API key is accepted only in the " + API_KEY_HEADER + " header, never in the URL"));
            exchange.setRouteStop(true);
            return;
        }
        String given = exchange.getIn().getHeader(API_KEY_HEADER, String.class);
        int match = -1;
        if (given != null) {
            byte[] digest = sha256(given);
            for (int i = 0; i < keyDigests.size(); i++) {
                if (MessageDigest.isEqual(keyDigests.get(i), digest) && match < 0) {
                    match = i;
                }
            }
        }
        if (match < 0) {
            ApiProblem.reply(exchange, ApiProblem.of(401, "Unauthorized", "a valid " + API_KEY_HEADER + " header is required"));
            exchange.getMessage().setHeader("WWW-Authenticate", "ApiKey header=\"" + API_KEY_HEADER + "\"");
            exchange.setRouteStop(true);
            return;
        }
        exchange.setProperty("apiKeyId", "key#" + (match + 1));
    }

    /** {@code POST /api/v1/payouts}: one instruction. 202 stored, 200 already stored, 409, 422, 400. */
    public void submit(Exchange exchange) {
        JsonNode body = readBody(exchange);
        if (body == null) {
            return;
        }
        Reply r = submitOne(body, exchange.getProperty("apiKeyId", String.class));
        reply(exchange, r.status(), r.body());
        if (r.status() == 202) {
            exchange.getMessage().setHeader("Location", "/api/v1/payouts/" + r.body().path("reference").asText());
        }
    }

    /** {@code POST /api/v1/payouts/batch}: an array of instructions, one result per item, in order. */
    public void batch(Exchange exchange) {
        JsonNode body = readBody(exchange);
        if (body == null) {
            return;
        }
        JsonNode items = body.isObject() ? body.get("payouts") : body;
        if (items == null || !items.isArray()) {
            ApiProblem.reply(exchange, ApiProblem.of(400, "Bad request", "the body must be a JSON array of payout instructions"));
            return;
        }
        if (items.size() > batchMax) {
            ApiProblem.reply(exchange, ApiProblem.of(413, "Batch too large",
                    "a batch carries at most " + batchMax + " instructions; this one has " + items.size()));
            return;
        }
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode results = out.putArray("results");
        String keyId = exchange.getProperty("apiKeyId", String.class);
        int index = 0;
        for (JsonNode item : items) {
            Reply r = submitOne(item, keyId);
            ObjectNode result = results.addObject();
            result.put("index", index++);
            result.put("status", r.status());
            result.set(r.status() < 300 ? "payout" : "problem", r.body());
        }
        reply(exchange, 200, out);
    }

    /** {@code GET /api/v1/payouts/{reference}}: the payout with its history. */
    public void get(Exchange exchange) {
        String reference = exchange.getIn().getHeader("reference", String.class);
        Optional<Payout> p = store.find(reference);
        if (p.isEmpty()) {
            ApiProblem.reply(exchange, ApiProblem.of(404, "Not found", "no payout with reference " + reference));
            return;
        }
        reply(exchange, 200, PayoutJson.withHistory(p.get(), store.history(reference)));
    }

    /** {@code GET /api/v1/payouts?status=&country=&provider=&since=&until=&page=&size=}: newest first. */
    public void list(Exchange exchange) {
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
                    instant(query(exchange, "until")));
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

    private record Reply(int status, ObjectNode body) {
    }

    private Reply submitOne(JsonNode node, String keyId) {
        JsonInstruction.Parsed parsed = JsonInstruction.read(node);
        if (parsed.instruction() == null) {
            return new Reply(422, ApiProblem.invalid(parsed.errors()));
        }
        PayoutInstruction in = parsed.instruction();
        PayoutStore.Candidate candidate = validator.validate(in);
        if (!parsed.ok()) {
            // every reason at once: the unusable fields, then what validation says of the others
            java.util.Set<String> unusable = new java.util.HashSet<>();
            parsed.errors().forEach(e -> unusable.add(e.field()));
            List<FieldError> all = new java.util.ArrayList<>(parsed.errors());
            candidate.errors().stream().filter(e -> !unusable.contains(e.field())).forEach(all::add);
            return new Reply(422, ApiProblem.invalid(all));
        }
        Optional<Payout> known = in.reference() == null || !PayoutStore.REFERENCE.matcher(in.reference()).matches()
                ? Optional.empty() : store.find(in.reference());
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
            return new Reply(422, ApiProblem.invalid(errors));
        }
        Admission a = store.admit(List.of(candidate), INTAKE, keyId).get(0);
        if (a.outcome() == Admission.Outcome.DUPLICATE) {
            return existing(a.existing(), in, candidate.account());
        }
        return new Reply(202, PayoutJson.of(store.find(in.reference()).orElseThrow()));
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
            return new Reply(200, PayoutJson.of(known));
        }
        ObjectNode problem = ApiProblem.of(409, "Reference already used",
                "reference " + known.reference() + " is already a payout with other content: " + String.join("; ", diff));
        ArrayNode d = problem.putArray("differences");
        diff.forEach(d::add);
        return new Reply(409, problem);
    }

    /** The body as JSON; null after answering 400 when it is not. */
    private static JsonNode readBody(Exchange exchange) {
        String text = exchange.getIn().getBody(String.class);
        if (text == null || text.isBlank()) {
            ApiProblem.reply(exchange, ApiProblem.of(400, "Bad request", "the request body is empty; JSON is expected"));
            return null;
        }
        try {
            return Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            ApiProblem.reply(exchange, ApiProblem.of(400, "Malformed JSON", "the request body is not valid JSON: "
                    + e.getOriginalMessage() + " (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")"));
            return null;
        }
    }

    private static void reply(Exchange exchange, int status, ObjectNode body) {
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

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
