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
import org.payoutgateway.provider.Validation;

/**
 * Paypro Indonesia, Payout API ({@code seeds/000}): {@code POST /v1/paypro/payOut}; amount a JSON
 * number, whole IDR; timestamp a JSON number in milliseconds; mobile {@code 08…}/{@code 628…},
 * 10–13 digits. Query: {@code POST /v1/paypro/queryPayOutResult} with {@code tradeNo},
 * {@code timestamp} (a string in the query document) and {@code sign}.
 */
public class PayproIndonesia extends PayproConnector {

    static final CountryDefaults INDONESIA = new CountryDefaults("ID", "IDR", "/v1/paypro/payOut",
            "/v1/paypro/queryPayOutResult", "08[0-9]{8,11}|628[0-9]{7,10}",
            "must be an Indonesian mobile number starting with 08 or 628, 10-13 digits");

    public PayproIndonesia(AccountSettings settings) {
        super(settings, INDONESIA);
    }

    @Override
    public void validate(PayoutInstruction in, BigDecimal amount, List<FieldError> errors) {
        validateAmount(amount, errors);
        Validation.required("beneficiary_name", in.beneficiaryName(), errors);
        Validation.maxLength("beneficiary_name", in.beneficiaryName(), 128, errors);
        Validation.required("account_number", in.accountNumber(), errors);
        Validation.maxLength("account_number", in.accountNumber(), 64, errors);
        if (Validation.required("bank_code", in.bankCode(), errors)) {
            Validation.bankCode(in.bankCode(), errors);
        }
        validateMobile(in.mobile(), errors);
        if (Validation.required("email", in.email(), errors)) {
            Validation.email(in.email(), errors);
        }
        if (notifyUrl == null) {
            errors.add(new FieldError("notify_url", "Paypro Indonesia's mapping requires notifyUrl: set payout.callback.base-url"));
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
