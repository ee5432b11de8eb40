package org.payoutgateway.payout;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The canonical payout instruction, whatever the intake (file column names, JSON keys and ERP
 * columns are the names in {@link #FIELDS}). Values are the trimmed text as received; empty means
 * absent. {@code amount} is in major units of {@code currency} (IDR 150000 is "150000").
 */
public record PayoutInstruction(
        String reference,
        String country,
        String provider,
        String amount,
        String currency,
        String beneficiaryName,
        String accountNumber,
        String bankCode,
        String accountType,
        String mobile,
        String email,
        String idNumber,
        String remark,
        String callbackUrl) {

    public static final List<String> FIELDS = List.of(
            "reference", "country", "provider", "amount", "currency", "beneficiary_name",
            "account_number", "bank_code", "account_type", "mobile", "email", "id_number", "remark",
            "callback_url");

    /** Builds an instruction from any source of named values; blank values become null. */
    public static PayoutInstruction of(Function<String, String> value) {
        Function<String, String> v = name -> blankToNull(value.apply(name));
        return new PayoutInstruction(v.apply("reference"), v.apply("country"), v.apply("provider"),
                v.apply("amount"), v.apply("currency"), v.apply("beneficiary_name"),
                v.apply("account_number"), v.apply("bank_code"), v.apply("account_type"),
                v.apply("mobile"), v.apply("email"), v.apply("id_number"), v.apply("remark"),
                v.apply("callback_url"));
    }

    public static PayoutInstruction of(Map<String, String> values) {
        return of(values::get);
    }

    /** The canonical field by its canonical name. */
    public String field(String name) {
        return switch (name) {
            case "reference" -> reference;
            case "country" -> country;
            case "provider" -> provider;
            case "amount" -> amount;
            case "currency" -> currency;
            case "beneficiary_name" -> beneficiaryName;
            case "account_number" -> accountNumber;
            case "bank_code" -> bankCode;
            case "account_type" -> accountType;
            case "mobile" -> mobile;
            case "email" -> email;
            case "id_number" -> idNumber;
            case "remark" -> remark;
            case "callback_url" -> callbackUrl;
            default -> throw new IllegalArgumentException("not a payout field: " + name);
        };
    }

    public Map<String, String> toMap() {
        Map<String, String> map = new LinkedHashMap<>();
        for (String f : FIELDS) {
            map.put(f, field(f));
        }
        return map;
    }

    /** A plain decimal amount in major units: up to 15 digits, and up to 4 after the point. */
    private static final Pattern PLAIN_DECIMAL = Pattern.compile("[0-9]{1,15}(\\.[0-9]{1,4})?");

    /** The amount in major units, or null when absent or not a plain decimal. */
    public BigDecimal amountValue() {
        if (amount == null || !PLAIN_DECIMAL.matcher(amount).matches()) {
            return null;
        }
        return new BigDecimal(amount);
    }

    /** The fields that make a payout what it is: all but {@code provider} (routing) and {@code callback_url} (delivery). */
    public static final List<String> CONTENT_FIELDS = FIELDS.stream()
            .filter(f -> !f.equals("provider") && !f.equals("callback_url")).toList();

    /**
     * SHA-256 over the instruction's {@link #CONTENT_FIELDS}, with the amount normalised
     * ({@code 100.0} equals {@code 100}) and country and currency upper-cased: two deliveries of one
     * reference, from any intake, are the same payout only if this matches (and their accounts do).
     */
    public String contentHash() {
        StringBuilder text = new StringBuilder();
        for (String f : CONTENT_FIELDS) {
            String value = normalised(f);
            text.append(f).append('=').append(value == null ? "" : value).append('\n');
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(text.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The content fields whose values differ from {@code other}'s, as {@code "field: stored X, received Y"}. */
    public List<String> differences(PayoutInstruction received) {
        return CONTENT_FIELDS.stream().filter(f -> !java.util.Objects.equals(normalised(f), received.normalised(f)))
                .map(f -> f + ": stored " + field(f) + ", received " + received.field(f)).toList();
    }

    private String normalised(String f) {
        String value = field(f);
        if ("amount".equals(f) && amountValue() != null) {
            return amountValue().stripTrailingZeros().toPlainString();
        }
        if (("country".equals(f) || "currency".equals(f)) && value != null) {
            return value.toUpperCase();
        }
        return value;
    }

    private static String blankToNull(String s) {
        if (s == null) {
            return null;
        }
        String t = s.strip();
        return t.isEmpty() ? null : t;
    }
}
