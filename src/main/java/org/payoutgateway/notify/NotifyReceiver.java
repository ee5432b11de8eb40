package org.payoutgateway.notify;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.payoutgateway.payout.Payout;
import org.payoutgateway.payout.PayoutOutcomes;
import org.payoutgateway.payout.PayoutStore;
import org.payoutgateway.provider.Json;
import org.payoutgateway.provider.ProviderAccounts;
import org.payoutgateway.provider.ProviderConnector;
import org.payoutgateway.provider.ProviderNotify;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provider notifies, as called by {@code routes/notify.yaml} for {@code POST /notify/<account>}. A
 * notify whose signature verifies with the account's secret is applied; one that carries no
 * signature, or a wrong one, changes nothing by itself and triggers an immediate status query of the
 * payout instead, whose answer decides. Notifies are retried by providers and may come twice or out
 * of order: applying one is idempotent and a final state never moves back.
 */
public class NotifyReceiver {

    private static final Logger LOG = LoggerFactory.getLogger(NotifyReceiver.class);
    /** Exchange property: the reference to query now, set when the notify cannot be trusted by itself. */
    public static final String QUERY_REFERENCE = "queryReference";

    private final PayoutStore store;
    private final ProviderAccounts accounts;
    private final PayoutOutcomes outcomes;

    public NotifyReceiver(PayoutStore store, ProviderAccounts accounts, PayoutOutcomes outcomes) {
        this.store = store;
        this.accounts = accounts;
        this.outcomes = outcomes;
    }

    public void receive(Exchange exchange) {
        String account = exchange.getIn().getHeader("account", String.class);
        Optional<ProviderConnector> found = accounts.find(account);
        if (found.isEmpty()) {
            answer(exchange, new ProviderConnector.NotifyAnswer(404, "text/plain", "unknown account"));
            return;
        }
        ProviderConnector connector = found.get();
        JsonNode body = Json.readObject(exchange.getIn().getBody(String.class));
        ProviderNotify notify = body == null ? null : connector.readNotify(body);
        if (notify == null) {
            LOG.warn("Notify to account {} is not a JSON object naming a payout; refused", account);
            answer(exchange, connector.notifyAnswer(false));
            return;
        }
        Optional<Payout> payout = store.find(notify.reference()).filter(p -> account.equals(p.account()));
        if (payout.isEmpty()) {
            LOG.warn("Notify to account {} for reference {}, which is no payout of this account; acknowledged, ignored",
                    account, notify.reference());
            answer(exchange, connector.notifyAnswer(true));
            return;
        }
        Payout p = payout.get();
        boolean verified = notify.signature() == ProviderNotify.Signature.VALID;
        boolean changed = verified && outcomes.afterNotify(p, connector, notify.reply());
        store.recordNotify(p.reference(), account, verified, notify.reply() == null ? null : notify.reply().outcome().name(),
                notify.reply() == null ? null : notify.reply().providerStatus(), changed);
        switch (notify.signature()) {
            case VALID -> {
                LOG.info("Notify for payout {} [{}]: provider status {}{}", p.reference(), account,
                        notify.reply().providerStatus(), changed ? "" : ", no change (state " + p.state() + ")");
                answer(exchange, connector.notifyAnswer(true));
            }
            case MISSING -> {
                LOG.info("Notify for payout {} [{}] carries no signature: querying the provider instead", p.reference(), account);
                queryNow(exchange, p);
                answer(exchange, connector.notifyAnswer(true));
            }
            case INVALID -> {
                LOG.warn("Notify for payout {} [{}] has a signature that does not verify: refused, querying the provider",
                        p.reference(), account);
                queryNow(exchange, p);
                answer(exchange, connector.notifyAnswer(false));
            }
        }
    }

    private static void queryNow(Exchange exchange, Payout p) {
        if (!p.state().isFinal()) {
            exchange.setProperty(QUERY_REFERENCE, p.reference());
        }
    }

    private static void answer(Exchange exchange, ProviderConnector.NotifyAnswer a) {
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, a.httpStatus());
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, a.contentType());
        exchange.getMessage().setBody(a.body());
    }
}
