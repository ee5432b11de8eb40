package org.payoutgateway.sandbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.camel.Message;

/**
 * What every simulated provider account shares: its in-memory orders (one
 * {@link ConcurrentHashMap} per account, keyed by the merchant's reference), the count of create
 * requests per reference, settlement timing and notify scheduling, and the JSON reading that keeps
 * numbers as written so that signs computed over them match the sender's.
 */
abstract class Simulator {

    /** A beneficiary account number (Kenya: mobile) ending with this settles as failed. */
    static final String FAILING_SUFFIX = "99";

    /**
     * Reads request bodies keeping every number's text as written ({@code 100000} stays
     * "100000", {@code 3.0000} stays "3.0000"): the sign is computed over that text.
     */
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * One HTTP endpoint of a simulated account.
     *
     * @param name    the route id suffix: {@code sandbox-<account>-<name>}
     * @param method  the only HTTP method it answers
     * @param path    the provider's path, appended to {@code /sandbox/<account>}
     * @param handler the request message to the JSON reply (always sent with HTTP 200)
     */
    record Endpoint(String name, String method, String path, Function<Message, JsonNode> handler) {
    }

    private final String account;
    private final Duration settleAfter;
    private final SandboxNotifier notifier;
    private final Map<String, SandboxOrder> orders = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> createCounts = new ConcurrentHashMap<>();

    Simulator(String account, Duration settleAfter, SandboxNotifier notifier) {
        this.account = account;
        this.settleAfter = settleAfter;
        this.notifier = notifier;
    }

    /** The endpoints this account serves. */
    abstract List<Endpoint> endpoints();

    /** The provider mapping simulated, e.g. {@code paypro-id}. */
    abstract String mapping();

    String account() {
        return account;
    }

    /** How many create requests named this reference, accepted or not. */
    int createCount(String reference) {
        AtomicInteger n = createCounts.get(reference);
        return n == null ? 0 : n.get();
    }

    /** Counts a create request for its reference; a request without one is not counted. */
    protected void countCreate(String reference) {
        if (reference != null) {
            createCounts.computeIfAbsent(reference, r -> new AtomicInteger()).incrementAndGet();
        }
    }

    /** A new order, created now, settling {@code settle-after} from now; {@code beneficiary} decides failure. */
    protected SandboxOrder newOrder(String reference, String providerId, ObjectNode request, String beneficiary) {
        Instant now = Instant.now();
        boolean failing = beneficiary != null && beneficiary.endsWith(FAILING_SUFFIX);
        return new SandboxOrder(reference, providerId, request, now, now.plus(settleAfter), failing);
    }

    /** Stores the order unless its reference is taken; false for a duplicate (the first order stays). */
    protected boolean store(SandboxOrder order) {
        return orders.putIfAbsent(order.reference(), order) == null;
    }

    protected Optional<SandboxOrder> order(String reference) {
        return Optional.ofNullable(reference == null ? null : orders.get(reference));
    }

    /** Schedules the order's notify to {@code url} for when it settles; the body is built then. */
    protected void notifyOnSettlement(SandboxOrder order, String url, Supplier<String> body) {
        notifier.postAt(order.settlesAt(), url, body, account + " " + order.reference());
    }

    /** The body as a JSON object; null when it is empty, not JSON or not an object. */
    protected static ObjectNode readBody(Message in) {
        String body = in.getBody(String.class);
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode node = MAPPER.readTree(body);
            return node instanceof ObjectNode object ? object : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /**
     * The fields as the signature classes take them: each scalar's text as written, JSON
     * {@code null} as Java null, an object or array as its JSON text.
     */
    protected static Map<String, String> signFields(ObjectNode body) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : body.properties()) {
            JsonNode v = e.getValue();
            fields.put(e.getKey(), v.isNull() ? null : v.isContainerNode() ? v.toString() : v.asText());
        }
        return fields;
    }

    /** A scalar field's text; null when absent, null, empty or not a scalar. */
    protected static String text(ObjectNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull() || v.isContainerNode()) {
            return null;
        }
        String text = v.asText();
        return text.isEmpty() ? null : text;
    }

    /** The required fields absent from the body, in the order given. */
    protected static List<String> missing(ObjectNode body, List<String> required) {
        return required.stream().filter(f -> text(body, f) == null).toList();
    }

    /** A random token of {@code length} characters from {@code alphabet}. */
    protected static String randomToken(String alphabet, int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
