package org.payoutgateway.provider;

import java.math.BigDecimal;
import java.util.List;
import java.util.regex.Pattern;
import org.payoutgateway.payout.FieldError;

/** Small field rules the connectors share; each adds a {@link FieldError} naming the field and the reason. */
public final class Validation {

    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    /** Bank codes are configuration data published per provider; only their shape is checked. */
    private static final Pattern BANK_CODE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private Validation() {
    }

    public static boolean required(String field, String value, List<FieldError> errors) {
        if (value == null) {
            errors.add(new FieldError(field, "is required"));
            return false;
        }
        return true;
    }

    public static void maxLength(String field, String value, int max, List<FieldError> errors) {
        if (value != null && value.length() > max) {
            errors.add(new FieldError(field, "must be at most " + max + " characters"));
        }
    }

    public static void matches(String field, String value, Pattern pattern, String reason, List<FieldError> errors) {
        if (value != null && !pattern.matcher(value).matches()) {
            errors.add(new FieldError(field, reason));
        }
    }

    public static void email(String value, List<FieldError> errors) {
        matches("email", value, EMAIL, "must be an e-mail address", errors);
        maxLength("email", value, 255, errors);
    }

    public static void bankCode(String value, List<FieldError> errors) {
        matches("bank_code", value, BANK_CODE, "must be a bank code of letters, digits, '_', '-' or '.'", errors);
    }

    /** For providers that take no decimals (Paypro: "does not support decimals", "only integers"). */
    public static void wholeAmount(BigDecimal amount, String currency, BigDecimal minimum, List<FieldError> errors) {
        if (amount.stripTrailingZeros().scale() > 0) {
            errors.add(new FieldError("amount", "must be a whole number of " + currency + ": this provider takes no decimals"));
        } else if (minimum != null && amount.compareTo(minimum) < 0) {
            errors.add(new FieldError("amount", "must be at least " + minimum.toPlainString() + " " + currency));
        }
    }
}
