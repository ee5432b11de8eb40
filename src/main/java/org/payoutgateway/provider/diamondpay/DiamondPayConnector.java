package org.payoutgateway.provider.diamondpay;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.payoutgateway.payout.FieldError;
import org.payoutgateway.payout.Payout;
import org.payoutgateway.payout.PayoutInstruction;
import org.payoutgateway.provider.AccountSettings;
import org.payoutgateway.provider.AbstractConnector;
import org.payoutgateway.provider.Json;
import org.payoutgateway.provider.ProviderReply;
import org.payoutgateway.provider.ProviderReply.Outcome;
import org.payoutgateway.provider.ProviderRequest;
import org.payoutgateway.provider.Validation;

/**
 * The DiamondPay platform, Indonesia (Create Withdraw Order, {@code seeds/004}):
 * {@code POST /gateway/api/v2/payouts} with platform_id, service_id (SVC0004), payout_cl_id (our
 * reference), amount in <b>cents</b> (IDR × 100), currency {@code idr}, notify_url, bank_name (≤ 16),
 * name (≤ 16), number (≤ 32), request_time in unix <b>seconds</b>, sign. Success is
 * {@code error_code "0000"} with {@code data.payout_id}; any other code means not placed.
 * Query: {@code GET /gateway/api/v2/payouts/{payout_cl_id}} ({@code query-form=single}, default) or
 * {@code GET /gateway/api/v2/payouts?payout_cl_id=…} ({@code list}), header {@code Authorization};
 * status 1 pending, 2 processing, 3 success, 4 cancelled, 5 failed; error_code 0050 not found.
 *
 * <p>Settings ({@code payout.provider.<account>.}): {@code base-url}, {@code platform-id},
 * {@code key}, {@code authorization}, {@code sign-type} (MD5 | HMAC-SHA256, default MD5),
 * {@code service-id} (SVC0004), {@code integer-fields} (amount and request_time as JSON numbers as
 * the table says, or strings as the example shows), {@code query-form}.
 */
public class DiamondPayConnector extends AbstractConnector {

    private static final String PATH = "/gateway/api/v2/payouts";
    private static final long MAX_CENTS = 9_999_999_999L; // Integer(10)

    private final String baseUrl;
    private final String platformId;
    private final String key;
    private final String authorization;
    private final DiamondPaySignature.SignType signType;
    private final String serviceId;
    private final boolean listQuery;
    private final Set<String> notFoundCodes;

    public DiamondPayConnector(AccountSettings settings) {
        super(settings, "ID", "IDR");
        this.baseUrl = settings.baseUrl();
        this.platformId = settings.required("platform-id");
        this.key = settings.required("key");
        this.authorization = settings.required("authorization");
        this.signType = DiamondPaySignature.SignType.parse(settings.get("sign-type", "MD5"));
        this.serviceId = settings.get("service-id", "SVC0004");
        this.listQuery = "list".equals(settings.get("query-form", "single"));
        this.notFoundCodes = settings.codes("query.not-found-codes", "0050");
    }

    @Override
    public void validate(PayoutInstruction in, BigDecimal amount, List<FieldError> errors) {
        if (amount.stripTrailingZeros().scale() > 2) {
            errors.add(new FieldError("amount", "must have at most 2 decimals: DiamondPay takes whole cents"));
        } else if (amount.movePointRight(2).compareTo(BigDecimal.valueOf(MAX_CENTS)) > 0) {
            errors.add(new FieldError("amount", "must be at most 99999999.99 " + currency()
                    + ": DiamondPay amount is Integer(10) cents"));
        }
        Validation.required("beneficiary_name", in.beneficiaryName(), errors);
        Validation.maxLength("beneficiary_name", in.beneficiaryName(), 16, errors);
        if (Validation.required("bank_code", in.bankCode(), errors)) {
            Validation.maxLength("bank_code", in.bankCode(), 16, errors);
            Validation.bankCode(in.bankCode(), errors);
        }
        Validation.required("account_number", in.accountNumber(), errors);
        Validation.maxLength("account_number", in.accountNumber(), 32, errors);
    }

    /** IDR major units to the cents DiamondPay's {@code amount} is in: 150000 → 15000000. */
    public static long cents(String amountMajorUnits) {
        return new BigDecimal(amountMajorUnits).movePointRight(2).longValueExact();
    }

