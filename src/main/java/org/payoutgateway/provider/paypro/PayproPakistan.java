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
 * Paypro Pakistan, Payout API ({@code seeds/002}): {@code POST /v1/payproPK/payout}; amount and
 * timestamp (milliseconds) are JSON strings; amount whole PKR, at least 1; {@code customerCert} the
 * CNIC, 13 digits (accepted as {@code XXXXX-XXXXXXX-X} too; sent as digits like the example, or
 * dashed with {@code cnic-format=dashed}); mobile 10 digits starting with 3; accountType BANK or
 * WALLET; bankName a bank code such as {@code ALLIED_BANK_LIMITED}; remark required. Query:
 * {@code POST /v1/payproPK/queryPayOutResult}.
 */
public class PayproPakistan extends PayproConnector {

    private static final Pattern CNIC = Pattern.compile("[0-9]{13}|[0-9]{5}-[0-9]{7}-[0-9]");
    static final CountryDefaults PAKISTAN = new CountryDefaults("PK", "PKR", "/v1/payproPK/payout",
            "/v1/payproPK/queryPayOutResult", "3[0-9]{9}", "must be a Pakistani mobile number of 10 digits starting with 3");
    private final boolean dashedCnic;

    public PayproPakistan(AccountSettings settings) {
        super(settings, PAKISTAN);
        this.dashedCnic = "dashed".equals(settings.get("cnic-format", "digits"));
    }

    @Override
    public void validate(PayoutInstruction in, BigDecimal amount, List<FieldError> errors) {
        validateAmount(amount, errors);
        Validation.required("beneficiary_name", in.beneficiaryName(), errors);
        Validation.maxLength("beneficiary_name", in.beneficiaryName(), 128, errors);
        if (Validation.required("id_number", in.idNumber(), errors)) {
            Validation.matches("id_number", in.idNumber(), CNIC,
                    "must be a CNIC of 13 digits (XXXXX-XXXXXXX-X or 13 digits)", errors);
        }
        if (Validation.required("email", in.email(), errors)) {
            Validation.email(in.email(), errors);
        }
        validateMobile(in.mobile(), errors);
        if (Validation.required("account_type", in.accountType(), errors)
                && !in.accountType().equals("BANK") && !in.accountType().equals("WALLET")) {
            errors.add(new FieldError("account_type", "must be BANK or WALLET"));
        }
        if (Validation.required("bank_code", in.bankCode(), errors)) {
            Validation.bankCode(in.bankCode(), errors);
        }
        Validation.required("account_number", in.accountNumber(), errors);
        Validation.maxLength("account_number", in.accountNumber(), 64, errors);
        Validation.required("remark", in.remark(), errors);
        if (notifyUrl == null) {
            errors.add(new FieldError("notify_url", "Paypro Pakistan's mapping requires notifyUrl: set payout.callback.base-url"));
        }
    }

    @Override
    protected Map<String, Object> createFields(Payout p, Instant now) {
        PayoutInstruction in = p.instruction();
        String digits = in.idNumber().replace("-", "");
        Map<String, Object> f = new TreeMap<>();
        f.put("accountType", in.accountType());
        f.put("amount", String.valueOf(wholeAmount(p)));
        f.put("bankName", in.bankCode());
        f.put("bankNumber", in.accountNumber());
        f.put("customerCert", dashedCnic
                ? digits.substring(0, 5) + "-" + digits.substring(5, 12) + "-" + digits.substring(12) : digits);
        f.put("email", in.email());
        f.put("mobile", in.mobile());
        f.put("name", in.beneficiaryName());
        putIfPresent(f, "notifyUrl", notifyUrl);
        f.put("remark", in.remark());
        f.put("timestamp", String.valueOf(timestamp(now)));
        f.put("tradeNo", p.reference());
        return f;
    }
}
