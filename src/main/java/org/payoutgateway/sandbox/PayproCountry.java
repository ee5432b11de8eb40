package org.payoutgateway.sandbox;

import java.time.ZoneId;
import java.util.List;

/**
 * What differs between the simulated Paypro countries; everything else is {@link PayproSimulator}.
 * Paths, fields and reply shapes are those of the seed documents named on each constant
 * ({@code /work/shared/seeds}) and of {@code PROVIDERS.md} §1.
 */
enum PayproCountry {

    /**
     * Indonesia, {@code seeds/000}: amount a JSON number; notifyUrl required; create data echoes
     * tradeNo with a 16-character platFormTradeNo, desc CREATED; query data has orderAmount and
     * payAmount (PROVIDERS.md).
     */
    INDONESIA("paypro-id", "/v1/paypro/payOut", "/v1/paypro/queryPayOutResult",
            List.of("amount", "bankAccountNo", "bankCode", "customerName", "email", "mobile", "notifyUrl",
                    "timestamp", "tradeNo"),
            List.of("tradeNo", "timestamp"), "bankAccountNo", false, "CREATED",
            List.of("orderAmount", "payAmount"), ZoneId.of("Asia/Jakarta")),

    /**
     * Kenya, {@code seeds/001} and {@code seeds/003}: amount a JSON string; notifyUrl and remark
     * optional; the beneficiary is the mobile; create data carries a 32-hex serialNumber (no
     * tradeNo/platFormTradeNo), desc CREDIT_INPROGRESS; the query body is only {tradeNo, sign} and
     * its data has amount and a successTime in Kenya time.
     */
    KENYA("paypro-ke", "/api/payout", "/api/queryPayOutResult",
            List.of("amount", "mobile", "timestamp", "tradeNo"),
            List.of("tradeNo"), "mobile", true, "CREDIT_INPROGRESS",
            List.of("amount"), ZoneId.of("Africa/Nairobi")),

    /**
     * Pakistan, {@code seeds/002}: amount a JSON string; every field required, remark included;
     * the beneficiary account is bankNumber; create data has a 16-character platFormTradeNo, desc
     * CREATED. Its query document is not in hand: the query is answered like Kenya's (amount).
     */
    PAKISTAN("paypro-pk", "/v1/payproPK/payout", "/v1/payproPK/queryPayOutResult",
            List.of("accountType", "amount", "bankName", "bankNumber", "customerCert", "email", "mobile", "name",
                    "notifyUrl", "remark", "timestamp", "tradeNo"),
            List.of("tradeNo", "timestamp"), "bankNumber", false, "CREATED",
            List.of("amount"), ZoneId.of("Asia/Karachi"));

    /** The gateway mapping name, {@code payout.provider.<account>.mapping}. */
    final String mapping;
    final String createPath;
    final String queryPath;
    /** Fields the create request must carry (besides sign). */
    final List<String> createRequired;
    /** Fields the query request must carry (besides sign). */
    final List<String> queryRequired;
    /** The field whose value ending with "99" makes the order fail. */
    final String beneficiaryField;
    /** Whether the create reply's data names the provider id {@code serialNumber} (32 hex) rather than platFormTradeNo. */
    final boolean serialNumber;
    /** The create reply's {@code data.desc}. */
    final String createdDesc;
    /** The query reply's amount field(s), each echoing the create request's amount with its JSON type. */
    final List<String> queryAmountFields;
    /** The zone of {@code successTime}, {@code yyyy-MM-dd HH:mm:ss}. */
    final ZoneId zone;

    PayproCountry(String mapping, String createPath, String queryPath, List<String> createRequired,
                  List<String> queryRequired, String beneficiaryField, boolean serialNumber, String createdDesc,
                  List<String> queryAmountFields, ZoneId zone) {
        this.mapping = mapping;
        this.createPath = createPath;
        this.queryPath = queryPath;
        this.createRequired = createRequired;
        this.queryRequired = queryRequired;
        this.beneficiaryField = beneficiaryField;
        this.serialNumber = serialNumber;
        this.createdDesc = createdDesc;
        this.queryAmountFields = queryAmountFields;
        this.zone = zone;
    }

    /** The country simulated for a gateway mapping name; null when it is not a Paypro mapping. */
    static PayproCountry forMapping(String mapping) {
        for (PayproCountry c : values()) {
            if (c.mapping.equals(mapping)) {
                return c;
            }
        }
        return null;
    }
}
