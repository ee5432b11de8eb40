package org.payoutgateway.provider;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteTemplateDefinition;

/**
 * Makes the per-account routes: every route template of the routes that has an {@code account}
 * parameter ({@code provider-create}, {@code provider-query}) gets one route per configured provider
 * account, with route id {@code <template>-<account>}. Adding an account is configuration only: its
 * routes are made from the same templates.
 */
public final class AccountRoutes {

    /** The template parameter that names the account. */
    public static final String ACCOUNT = "account";

    private AccountRoutes() {
    }

    /** The route id of one account's instance of a template. */
    public static String routeId(String template, String account) {
        return template + "-" + account;
    }

    /** The ids of the templates that are made per account. */
    public static List<String> templates(CamelContext camel) {
        return ((ModelCamelContext) camel).getRouteTemplateDefinitions().stream()
                .filter(t -> t.getTemplateParameters() != null
                        && t.getTemplateParameters().stream().anyMatch(p -> ACCOUNT.equals(p.getName())))
                .map(RouteTemplateDefinition::getId).distinct().toList();
    }

    /**
     * Makes (or makes again, replacing the running one) the routes of these templates for these
     * accounts; in a started context they start at once.
     *
     * @return the ids of the routes made
     */
    public static List<String> make(CamelContext camel, Collection<String> templates, Collection<String> accounts) throws Exception {
        List<String> ids = new ArrayList<>();
        for (String template : templates) {
            for (String account : accounts) {
                String id = routeId(template, account);
                stopAndRemove(camel, id);
                TemplatedRouteBuilder.builder(camel, template).routeId(id).parameter(ACCOUNT, account).add();
                ids.add(id);
            }
        }
        AccountGuards guards = camel.getRegistry().lookupByNameAndType("accountGuards", AccountGuards.class);
        if (guards != null) {
            ProviderHttpPool.fit(camel, guards); // the routes' provider endpoints exist now
        }
        return ids;
    }

    /** Stops (gracefully: calls in flight finish) and removes an account's routes. */
    public static void remove(CamelContext camel, String account) throws Exception {
        for (String template : templates(camel)) {
            stopAndRemove(camel, routeId(template, account));
        }
    }

    private static void stopAndRemove(CamelContext camel, String routeId) throws Exception {
        if (camel.getRoute(routeId) != null) {
            camel.getRouteController().stopRoute(routeId);
            camel.removeRoute(routeId);
        }
    }
}
