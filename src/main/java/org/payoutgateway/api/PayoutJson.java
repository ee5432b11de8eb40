package org.payoutgateway.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import org.payoutgateway.payout.HistoryEntry;
import org.payoutgateway.payout.Payout;
import org.payoutgateway.payout.PayoutInstruction;
import org.payoutgateway.provider.Json;

/**
 * The JSON shape of a payout in the API and in submitter callbacks: the instruction's canonical
 * fields (amount in major units, as text), {@code status}, {@code provider} (the account),
 * provider references, times (ISO-8601 UTC) and links.
 */
public final class PayoutJson {

    private PayoutJson() {
    }

    public static ObjectNode of(Payout p) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("reference", p.reference());
        o.put("status", p.state().name());
        PayoutInstruction in = p.instruction();
        for (String f : PayoutInstruction.FIELDS) {
            if (!f.equals("reference") && !f.equals("provider") && in.field(f) != null) {
                o.put(f, in.field(f));
            }
        }
        o.put("provider", p.account());
        o.put("provider_reference", p.providerReference());
        o.put("provider_status", p.providerStatus());
        o.put("message", p.message());
        o.put("needs_attention", p.needsAttention());
        o.put("intake", p.intake());
        o.put("created_at", text(p.createdAt()));
        o.put("updated_at", text(p.updatedAt()));
        o.putObject("links").put("self", "/api/v1/payouts/" + p.reference());
        return o;
    }

    public static ObjectNode withHistory(Payout p, List<HistoryEntry> history) {
        ObjectNode o = of(p);
        ArrayNode h = o.putArray("history");
        for (HistoryEntry e : history) {
            ObjectNode x = h.addObject();
            x.put("at", text(e.at()));
            x.put("from", e.from() == null ? null : e.from().name());
            x.put("to", e.to().name());
            x.put("provider_code", e.providerCode());
            x.put("message", e.message());
        }
        return o;
    }

    private static String text(Instant i) {
        return i == null ? null : i.toString();
    }
}
