package org.payoutgateway.provider;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What every connector shares: its account settings, and the first reading of any reply.
 *
 * <p>Settings ({@code payout.provider.<account>.}): {@code country} (ISO 3166 alpha-2) and
 * {@code currency} (ISO 4217), default the mapping's own: an account of an existing mapping in
 * another country whose provider API has the same fields (a new Paypro country) is configuration
 * only.
 */
public abstract class AbstractConnector implements ProviderConnector {

    private static final Pattern COUNTRY = Pattern.compile("[A-Z]{2}");
    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

    protected final AccountSettings settings;
    private final String country;
    private final String currency;
    protected final boolean integerFieldsAsText;
    protected final String notifyUrl;
    private final List<Duration> querySchedule;
    private final Duration notFoundGrace;

    /**
     * Reads the account's settings once: a connector is made again when they change (live changes).
     *
     * @param defaultCountry  the mapping's country, e.g. {@code KE}
     * @param defaultCurrency the mapping's currency, e.g. {@code KES}
     * @throws IllegalStateException when {@code country} or {@code currency} is not a code of that shape
     */
    protected AbstractConnector(AccountSettings settings, String defaultCountry, String defaultCurrency) {
        this.settings = settings;
        this.country = code(settings, "country", defaultCountry, COUNTRY, "an ISO 3166 alpha-2 code such as KE");
        this.currency = code(settings, "currency", defaultCurrency, CURRENCY, "an ISO 4217 code such as KES");
        this.integerFieldsAsText = settings.integerFieldsAsText();
        this.notifyUrl = settings.notifyUrl();
        this.querySchedule = List.copyOf(settings.querySchedule());
        this.notFoundGrace = settings.notFoundGrace();
    }

    @Override
    public String account() {
        return settings.account();
    }

    private static String code(AccountSettings settings, String name, String defaultValue, Pattern shape, String what) {
        String value = settings.get(name, defaultValue).strip().toUpperCase(Locale.ROOT);
        if (!shape.matcher(value).matches()) {
            throw new IllegalStateException(settings.key(name) + " must be " + what + ", not '" + value + "'");
        }
        return value;
    }

    @Override
    public final String country() {
        return country;
    }

    @Override
    public final String currency() {
        return currency;
    }

    @Override
    public List<Duration> querySchedule() {
        return querySchedule;
    }

    @Override
    public Duration notFoundGrace() {
        return notFoundGrace;
    }

    /** A field the provider's table types integer: a JSON number, or its text with {@code integer-fields=string}. */
    protected Object integerField(long value) {
        return integerFieldsAsText ? (Object) String.valueOf(value) : (Object) value;
    }

    /**
     * A reply read as far as every provider's is: either already classified ({@code early}: by HTTP
     * status, or unreadable), or its JSON object and result code for the connector to classify.
     */
    protected record Reply(ProviderReply early, JsonNode root, String code) {
    }

    /**
     * @param codeField the field holding the result code ({@code code}, {@code error_code})
     * @param query     whether this answers a status query (a non-2xx status then says nothing,
     *                  not "not taken")
     */
    protected static Reply read(int httpStatus, String body, String codeField, boolean query) {
        ProviderReply byHttp = HttpReplies.classify(httpStatus);
        if (byHttp != null) {
            return new Reply(query ? ProviderReply.unknown(byHttp.message()) : byHttp, null, null);
        }
        JsonNode root = Json.readObject(body);
        String code = Json.text(root, codeField);
        if (code == null) {
            return new Reply(ProviderReply.unknown("unreadable " + (query ? "query" : "create") + " reply: "
                    + abbreviate(body)), null, null);
        }
        return new Reply(null, root, code);
    }

    /**
     * Reads a notify: the payout it names (by {@link #notifyReferenceField}), whether its
     * {@code sign} is missing, right or wrong (by {@link #verify}), and what it says of the payout
     * (by {@link #notifyReply}). Null when it names no payout.
     */
    @Override
    public final ProviderNotify readNotify(JsonNode body) {
        String reference = Json.text(body, notifyReferenceField());
        if (reference == null) {
            return null;
        }
        java.util.Map<String, Object> fields = Json.scalars(body);
        ProviderNotify.Signature signature = !fields.containsKey("sign") ? ProviderNotify.Signature.MISSING
                : verify(fields) ? ProviderNotify.Signature.VALID : ProviderNotify.Signature.INVALID;
        return new ProviderNotify(reference, signature, notifyReply(body));
    }

    /** The notify field holding our reference ({@code tradeNo}, {@code payout_cl_id}). */
    protected abstract String notifyReferenceField();

    /** Whether {@code fields.sign} is the provider's signature of the other fields, with this account's secret. */
    public abstract boolean verify(java.util.Map<String, ?> fields);

    /** What a notify says of the payout. */
    protected abstract ProviderReply notifyReply(JsonNode body);

    protected static String abbreviate(String body) {
        if (body == null) {
            return "(empty)";
        }
        return body.length() > 200 ? body.substring(0, 200) + "..." : body;
    }
}
