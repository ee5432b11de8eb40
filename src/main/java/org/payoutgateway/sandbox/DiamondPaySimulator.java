package org.payoutgateway.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.camel.Message;
import org.payoutgateway.provider.AccountSettings;
import org.payoutgateway.provider.Json;
import org.payoutgateway.provider.diamondpay.DiamondPaySignature;
import org.payoutgateway.provider.diamondpay.DiamondPaySignature.SignType;

/**
 * One simulated DiamondPay platform account (Create Withdraw Order, {@code seeds/004};
 * PROVIDERS.md §2). Create: {@code POST /gateway/api/v2/payouts}, signed with the account's
 * {@code key} by {@link DiamondPaySignature} (MD5, or HMAC-SHA256 when the account's
 * {@code sign-type} says so or the request carries {@code sign_type=HMAC-SHA256}), its
 * {@code platform_id} the account's. Query: {@code GET /gateway/api/v2/payouts/{payout_cl_id}}
 * ({@code data} an object) or {@code GET /gateway/api/v2/payouts?payout_cl_id=…} ({@code data} an
 * array), header {@code Authorization} the account's {@code authorization} token.
 *
 * <p>A payout object: {@code payout_id, payout_cl_id, platform_id, amount} (cents, integer),
 * {@code real_amount} (amount − fee), {@code fee} (always 0 here), {@code status} (integer: 2
 * processing until settled, then 3 success or 4 cancelled), {@code error_msg} (empty unless
 * cancelled), {@code create_time}, {@code update_time} (unix seconds; the documents do not show
 * their format). Error codes: see {@link ProviderSandbox}.
 */
final class DiamondPaySimulator extends Simulator {

    static final String PATH = "/gateway/api/v2/payouts";

    static final String OK = "0000";
    static final String PARAMETER_ERROR = "0002";
    static final String SIGNATURE_FAILED = "0004";
    static final String INVALID_AUTHORIZATION = "0006";
    static final String DUPLICATE = "0009";
    static final String NOT_FOUND = "0050";

    static final int PROCESSING = 2;
    static final int SUCCESS = 3;
    static final int CANCELLED = 4;

    /** Seed {@code 004}'s request parameters, all required but notify_url (and sign, checked first). */
    private static final List<String> REQUIRED = List.of("platform_id", "service_id", "payout_cl_id", "amount",
            "currency", "bank_name", "name", "number", "request_time");
    private static final String DIGITS = "0123456789";

    private final String platformId;
    private final String key;
    private final String authorization;
    private final SignType signType;

    DiamondPaySimulator(AccountSettings settings, Duration settleAfter, SandboxNotifier notifier) {
        super(settings.account(), settleAfter, notifier);
        this.platformId = settings.required("platform-id");
        this.key = settings.required("key");
        this.authorization = settings.required("authorization");
        this.signType = SignType.parse(settings.get("sign-type", "MD5"));
    }

    @Override
    String mapping() {
        return "diamondpay-id";
    }

    @Override
    List<Endpoint> endpoints() {
        return List.of(
                new Endpoint("create", "POST", PATH, this::create),
                new Endpoint("query", "GET", PATH + "/{payout_cl_id}", in -> query(in, payout -> payout)),
                new Endpoint("list", "GET", PATH, in -> query(in, payout -> MAPPER.createArrayNode().add(payout))));
    }

    /** The create (withdraw order) call. */
    private JsonNode create(Message in) {
        ObjectNode body = readBody(in);
        if (body == null) {
            return error(PARAMETER_ERROR, "request body must be a JSON object");
        }
        String reference = text(body, "payout_cl_id");
        countCreate(reference);
        if (!platformId.equals(text(body, "platform_id"))
                || !DiamondPaySignature.verify(signFields(body), key, signType)) {
            return error(SIGNATURE_FAILED, "Signature verification failed!");
        }
        List<String> missing = missing(body, REQUIRED);
        if (!missing.isEmpty()) {
            return error(PARAMETER_ERROR, "missing parameter: " + String.join(", ", missing));
        }
        if (!text(body, "amount").matches("[1-9][0-9]{0,9}")) {
            return error(PARAMETER_ERROR, "amount must be a positive whole number of cents, at most 10 digits");
        }
        SandboxOrder order = newOrder(reference, "POT" + randomToken(DIGITS, 10), body, text(body, "number"));
        if (!store(order)) {
            return error(DUPLICATE, "duplicate payout_cl_id");
        }
        String notifyUrl = text(body, "notify_url");
        if (notifyUrl != null) {
            notifyOnSettlement(order, notifyUrl, () -> notifyBody(order));
        }
        ObjectNode reply = MAPPER.createObjectNode().put("error_code", OK);
        reply.putObject("data").put("payout_id", order.providerId());
        return reply;
    }

    /**
     * A status query, single or list form: the reference is the path parameter or the query
     * parameter {@code payout_cl_id}, both Camel header {@code payout_cl_id}.
     */
    private JsonNode query(Message in, Function<JsonNode, JsonNode> shape) {
        if (!authorization.equals(in.getHeader("Authorization", String.class))) {
            return error(INVALID_AUTHORIZATION, "invalid Authorization");
        }
        String reference = in.getHeader("payout_cl_id", String.class);
        if (reference == null || reference.isBlank()) {
            return error(PARAMETER_ERROR, "missing parameter: payout_cl_id");
        }
        return order(reference)
                .<JsonNode>map(order -> {
                    ObjectNode reply = MAPPER.createObjectNode().put("error_code", OK);
                    reply.set("data", shape.apply(MAPPER.valueToTree(payout(order, order.stateAt(Instant.now())))));
                    return reply;
                })
                .orElseGet(() -> error(NOT_FOUND, "order not found"));
    }

    /** The payout object in {@code state}. */
    private Map<String, Object> payout(SandboxOrder order, SandboxOrder.State state) {
        long amount = Long.parseLong(text(order.request(), "amount"));
        long fee = 0;
        Instant updated = state == SandboxOrder.State.PROCESSING ? order.createdAt() : order.settlesAt();
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("payout_id", order.providerId());
        p.put("payout_cl_id", order.reference());
        p.put("platform_id", platformId);
        p.put("amount", amount);
        p.put("real_amount", amount - fee);
        p.put("fee", fee);
        p.put("status", switch (state) {
            case PROCESSING -> PROCESSING;
            case SUCCESS -> SUCCESS;
            case FAILED -> CANCELLED;
        });
        p.put("error_msg", state == SandboxOrder.State.FAILED ? "beneficiary account rejected (sandbox)" : "");
        p.put("create_time", order.createdAt().getEpochSecond());
        p.put("update_time", updated.getEpochSecond());
        return p;
    }

    /**
     * The notify of a settled order (PROVIDERS.md §2 "Notify"): the payout object, plus
     * {@code sign_type} when HMAC-SHA256, and {@code sign} over all of it. The sign type is the one
     * the create request used (its {@code sign_type}, else the account's).
     */
    private String notifyBody(SandboxOrder order) {
        String named = text(order.request(), "sign_type");
        SignType type = named != null ? SignType.parse(named) : signType;
        Map<String, Object> fields = payout(order, order.finalState());
        if (type == SignType.HMAC_SHA256) {
            fields.put("sign_type", type.wireName);
        }
        fields.put("sign", DiamondPaySignature.sign(fields, key, type));
        return Json.write(fields);
    }

    private static ObjectNode error(String code, String msg) {
        return MAPPER.createObjectNode().put("error_code", code).put("error_msg", msg);
    }
}
