package org.payoutgateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import org.apache.camel.Exchange;
import org.payoutgateway.payout.OperatorActions;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.payout.PayoutStore;
import org.payoutgateway.provider.Json;

/**
 * The operator actions over HTTP, as called by {@code routes/operator-actions.yaml} after
 * {@link PayoutApi#authenticate}: each checks the client's role, applies the action through
 * {@link OperatorActions} and writes an audit row, applied or refused. Answers: 200 with the action
 * and the payout as it now is; 202 for a proposed settlement; refusals as RFC 9457 problems.
 */
public class OperatorApi {

    private final OperatorActions actions;
    private final PayoutStore store;
    private final PayoutApi api;

    public OperatorApi(OperatorActions actions, PayoutStore store, PayoutApi api) {
        this.actions = actions;
        this.store = store;
        this.api = api;
    }

    /** {@code POST /api/v1/payouts/{reference}/query-now} (operator). */
    public void queryNow(Exchange exchange) {
        run(exchange, Role.OPERATOR, "query-now", reference(exchange), false,
                (client, body) -> actions.queryNow(reference(exchange), client));
    }

    /** {@code POST /api/v1/payouts/{reference}/resend} with {@code {"provider_said": "..."}} (operator). */
    public void resend(Exchange exchange) {
        run(exchange, Role.OPERATOR, "resend", reference(exchange), true,
                (client, body) -> actions.resend(reference(exchange), client, text(body, "provider_said")));
    }

    /** {@code POST /api/v1/payouts/{reference}/cancel} with {@code {"reason": "..."}} (operator). */
    public void cancel(Exchange exchange) {
        run(exchange, Role.OPERATOR, "cancel", reference(exchange), true,
                (client, body) -> actions.cancel(reference(exchange), client, text(body, "reason")));
    }

    /** {@code POST /api/v1/payouts/{reference}/redeliver-callback} (operator). */
    public void redeliverCallback(Exchange exchange) {
        run(exchange, Role.OPERATOR, "redeliver-callback", reference(exchange), false,
                (client, body) -> actions.redeliverCallback(reference(exchange), client));
    }

    /**
     * {@code POST /api/v1/payouts/{reference}/settlements} with
     * {@code {"state": "SUCCESS"|"FAILED", "reason": "...", "evidence": "..."}} (operator): 202.
     */
    public void proposeSettlement(Exchange exchange) {
        run(exchange, Role.OPERATOR, "propose-settlement", reference(exchange), true, (client, body) -> {
            String state = text(body, "state");
            PayoutState target = "SUCCESS".equalsIgnoreCase(state) ? PayoutState.SUCCESS
                    : "FAILED".equalsIgnoreCase(state) ? PayoutState.FAILED : null;
            if (target == null) {
                throw new OperatorActions.Refused(422, "state: SUCCESS or FAILED");
            }
            return actions.proposeSettlement(reference(exchange), client, target, text(body, "reason"), text(body, "evidence"));
        });
    }

    /** {@code POST /api/v1/settlements/{id}/approve} (approver, not the proposer). */
    public void approve(Exchange exchange) {
        long id = id(exchange);
        run(exchange, Role.APPROVER, "approve-settlement", referenceOf(id), false, (client, body) -> actions.approve(id, client));
    }

    /** {@code POST /api/v1/settlements/{id}/reject} with an optional {@code {"reason": "..."}} (approver). */
    public void reject(Exchange exchange) {
        long id = id(exchange);
        run(exchange, Role.APPROVER, "reject-settlement", referenceOf(id), false,
                (client, body) -> actions.reject(id, client, body == null ? null : text(body, "reason")));
    }

    /** {@code GET /api/v1/settlements}: the open proposals, oldest first (every role but submitter). */
    public void settlements(Exchange exchange) {
        ApiClients.Client client = PayoutApi.client(exchange);
        if (!client.readsAll()) {
            refuse(exchange, client, "list-settlements", null, new OperatorActions.Refused(403,
                    "client " + client.name() + " may not read settlements (roles operator, approver, viewer)"));
            return;
        }
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode items = out.putArray("items");
        actions.proposed(500).forEach(a -> items.add(json(a)));
        PayoutApi.reply(exchange, 200, out);
    }

