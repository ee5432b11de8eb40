package org.payoutgateway.provider.paypro;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.payoutgateway.payout.FieldError;
import org.payoutgateway.payout.Payout;
import org.payoutgateway.provider.AccountSettings;
import org.payoutgateway.provider.AbstractConnector;
import org.payoutgateway.provider.Json;
import org.payoutgateway.provider.ProviderReply;
import org.payoutgateway.provider.ProviderReply.Outcome;
import org.payoutgateway.provider.ProviderRequest;
import org.payoutgateway.provider.Validation;

/**
 * What all Paypro countries share (docs.paypro.tech): {@code POST} JSON with header
 * {@code merchantNo}, the MD5 sign of {@link PayproSignature}, and the two-layer result: outer
 * {@code code} "0000" only means the request was taken; {@code data.status} is the order's state.
 * A country supplies its fields and validation, and the defaults of {@link CountryDefaults}.
 *
 * <p>Settings ({@code payout.provider.<account>.}): {@code base-url}, {@code merchant-no},
 * {@code secret}, {@code sign-salt} (append | prepend, default append),
 * {@code status.success} (default 0000), {@code status.processing} (0015),
 * {@code status.unknown} (0001 partial, 00032 unknown error: kept UNKNOWN and queried; every other
 * status is a failure), {@code create.unknown-codes} (outer codes on create meaning "unknown",
 * default 5000), {@code query.not-found-codes} (outer codes on query meaning "no such order";
 * not published by Paypro, default none), {@code min-amount} (smallest whole amount, default 1), and
 * the country's {@link CountryDefaults}: {@code country}, {@code currency}, {@code create-path},
 * {@code query-path}, {@code mobile-pattern}. A Paypro country whose create fields match an existing
 * country's is an account of that mapping with these set (docs/providers.md "Adding a Paypro country").
 */
public abstract class PayproConnector extends AbstractConnector {

    /**
     * What a Paypro country's document fixes, used where the account's settings do not say
     * otherwise: {@code country}, {@code currency}, {@code create-path}, {@code query-path} and
     * {@code mobile-pattern} (a Java regular expression), with the reason given for a mobile number
     * that does not match the default pattern.
     */
    protected record CountryDefaults(String country, String currency, String createPath, String queryPath,
            String mobilePattern, String mobileRule) {
    }

    private final String baseUrl;
    private final String merchantNo;
    private final String secret;
    private final PayproSignature.SaltPosition salt;
    private final String createPath;
    private final String queryPath;
    private final Set<String> successStatuses;
    private final Set<String> processingStatuses;
    private final Set<String> unknownStatuses;
    private final Set<String> createUnknownCodes;
    private final Set<String> queryNotFoundCodes;
    private final boolean timestampInSeconds;
    private final BigDecimal minAmount;
    private final Pattern mobilePattern;
    private final String mobileRule;

    /** @throws IllegalStateException for a missing required setting or one that cannot be read */
    protected PayproConnector(AccountSettings settings, CountryDefaults defaults) {
        super(settings, defaults.country(), defaults.currency());
        this.baseUrl = settings.baseUrl();
        this.merchantNo = settings.required("merchant-no");
        this.secret = settings.required("secret");
        this.salt = PayproSignature.SaltPosition.parse(settings.get("sign-salt", "append"));
        this.createPath = settings.get("create-path", defaults.createPath());
        this.queryPath = settings.get("query-path", defaults.queryPath());
        this.successStatuses = settings.codes("status.success", "0000");
        this.processingStatuses = settings.codes("status.processing", "0015");
        this.unknownStatuses = settings.codes("status.unknown", "0001,00032");
        this.createUnknownCodes = settings.codes("create.unknown-codes", "5000");
        this.queryNotFoundCodes = settings.codes("query.not-found-codes", "");
        String unit = settings.get("timestamp-unit", "milliseconds");
        if (!unit.equals("milliseconds") && !unit.equals("seconds")) {
            throw new IllegalStateException(settings.key("timestamp-unit") + " must be milliseconds or seconds, not " + unit);
        }
        this.timestampInSeconds = unit.equals("seconds");
        this.minAmount = settings.getDecimal("min-amount", "1");
        Optional<String> mobile = settings.find("mobile-pattern");
        try {
            this.mobilePattern = Pattern.compile(mobile.orElse(defaults.mobilePattern()));
        } catch (PatternSyntaxException e) {
            throw new IllegalStateException(settings.key("mobile-pattern") + " is not a regular expression: "
                    + e.getDescription());
        }
        this.mobileRule = mobile.map(p -> "must be a mobile number of the form " + p).orElse(defaults.mobileRule());
    }

    /** {@code amount} (major units) must be whole and at least {@code min-amount}: Paypro takes no decimals. */
    protected void validateAmount(BigDecimal amount, List<FieldError> errors) {
        Validation.wholeAmount(amount, currency(), minAmount, errors);
    }

    /** {@code mobile} is required and must match the country's {@code mobile-pattern}. */
    protected void validateMobile(String mobile, List<FieldError> errors) {
        if (Validation.required("mobile", mobile, errors)) {
            Validation.matches("mobile", mobile, mobilePattern, mobileRule, errors);
        }
    }

    /**
     * The {@code timestamp} field's value: epoch milliseconds as the documents' descriptions show
     * (1715941383720), or seconds with {@code timestamp-unit=seconds} (Pakistan's example shows a
     * 10-digit value).
     */
    protected long timestamp(Instant now) {
        return timestampInSeconds ? now.getEpochSecond() : now.toEpochMilli();
    }

