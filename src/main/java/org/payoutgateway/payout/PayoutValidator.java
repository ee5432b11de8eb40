package org.payoutgateway.payout;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.payoutgateway.provider.ProviderAccounts;
import org.payoutgateway.provider.ProviderConnector;

/**
 * Validates an instruction and resolves its provider account: the canonical rules here, the
 * provider's own rules in its connector. Every error names the field and the reason.
 */
public final class PayoutValidator {

    private static final Pattern COUNTRY = Pattern.compile("[A-Z]{2}");
    private static final Pattern CALLBACK_URL = Pattern.compile("https?://\\S+");

    private final ProviderAccounts accounts;

    public PayoutValidator(ProviderAccounts accounts) {
        this.accounts = accounts;
    }

    /** The instruction with its resolved account (null when none could be resolved) and its errors. */
    public PayoutStore.Candidate validate(PayoutInstruction in) {
        List<FieldError> errors = new ArrayList<>();
        if (in.reference() == null) {
            errors.add(new FieldError("reference", "is required"));
        } else if (!PayoutStore.REFERENCE.matcher(in.reference()).matches()) {
            errors.add(new FieldError("reference", "must be 1-32 characters of A-Z, a-z, 0-9, '_' or '-'"));
        }
        String country = in.country() == null ? null : in.country().toUpperCase();
        ProviderConnector connector = null;
        if (country == null) {
            errors.add(new FieldError("country", "is required"));
        } else if (!COUNTRY.matcher(country).matches()) {
            errors.add(new FieldError("country", "must be an ISO 3166 alpha-2 code such as ID, KE or PK"));
        } else {
            String account = in.provider() != null ? in.provider() : accounts.routeFor(country).orElse(null);
            Optional<ProviderConnector> found = accounts.find(account);
            if (in.provider() != null && found.isEmpty()) {
                errors.add(new FieldError("provider", "no provider account '" + in.provider() + "' is configured"));
            } else if (found.isEmpty()) {
                errors.add(new FieldError("country", "no provider account is routed for " + country
                        + " (payout.routing." + country + ")"));
            } else if (!found.get().country().equals(country)) {
                errors.add(new FieldError("provider", "account '" + account + "' pays out in "
                        + found.get().country() + ", not " + country));
            } else {
                connector = found.get();
            }
        }
        if (in.currency() == null) {
            errors.add(new FieldError("currency", "is required"));
        } else if (connector != null && !connector.currency().equalsIgnoreCase(in.currency())) {
            errors.add(new FieldError("currency", "must be " + connector.currency() + " for " + country));
        }
        BigDecimal amount = in.amountValue();
        if (in.amount() == null) {
            errors.add(new FieldError("amount", "is required"));
        } else if (amount == null) {
            errors.add(new FieldError("amount", "must be a plain decimal number in major units, e.g. 150000 or 150000.50"));
        } else if (amount.signum() <= 0) {
            errors.add(new FieldError("amount", "must be greater than zero"));
        }
        if (in.callbackUrl() != null && !CALLBACK_URL.matcher(in.callbackUrl()).matches()) {
            errors.add(new FieldError("callback_url", "must be an http or https URL"));
        }
        if (in.remark() != null && in.remark().length() > 255) {
            errors.add(new FieldError("remark", "must be at most 255 characters"));
        }
        if (connector != null) {
            connector.validate(in, amount != null && amount.signum() > 0 ? amount : BigDecimal.ONE, errors);
        }
        return new PayoutStore.Candidate(in, connector == null ? null : connector.account(), List.copyOf(errors));
    }
}