    @Override
    public ProviderRequest createRequest(Payout p, Instant now) {
        PayoutInstruction in = p.instruction();
        Map<String, Object> f = new TreeMap<>();
        f.put("amount", integerField(cents(in.amount())));
        f.put("bank_name", in.bankCode());
        f.put("currency", currency().toLowerCase(Locale.ROOT));
        f.put("name", in.beneficiaryName());
        if (notifyUrl != null) {
            f.put("notify_url", notifyUrl);
        }
        f.put("number", in.accountNumber());
        f.put("payout_cl_id", p.reference());
        f.put("platform_id", platformId);
        f.put("request_time", integerField(now.getEpochSecond()));
        f.put("service_id", serviceId);
        if (signType == DiamondPaySignature.SignType.HMAC_SHA256) {
            f.put("sign_type", signType.wireName);
        }
        Map<String, Object> body = new LinkedHashMap<>(f);
        body.put("sign", DiamondPaySignature.sign(f, key, signType));
        return new ProviderRequest("POST", baseUrl + PATH, Map.of("Content-Type", "application/json"), Json.write(body));
    }

    @Override
    public ProviderReply readCreateReply(int httpStatus, String body) {
        Reply r = read(httpStatus, body, "error_code", false);
        if (r.early() != null) {
            return r.early();
        }
        JsonNode root = r.root();
        String code = r.code();
        if (!"0000".equals(code)) {
            return ProviderReply.of(Outcome.FAILED, null, code, Json.text(root, "error_msg"));
        }
        String payoutId = Json.text(root.get("data"), "payout_id");
        return ProviderReply.of(Outcome.PROCESSING, payoutId, code, "accepted");
    }

    @Override
    public ProviderRequest queryRequest(Payout p, Instant now) {
        String ref = URLEncoder.encode(p.reference(), StandardCharsets.UTF_8);
        String url = listQuery ? baseUrl + PATH + "?payout_cl_id=" + ref : baseUrl + PATH + "/" + ref;
        return new ProviderRequest("GET", url, Map.of("Authorization", authorization), null);
    }

    @Override
    public ProviderReply readQueryReply(String reference, int httpStatus, String body) {
        Reply r = read(httpStatus, body, "error_code", true);
        if (r.early() != null) {
            return r.early();
        }
        JsonNode root = r.root();
        String code = r.code();
        if (!"0000".equals(code)) {
            Outcome outcome = notFoundCodes.contains(code) ? Outcome.NOT_FOUND : Outcome.UNKNOWN;
            return ProviderReply.of(outcome, null, code, Json.text(root, "error_msg"));
        }
        JsonNode data = root.get("data");
        if (data != null && data.isArray()) {
            JsonNode ours = null;
            for (JsonNode item : data) {
                if (reference.equals(Json.text(item, "payout_cl_id"))) {
                    ours = item;
                }
            }
            if (ours == null) {
                return ProviderReply.of(Outcome.NOT_FOUND, null, code, "payout_cl_id " + reference + " not in the list reply");
            }
            data = ours;
        }
        String about = Json.text(data, "payout_cl_id");
        if (about != null && !about.equals(reference)) {
            return ProviderReply.unknown("query reply is about payout_cl_id " + about + ", not " + reference);
        }
        return readStatus(data);
    }

    /** A payout object's {@code status}: 1 pending, 2 processing, 3 success, 4 cancelled, 5 failed. */
    ProviderReply readStatus(JsonNode payout) {
        String status = Json.text(payout, "status");
        String id = Json.text(payout, "payout_id");
        String msg = Json.text(payout, "error_msg");
        if (status == null) {
            return ProviderReply.unknown("query reply without status");
        }
        Outcome outcome = switch (status) {
            case "1", "2" -> Outcome.PROCESSING;
            case "3" -> Outcome.SUCCESS;
            case "4", "5" -> Outcome.FAILED;
            default -> Outcome.UNKNOWN;
        };
        return ProviderReply.of(outcome, id, status, msg);
    }

    /** Verifies a DiamondPay-signed map (a notify body) over all its fields with this account's key. */
    @Override
    public boolean verify(Map<String, ?> fields) {
        return DiamondPaySignature.verify(fields, key, signType);
    }

    /**
     * DiamondPay notify: payout_id, payout_cl_id, platform_id, amount, real_amount, fee, status,
     * error_msg, create_time, update_time, sign_type?, sign; the sign covers every field received,
     * new ones included. The merchant answers {@code {"error_code":"0000"}}.
     */
    @Override
    protected String notifyReferenceField() {
        return "payout_cl_id";
    }

    @Override
    protected ProviderReply notifyReply(JsonNode body) {
        return readStatus(body);
    }

    @Override
    public NotifyAnswer notifyAnswer(boolean accepted) {
        return accepted ? new NotifyAnswer(200, "application/json", "{\"error_code\":\"0000\"}")
                : new NotifyAnswer(400, "application/json", "{\"error_code\":\"0004\",\"error_msg\":\"Signature verification failed!\"}");
    }
}