    /** {@code GET /api/v1/payouts/{reference}/actions}: the operator actions on a payout, oldest first. */
    public void ofPayout(Exchange exchange) {
        ApiClients.Client client = PayoutApi.client(exchange);
        String reference = reference(exchange);
        boolean visible = store.find(reference).map(p -> client.readsAll() || client.name().equals(p.owner())).orElse(false);
        if (!visible) {
            PayoutApi.reply(exchange, 404, ApiProblem.of(404, "Not found", "no payout with reference " + reference));
            return;
        }
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode items = out.putArray("items");
        actions.of(reference).forEach(a -> items.add(json(a)));
        PayoutApi.reply(exchange, 200, out);
    }

    @FunctionalInterface
    private interface Work {
        OperatorActions.Action run(String client, JsonNode body);
    }

    private void run(Exchange exchange, Role role, String action, String reference, boolean needsBody, Work work) {
        ApiClients.Client client = PayoutApi.client(exchange);
        if (!client.has(role)) {
            refuse(exchange, client, action, reference, new OperatorActions.Refused(403,
                    "client " + client.name() + " does not have the role " + role.label() + ", which this action needs"));
            return;
        }
        JsonNode body = null;
        String text = exchange.getIn().getBody(String.class);
        exchange.getIn().setBody(text); // read once: the request body is a stream
        if (needsBody || (text != null && !text.isBlank())) {
            body = PayoutApi.readBody(exchange);
            if (body == null) {
                api.audit(exchange, client.name(), action, reference, "INVALID", 400, "body is not JSON");
                return;
            }
            if (!body.isObject()) {
                refuse(exchange, client, action, reference, new OperatorActions.Refused(400, "the body must be a JSON object"));
                return;
            }
        }
        OperatorActions.Action done;
        try {
            done = work.run(client.name(), body);
        } catch (OperatorActions.Refused e) {
            refuse(exchange, client, action, reference, e);
            return;
        }
        int status = done.status().equals("PROPOSED") ? 202 : 200;
        api.audit(exchange, client.name(), action, done.reference(), done.status(), status,
                done.kind() == OperatorActions.Kind.SETTLE ? "settlement " + done.id() : null);
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.set("action", json(done));
        store.find(done.reference()).ifPresent(p -> out.set("payout", PayoutJson.of(p)));
        PayoutApi.reply(exchange, status, out);
    }

    private void refuse(Exchange exchange, ApiClients.Client client, String action, String reference, OperatorActions.Refused e) {
        api.audit(exchange, client.name(), action, reference, "REFUSED", e.status(), e.getMessage());
        String title = switch (e.status()) {
            case 403 -> "Forbidden";
            case 404 -> "Not found";
            case 409 -> "Not allowed in this state";
            case 422 -> "Invalid action";
            default -> "Bad request";
        };
        PayoutApi.reply(exchange, e.status(), ApiProblem.of(e.status(), title, e.getMessage()));
    }

    static ObjectNode json(OperatorActions.Action a) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("id", a.id());
        o.put("reference", a.reference());
        o.put("action", a.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        o.put("state", a.targetState() == null ? null : a.targetState().name());
        o.put("status", a.status());
        o.put("client", a.client());
        o.put("at", a.at().toString());
        o.put("reason", a.reason());
        o.put("evidence", a.evidence());
        o.put("decided_by", a.decidedBy());
        o.put("decided_at", a.decidedAt() == null ? null : a.decidedAt().toString());
        o.put("outcome", a.outcome());
        return o;
    }

    private static String reference(Exchange exchange) {
        return exchange.getIn().getHeader("reference", String.class);
    }

    private String referenceOf(long id) {
        return id < 0 ? null : actions.find(id).map(OperatorActions.Action::reference).orElse(null);
    }

    private static long id(Exchange exchange) {
        try {
            return Long.parseLong(exchange.getIn().getHeader("id", String.class));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        return v == null || v.isNull() || !v.isValueNode() ? null : v.asText();
    }
}
