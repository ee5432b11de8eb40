package org.payoutgateway.provider.paypro;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.payoutgateway.payout.FieldError;
import org.payoutgateway.payout.Payout;
import org.payoutgateway.payout.PayoutInstruction;
import org.payoutgateway.provider.AccountSettings;
import org.payoutgateway.provider.Validation;

/**
 * Paypro Indonesia, Payout API ({@code seeds/000}): {@code POST /v1/paypro/payOut}; amount a JSON
 * number, whole IDR; timestamp a JSON number in milliseconds; mobile {@code 08…}/{@code 628…},
 * 10–13 digits. Query: {@code POST /v1/paypro/queryPayOutResult} with {@code tradeNo},
 * {@code timestamp} (a string in the query document) and {@code sign}.
 */
public class PayproIndonesia extends PayproConnector {

    private static final Pattern MOBILE = Pattern.compile("(08|628)[0-9]+");

    public PayproIndonesia(AccountSettings settings) {
        super(settings, "/v1/paypro/payOut", "/v1/paypro/queryPayOutResult");
    }

    @Override
    public String country() {
        return "ID";
    }

    @Override
    public String currency() {
        return "IDR";
    }

    @Override
    public void validate(PayoutInstruction in, BigDecimal amount, List<FieldError> errors) {
        Validation.wholeAmount(amount, currency(), BigDecimal.ONE, errors);
        Validation.required("beneficiary_name", in.beneficiaryName(), errors);
        Validation.maxLength("beneficiary_name", in.beneficiaryName(), 128, errors);
        Validation.required("account_number", in.accountNumber(), errors);
        Validation.maxLength("account_number", in.accountNumber(), 64, errors);
        if (Validation.required("bank_code", in.bankCode(), errors)) {
            Validation.bankCode(in.bankCode(), errors);
        }
        if (Validation.required("mobile", in.mobile(), errors)) {
            boolean shape = MOBILE.matcher(in.mobile()).matches();
            int len = in.mobile().length();
            if (!shape || len < 10 || len > 13) {
                errors.add(new FieldError("mobile", "must be an Indonesian mobile number starting with 08 or 628, 10-13 digits"));
            }
        }
        if (Validation.required("email", in.email(), errors)) {
            Validation.email(in.email(), errors);
        }
        if (notifyUrl == null) {
            errors.add(new FieldError("notify_url", "Paypro Indonesia requires notifyUrl: set payout.callback.base-url"));
        }
    }

    @Override
    protected Map<String, Object> createFields(Payout p, Instant now) {
        PayoutInstruction in = p.instruction();
        Map<String, Object> f = new TreeMap<>();
        f.put("amount", wholeAmount(p));
        f.put("bankAccountNo", in.accountNumber());
        f.put("bankCode", in.bankCode());
        f.put("customerName", in.beneficiaryName());
        f.put("email", in.email());
        f.put("mobile", in.mobile());
        putIfPresent(f, "notifyUrl", notifyUrl);
        putIfPresent(f, "remark", in.remark());
        f.put("timestamp", integerField(timestamp(now)));
        f.put("tradeNo", p.reference());
        return f;
    }
}
