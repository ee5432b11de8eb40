package org.payoutgateway.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Message;
import org.payoutgateway.provider.AccountSettings;
import org.payoutgateway.provider.Json;
import org.payoutgateway.provider.paypro.PayproSignature;

/**
 * One simulated Paypro account of a {@link PayproCountry}. Requests are checked as the gateway's
 * {@code PayproConnector} sends them: header {@code merchantNo}, MD5 {@code sign} of
 * {@link PayproSignature} with the account's {@code secret} and {@code sign-salt}.
 *
 * <p>Replies (HTTP 200, JSON) have the documents' envelope
 * {@code {"msg","code","timestamp" (ms),"success","data"}}. Outer codes: see {@link ProviderSandbox}.
 * {@code data.status}: {@value #PROCESSING} until the order settles, then {@value #PAID} or
 * {@value #REJECTED} with message {@code REJECTED_TRANSACTION} (Kenya query document's example).
 */
final class PayproSimulator extends Simulator {

    static final String OK = "0000";
    static final String SIGN_ERROR = "1001";
    static final String PARAMETER_ERROR = "1002";
    static final String DUPLICATE = "1003";
    static final String NOT_EXIST = "1004";

    static final String PROCESSING = "0015";
    static final String PAID = "0000";
    static final String REJECTED = "00029";

    private static final DateTimeFormatter SUCCESS_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final String LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final String HEX = "0123456789abcdef";

    private final PayproCountry country;
    private final String merchantNo;
    private final String secret;
    private final PayproSignature.SaltPosition salt;
    private final String createPath;
    private final String queryPath;

    /** Serves the account's {@code create-path} and {@code query-path} when set, as the gateway sends to them. */
    PayproSimulator(AccountSettings settings, PayproCountry country, Duration settleAfter, SandboxNotifier notifier) {
        super(settings.account(), settleAfter, notifier);
        this.country = country;
        this.merchantNo = settings.required("merchant-no");
        this.secret = settings.required("secret");
        this.salt = PayproSignature.SaltPosition.parse(settings.get("sign-salt", "append"));
        this.createPath = settings.get("create-path", country.createPath);
        this.queryPath = settings.get("query-path", country.queryPath);
    }

    @Override
    String mapping() {
        return country.mapping;
    }

    @Override
    List<Endpoint> endpoints() {
        return List.of(
                new Endpoint("create", "POST", createPath, this::create),
                new Endpoint("query", "POST", queryPath, this::query));
    }

    /** The payout create call. */
    private JsonNode create(Message in) {
        ObjectNode body = readBody(in);
        if (body == null) {
            return error(PARAMETER_ERROR, "request body must be a JSON object");
        }
        String tradeNo = text(body, "tradeNo");
        countCreate(tradeNo);
        if (!authentic(in, body)) {
            return error(SIGN_ERROR, "sign error");
        }
        List<String> missing = missing(body, country.createRequired);
        if (!missing.isEmpty()) {
            return error(PARAMETER_ERROR, "missing parameter: " + String.join(", ", missing));
        }
        String providerId = country.serialNumber ? randomToken(HEX, 32) : randomToken(LOWER_ALNUM, 16);
        SandboxOrder order = newOrder(tradeNo, providerId, body, text(body, country.beneficiaryField));
        if (!store(order)) {
            return error(DUPLICATE, "duplicate tradeNo");
        }
        String notifyUrl = text(body, "notifyUrl");
        if (notifyUrl != null) {
            notifyOnSettlement(order, notifyUrl, () -> notifyBody(order));
        }
        ObjectNode data = MAPPER.createObjectNode();
        if (country.serialNumber) {
            data.put("serialNumber", providerId);
        } else {
            data.put("tradeNo", tradeNo);
            data.put("platFormTradeNo", providerId);
        }
        data.put("status", PROCESSING);
        data.put("desc", country.createdDesc);
        if (text(body, "remark") != null) {
            data.set("remark", body.get("remark"));
        }
        return ok(data);
    }

    /** The payout query call. */
    private JsonNode query(Message in) {
        ObjectNode body = readBody(in);
        if (body == null) {
            return error(PARAMETER_ERROR, "request body must be a JSON object");
        }
        if (!authentic(in, body)) {
            return error(SIGN_ERROR, "sign error");
        }
        List<String> missing = missing(body, country.queryRequired);
        if (!missing.isEmpty()) {
            return error(PARAMETER_ERROR, "missing parameter: " + String.join(", ", missing));
        }
        return order(text(body, "tradeNo")).map(this::queryReply).orElseGet(() -> error(NOT_EXIST, "order not exist"));
    }

    private JsonNode queryReply(SandboxOrder order) {
        SandboxOrder.State state = order.stateAt(Instant.now());
        ObjectNode data = MAPPER.createObjectNode();
        data.put("tradeNo", order.reference());
        data.put("platFormTradeNo", order.providerId());
        for (String field : country.queryAmountFields) {
            data.set(field, order.request().get("amount").deepCopy());
        }
        data.put("status", status(state));
        data.put("message", message(state));
        if (state != SandboxOrder.State.PROCESSING) {
            data.put("successTime", successTime(order));
        }
        return ok(data);
    }

    /**
     * The notify of a settled order (PROVIDERS.md §1 "Notify"): status, message, platFormTradeNo,
     * tradeNo, amount (string), successTime, timestamp (ms), sign with this account's secret.
     */
    private String notifyBody(SandboxOrder order) {
        SandboxOrder.State state = order.finalState();
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("status", status(state));
        fields.put("message", message(state));
        fields.put("platFormTradeNo", order.providerId());
        fields.put("tradeNo", order.reference());
        fields.put("amount", order.request().get("amount").asText());
        fields.put("successTime", successTime(order));
        fields.put("timestamp", System.currentTimeMillis());
        fields.put("sign", PayproSignature.sign(fields, secret, salt));
        return Json.write(fields);
    }

    /** The header {@code merchantNo} is this account's and the body's {@code sign} verifies. */
    private boolean authentic(Message in, ObjectNode body) {
        return merchantNo.equals(in.getHeader("merchantNo", String.class))
                && PayproSignature.verify(signFields(body), secret, salt);
    }

    private String successTime(SandboxOrder order) {
        return SUCCESS_TIME.format(order.settlesAt().atZone(country.zone));
    }

    private static String status(SandboxOrder.State state) {
        return switch (state) {
            case PROCESSING -> PROCESSING;
            case SUCCESS -> PAID;
            case FAILED -> REJECTED;
        };
    }

    private static String message(SandboxOrder.State state) {
        return switch (state) {
            case PROCESSING -> "PROCESSING";
            case SUCCESS -> "SUCCESS";
            case FAILED -> "REJECTED_TRANSACTION";
        };
    }

    private static ObjectNode ok(ObjectNode data) {
        ObjectNode reply = envelope("success", OK, true);
        reply.set("data", data);
        return reply;
    }

    private static ObjectNode error(String code, String msg) {
        return envelope(msg, code, false);
    }

    private static ObjectNode envelope(String msg, String code, boolean success) {
        ObjectNode reply = MAPPER.createObjectNode();
        reply.put("msg", msg);
        reply.put("code", code);
        reply.put("timestamp", System.currentTimeMillis());
        reply.put("success", success);
        return reply;
    }
}
