package org.payoutgateway.api;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the embedded HTTP server answers by itself (no route for the path, a method the path does
 * not have, a body over {@code camel.server.max-body-size}, a content type the operation does not
 * take, a URL that does not decode, a failure before any route ran) is answered as an RFC 9457
 * problem like every API error, through the Vert.x router's error handlers. A request the HTTP
 * codec cannot read at all (a malformed request line or header, headers over 8 KB, a URL over
 * 4 KB) is refused by Vert.x itself with a bare 400, 431 or 414 before any of this runs: Camel
 * starts the server before its handlers can be set.
 */
public final class HttpProblems {

    private static final Logger LOG = LoggerFactory.getLogger(HttpProblems.class);

    private static final Map<Integer, String> TITLES = Map.of(
            400, "Bad request", 404, "Not found", 405, "Method not allowed", 413, "Request too large",
            415, "Unsupported media type", 500, "Internal error");
    private static final Map<Integer, String> DETAILS = Map.of(
            400, "the request could not be read (a URL or query string that does not decode?)",
            404, "no such resource; the payout API is under /api/v1/payouts",
            405, "this method is not allowed on this resource",
            413, "the request body is larger than this server accepts (camel.server.max-body-size)",
            415, "the request body must be application/json",
            500, "the request could not be handled; nothing was stored");

    private HttpProblems() {
    }

    /**
     * Installs the handlers on the main HTTP server (not the management server). Camel does not
     * expose the server's top-level Vert.x router, where "no route" and "method not allowed" are
     * decided, so it is read from its field.
     */
    public static void install(CamelContext context) {
        for (VertxPlatformHttpServer server : context.hasServices(VertxPlatformHttpServer.class)) {
            if (server.getPort() != mainPort(context)) {
                continue;
            }
            try {
                java.lang.reflect.Field f = VertxPlatformHttpServer.class.getDeclaredField("router");
                f.setAccessible(true);
                Router router = (Router) f.get(server);
                TITLES.keySet().forEach(status -> router.errorHandler(status, ctx -> answer(ctx, status)));
                LOG.info("HTTP errors of port {} are answered as RFC 9457 problems", server.getPort());
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.warn("HTTP errors outside the API's routes are answered without a problem body: {}", e.toString());
            }
        }
    }

    private static int mainPort(CamelContext context) {
        return Integer.parseInt(context.resolvePropertyPlaceholders("{{camel.server.port:8080}}"));
    }

    private static void answer(RoutingContext ctx, int status) {
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.headWritten()) {
            return;
        }
        String body = ApiProblem.of(status, TITLES.get(status), DETAILS.get(status)).toString();
        String path = ctx.request().path();
        if (path != null && (path.equals("/console") || path.startsWith("/console/"))) {
            // the operations console's answers all carry its security headers, its refusals too
            response.putHeader("Content-Security-Policy", org.payoutgateway.console.ConsoleWeb.CONTENT_SECURITY_POLICY)
                    .putHeader("X-Frame-Options", "DENY").putHeader("X-Content-Type-Options", "nosniff")
                    .putHeader("Referrer-Policy", "no-referrer");
        }
        response.setStatusCode(status).putHeader("Content-Type", ApiProblem.MEDIA_TYPE).end(body);
    }
}