    /** The create body fields, unsigned, with no null values (a null would sign as "null"). */
    protected abstract Map<String, Object> createFields(Payout payout, Instant now);

    /** The query body fields, unsigned: {@code tradeNo} and {@code timestamp} unless the country says otherwise. */
    protected Map<String, Object> queryFields(Payout payout, Instant now) {
        Map<String, Object> f = new TreeMap<>();
        f.put("tradeNo", payout.reference());
        f.put("timestamp", String.valueOf(timestamp(now)));
        return f;
    }

    @Override
    public ProviderRequest createRequest(Payout payout, Instant now) {
        return post(createPath, createFields(payout, now));
    }

    @Override
    public ProviderRequest queryRequest(Payout payout, Instant now) {
        return post(queryPath, queryFields(payout, now));
    }

    private ProviderRequest post(String path, Map<String, Object> fields) {
        Map<String, Object> body = new LinkedHashMap<>(new TreeMap<>(fields));
        body.values().removeIf(v -> v == null);
        body.put("sign", PayproSignature.sign(body, secret, salt));
        return new ProviderRequest("POST", baseUrl + path,
                Map.of("merchantNo", merchantNo, "Content-Type", "application/json"), Json.write(body));
    }

    /** Verifies a Paypro-signed map (e.g. a notify body) with this account's secret. */
    @Override
    public boolean verify(Map<String, ?> fields) {
        return PayproSignature.verify(fields, secret, salt);
    }

    @Override
    public ProviderReply readCreateReply(int httpStatus, String body) {
        Reply r = read(httpStatus, body, "code", false);
        if (r.early() != null) {
            return r.early();
        }
        JsonNode root = r.root();
        String code = r.code();
        if (!"0000".equals(code)) {
            Outcome outcome = createUnknownCodes.contains(code) ? Outcome.UNKNOWN : Outcome.FAILED;
            return ProviderReply.of(outcome, null, code, Json.text(root, "msg"));
        }
        JsonNode data = root.get("data");
        String reference = firstNonNull(Json.text(data, "platFormTradeNo"), Json.text(data, "serialNumber"));
        String status = Json.text(data, "status");
        if (status == null) {
            // the request was taken ("0000") but the order's state was not said: the query will tell
            return ProviderReply.of(Outcome.PROCESSING, reference, null, Json.text(root, "msg"));
        }
        return ProviderReply.of(classifyStatus(status), reference, status, firstNonNull(Json.text(data, "desc"), Json.text(data, "message")));
    }

    @Override
    public ProviderReply readQueryReply(String reference, int httpStatus, String body) {
        Reply r = read(httpStatus, body, "code", true);
        if (r.early() != null) {
            return r.early();
        }
        JsonNode root = r.root();
        String code = r.code();
        if (!"0000".equals(code)) {
            Outcome outcome = queryNotFoundCodes.contains(code) ? Outcome.NOT_FOUND : Outcome.UNKNOWN;
            return ProviderReply.of(outcome, null, code, Json.text(root, "msg"));
        }
        JsonNode data = root.get("data");
        String status = Json.text(data, "status");
        if (status == null) {
            return ProviderReply.unknown("query reply without data.status");
        }
        String about = Json.text(data, "tradeNo");
        if (about != null && !about.equals(reference)) {
            return ProviderReply.unknown("query reply is about tradeNo " + about + ", not " + reference);
        }
        return ProviderReply.of(classifyStatus(status), Json.text(data, "platFormTradeNo"), status,
                firstNonNull(Json.text(data, "message"), Json.text(data, "desc")));
    }

    /** data.status: 0000 success, 0015 processing, 0001/00032 unknown; anything else a failure (Error Code pages). */
    private Outcome classifyStatus(String status) {
        if (successStatuses.contains(status)) {
            return Outcome.SUCCESS;
        }
        if (processingStatuses.contains(status)) {
            return Outcome.PROCESSING;
        }
        if (unknownStatuses.contains(status)) {
            return Outcome.UNKNOWN;
        }
        return Outcome.FAILED;
    }

    /**
     * Paypro notify (Payment Notify API pages): status, message, platFormTradeNo, tradeNo, amount,
     * successTime, timestamp, sign; signed like requests. The merchant answers the text {@code OK}.
     */
    @Override
    protected String notifyReferenceField() {
        return "tradeNo";
    }

    @Override
    protected ProviderReply notifyReply(JsonNode body) {
        String status = Json.text(body, "status");
        return status == null ? ProviderReply.unknown("notify without status")
                : ProviderReply.of(classifyStatus(status), Json.text(body, "platFormTradeNo"), status, Json.text(body, "message"));
    }

    @Override
    public NotifyAnswer notifyAnswer(boolean accepted) {
        return accepted ? new NotifyAnswer(200, "text/plain", "OK") : new NotifyAnswer(400, "text/plain", "FAIL");
    }

    /** A whole amount as the provider's JSON wants it: a number, or its decimal text. */
    protected static long wholeAmount(Payout payout) {
        return new BigDecimal(payout.instruction().amount()).longValueExact();
    }

    protected static void putIfPresent(Map<String, Object> fields, String key, String value) {
        if (value != null && !value.isEmpty()) {
            fields.put(key, value);
        }
    }

    static String firstNonNull(String a, String b) {
        return a != null ? a : b;
    }
}
