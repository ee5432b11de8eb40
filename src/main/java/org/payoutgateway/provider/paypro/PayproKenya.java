package org.payoutgateway.provider.paypro;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.payoutgateway.payout.FieldError;
import org.payoutgateway.payout.Payout;
import org.payoutgateway.payout.PayoutInstruction;
import org.payoutgateway.provider.AccountSettings;

/**
 * Paypro Kenya, Payout API ({@code seeds/001}): {@code POST /api/payout}; amount a JSON string,
 * whole KES; mobile 12 digits {@code 2541…}/{@code 2547…}; notifyUrl and remark optional; timestamp
 * in milliseconds, typed integer in the table but a string in the example ({@code integer-fields}).
 * Query ({@code seeds/003}): {@code POST /api/queryPayOutResult} with only {@code tradeNo} and
 * {@code sign}. The document recommends amounts above KES 50: {@code min-amount}, default 1.
 */
public class PayproKenya extends PayproConnector {

    static final CountryDefaults KENYA = new CountryDefaults("KE", "KES", "/api/payout", "/api/queryPayOutResult",
            "254[17][0-9]{8}", "must be a Kenyan mobile number of 12 digits starting with 2541 or 2547");

    public PayproKenya(AccountSettings settings) {
        super(settings, KENYA);
    }

    @Override
    public void validate(PayoutInstruction in, BigDecimal amount, List<FieldError> errors) {
        validateAmount(amount, errors);
        validateMobile(in.mobile(), errors);
    }

    @Override
    protected Map<String, Object> createFields(Payout p, Instant now) {
        PayoutInstruction in = p.instruction();
        Map<String, Object> f = new TreeMap<>();
        f.put("amount", String.valueOf(wholeAmount(p)));
        f.put("mobile", in.mobile());
        putIfPresent(f, "notifyUrl", notifyUrl);
        putIfPresent(f, "remark", in.remark());
        f.put("timestamp", integerField(timestamp(now)));
        f.put("tradeNo", p.reference());
        return f;
    }

    @Override
    protected Map<String, Object> queryFields(Payout p, Instant now) {
        Map<String, Object> f = new TreeMap<>();
        f.put("tradeNo", p.reference());
        return f;
    }
}
