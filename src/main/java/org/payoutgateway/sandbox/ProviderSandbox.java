package org.payoutgateway.sandbox;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.builder.RouteBuilder;
import org.payoutgateway.config.Settings;
import org.payoutgateway.provider.AccountSettings;
import org.payoutgateway.provider.ProviderAccounts;
import org.payoutgateway.provider.ProviderConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider sandbox: simulators of the payout providers' APIs, served by the application itself
 * on Camel's embedded HTTP server ({@code camel-platform-http-main}), so the gateway runs end to end
 * with no provider account. Each configured account gets its own simulator under
 * {@code /sandbox/<account>}; point the account's {@code base-url} at
 * {@code http://localhost:<camel.server.port>/sandbox/<account>}. A simulator accepts exactly what
 * the gateway's connector for the account's {@code mapping} sends: same paths, field names, JSON
 * types, credentials and signing ({@code merchant-no}, {@code secret}, {@code sign-salt} for Paypro;
 * {@code platform-id}, {@code key}, {@code authorization}, {@code sign-type} for DiamondPay).
 *
 * <h2>Routes</h2>
 * Route ids {@code sandbox-<account>-create}, {@code -query} (and {@code -list} for DiamondPay's
 * list-form query):
 * <ul>
 *   <li>{@code paypro-id}: {@code POST /v1/paypro/payOut}, {@code POST /v1/paypro/queryPayOutResult}</li>
 *   <li>{@code paypro-ke}: {@code POST /api/payout}, {@code POST /api/queryPayOutResult}</li>
 *   <li>{@code paypro-pk}: {@code POST /v1/payproPK/payout}, {@code POST /v1/payproPK/queryPayOutResult}</li>
 *   <li>{@code diamondpay-id}: {@code POST /gateway/api/v2/payouts},
 *       {@code GET /gateway/api/v2/payouts/{payout_cl_id}}, {@code GET /gateway/api/v2/payouts?payout_cl_id=…}</li>
 * </ul>
 * Every reply is HTTP 200 with a JSON body; an unexpected fault gives Camel's HTTP 500.
 *
 * <h2>Codes</h2>
 * Paypro outer {@code code} ({@code {"msg","code","timestamp","success","data"?}}). Only 0000 is the
 * providers' own; the error codes are the sandbox's, since Paypro's error-code lists are not in hand:
 * <ul>
 *   <li>{@code 0000} success: the request was taken ({@code success: true}, {@code data} present)</li>
 *   <li>{@code 1001} "sign error": header {@code merchantNo} is not the account's, or {@code sign}
 *       does not verify</li>
 *   <li>{@code 1002} "request body must be a JSON object" / "missing parameter: …"</li>
 *   <li>{@code 1003} "duplicate tradeNo": the first order is kept unchanged</li>
 *   <li>{@code 1004} "order not exist" (query): set the account's {@code query.not-found-codes=1004}
 *       for the gateway to read it as "not found"</li>
 * </ul>
 * Paypro {@code data.status}: {@code 0015} until the order settles, then {@code 0000} or
 * {@code 00029} ("REJECTED_TRANSACTION").
 * <p>DiamondPay {@code error_code} ({@code {"error_code","error_msg"}}); 0000, 0004, 0006 and 0050
 * are the platform's own (PROVIDERS.md §2), 0002 and 0009 the sandbox's:
 * <ul>
 *   <li>{@code 0000} success, with {@code data}</li>
 *   <li>{@code 0002} "request body must be a JSON object" / "missing parameter: …" / amount not
 *       whole cents</li>
 *   <li>{@code 0004} "Signature verification failed!": bad sign or a {@code platform_id} not the account's</li>
 *   <li>{@code 0006} "invalid Authorization" (query)</li>
 *   <li>{@code 0009} "duplicate payout_cl_id": the first order is kept unchanged</li>
 *   <li>{@code 0050} "order not found" (query, both forms)</li>
 * </ul>
 * DiamondPay {@code status}: 2 (processing) until the order settles, then 3 (success) or 4 (cancelled).
 *
 * <h2>Settlement and notify</h2>
 * An order settles {@code payout.sandbox.settle-after} (default 3s) after its creation; its state
 * is computed from the clock when queried. It fails when the beneficiary account number (Paypro
 * Indonesia {@code bankAccountNo}, Pakistan {@code bankNumber}, DiamondPay {@code number}) or, for
 * Kenya, the {@code mobile} ends with {@code 99}; otherwise it succeeds. When the create request
 * carried a {@code notifyUrl} / {@code notify_url}, the provider's signed notify is POSTed there
 * once when the order settles, best effort ({@link SandboxNotifier}).
 *
 * <p>State is kept in memory only, per account, and lost on restart.
 */
public class ProviderSandbox extends RouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderSandbox.class);

    /** The path under which each account's simulator is served: {@code /sandbox/<account>}. */
    public static final String PATH_PREFIX = "/sandbox/";

    private final Duration settleAfter;
    private final SandboxNotifier notifier = new SandboxNotifier();
    private final Map<String, Simulator> simulators = new LinkedHashMap<>();

    /**
     * Builds a simulator for every account in {@code accounts}, with the credentials of its
     * settings.
     *
     * @throws IllegalStateException when an account's mapping has no simulator or a credential is missing
     */
    public ProviderSandbox(ProviderAccounts accounts, Settings settings) {
        this.settleAfter = settings.getDuration("payout.sandbox.settle-after", "3s");
        for (ProviderConnector connector : accounts.all()) {
            AccountSettings account = new AccountSettings(connector.account(), settings);
            simulators.put(account.account(), simulator(account, account.get("mapping", account.account())));
        }
    }

    private Simulator simulator(AccountSettings account, String mapping) {
        if (mapping.equals("diamondpay-id")) {
            return new DiamondPaySimulator(account, settleAfter, notifier);
        }
        PayproCountry country = PayproCountry.forMapping(mapping);
        if (country == null) {
            throw new IllegalStateException(account.key("mapping") + ": the sandbox has no simulator for '" + mapping + "'");
        }
        return new PayproSimulator(account, country, settleAfter, notifier);
    }

    @Override
    public void configure() throws Exception {
        getContext().addService(notifier, true, true);
        for (Simulator simulator : simulators.values()) {
            for (Simulator.Endpoint endpoint : simulator.endpoints()) {
                from("platform-http:" + PATH_PREFIX + simulator.account() + endpoint.path()
                        + "?httpMethodRestrict=" + endpoint.method())
                        .routeId("sandbox-" + simulator.account() + "-" + endpoint.name())
                        .process(exchange -> respond(exchange, endpoint));
            }
        }
        LOG.info("Provider sandbox enabled: simulating {} under {}<account>; orders settle {} after creation",
                simulators.values().stream().map(s -> s.account() + " (" + s.mapping() + ")")
                        .collect(Collectors.joining(", ")),
                PATH_PREFIX, settleAfter);
    }

    /** Runs the endpoint's handler and writes its JSON reply, HTTP 200, with none of the request's headers. */
    private static void respond(Exchange exchange, Simulator.Endpoint endpoint) throws Exception {
        Message message = exchange.getMessage();
        String reply = Simulator.MAPPER.writeValueAsString(endpoint.handler().apply(message));
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody(reply);
    }

    /**
     * How many create requests arrived for {@code reference} at {@code account}, accepted or not
     * (requests without a readable reference are not counted).
     *
     * @throws IllegalArgumentException for an account the sandbox does not serve
     */
    public int createCount(String account, String reference) {
        Simulator simulator = simulators.get(account);
        if (simulator == null) {
            throw new IllegalArgumentException("the sandbox serves no account " + account);
        }
        return simulator.createCount(reference);
    }
}
