package org.payoutgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.payoutgateway.support.Gateway;
import org.payoutgateway.support.StandInProviders;

/**
 * A corpus of hostile requests sent as raw bytes over a socket (so nothing a client library would
 * refuse is left out): wrong types, huge numbers, deep JSON, duplicate keys, unicode tricks in
 * references, header injection, oversized headers, methods not allowed, path traversal in
 * {reference}, query strings that do not parse. Each is answered with a 4xx RFC 9457 problem,
 * never a 500 or a stack trace, and nothing is stored. The few the HTTP codec cannot read at all
 * ({@link #CODEC_REFUSALS}) are refused by Vert.x before the application sees them, with a bare
 * 400, 414 or 431 (docs/api.md, "Errors").
 */
class HostileRequestsTest {

    static final String KEY = "hostile-test-key";
    static final int MAX_BODY = 65536;
    static final ObjectMapper JSON = new ObjectMapper();
    static final java.util.Set<String> CODEC_REFUSALS = java.util.Set.of("API key with an injected header",
            "header of 20 KB", "URL of 10 KB", "content length that lies");
    static StandInProviders providers;
    static Gateway gateway;

    @BeforeAll
    static void start() throws Exception {
        providers = new StandInProviders();
        Map<String, String> s = new HashMap<>(providers.settings());
        s.put("payout.api.keys", KEY);
        s.put("payout.webhook.signing-key", "hostile-test-signing-key");
        s.put("camel.server.max-body-size", String.valueOf(MAX_BODY));
        s.put("payout.api.batch-max", "10");
        s.put("payout.api.rate-limit", "10000");
        gateway = Gateway.start("hostile", s);
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (providers != null) {
            providers.close();
        }
    }

    /** A valid Kenyan instruction with one field's JSON replaced. */
    static String kenyaWith(String field, String json) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("reference", "\"HOSTILE-1\"");
        f.put("country", "\"KE\"");
        f.put("amount", "\"1500\"");
        f.put("currency", "\"KES\"");
        f.put("mobile", "\"254712345678\"");
        f.put(field, json);
        StringBuilder b = new StringBuilder("{");
        f.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
        return b.append('}').toString();
    }

    static String post(String path, String body) {
        return post(path, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    static String post(String path, String contentType, byte[] body) {
        return "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nX-API-Key: " + KEY + "\r\nContent-Type: " + contentType
                + "\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n"
                + new String(body, StandardCharsets.ISO_8859_1);
    }

    static String request(String method, String target) {
        return method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nX-API-Key: " + KEY + "\r\nConnection: close\r\n\r\n";
    }

    static Map<String, String> corpus() {
        Map<String, String> c = new LinkedHashMap<>();
        // wrong types and numbers
        c.put("amount is an object", post("/api/v1/payouts", kenyaWith("amount", "{\"value\":1500}")));
        c.put("amount is an array", post("/api/v1/payouts", kenyaWith("amount", "[1500]")));
        c.put("amount is a boolean", post("/api/v1/payouts", kenyaWith("amount", "true")));
        c.put("amount is 1e400", post("/api/v1/payouts", kenyaWith("amount", "1e400")));
        c.put("amount has 400 digits", post("/api/v1/payouts", kenyaWith("amount", "1" + "0".repeat(400))));
        c.put("amount is negative", post("/api/v1/payouts", kenyaWith("amount", "-1500")));
        c.put("amount is NaN text", post("/api/v1/payouts", kenyaWith("amount", "\"NaN\"")));
        c.put("amount is Infinity", post("/api/v1/payouts", kenyaWith("amount", "Infinity")));
        c.put("amount has 30 decimals", post("/api/v1/payouts", kenyaWith("amount", "\"1500.000000000000000000000000000001\"")));
        c.put("reference is a float", post("/api/v1/payouts", kenyaWith("reference", "1.5e3")));
        c.put("reference is null", post("/api/v1/payouts", kenyaWith("reference", "null")));
        c.put("country is an object", post("/api/v1/payouts", kenyaWith("country", "{\"code\":\"KE\"}")));
        c.put("mobile is a number array", post("/api/v1/payouts", kenyaWith("mobile", "[254712345678]")));
        // unicode and control characters in references
        c.put("reference with a fullwidth letter", post("/api/v1/payouts", kenyaWith("reference", "\"HOSTILE-\uFF21\"")));
        c.put("reference with a zero-width space", post("/api/v1/payouts", kenyaWith("reference", "\"HOSTILE\u200B1\"")));
        c.put("reference with a right-to-left override", post("/api/v1/payouts", kenyaWith("reference", "\"HOSTILE\u202E1\"")));
        c.put("reference with a Cyrillic A", post("/api/v1/payouts", kenyaWith("reference", "\"HOSTILE-\u04101\"")));
        c.put("reference with a newline", post("/api/v1/payouts", kenyaWith("reference", "\"HOSTILE\\n1\"")));
        c.put("reference with a NUL", post("/api/v1/payouts", kenyaWith("reference", "\"HOSTILE\\u00001\"")));
        c.put("reference of 33 characters", post("/api/v1/payouts", kenyaWith("reference", "\"" + "H".repeat(33) + "\"")));
        c.put("reference with SQL", post("/api/v1/payouts", kenyaWith("reference", "\"x'; DROP TABLE payout;--\"")));
        c.put("country with a path", post("/api/v1/payouts", kenyaWith("country", "\"../../etc\"")));
        c.put("callback_url javascript:", post("/api/v1/payouts", kenyaWith("callback_url", "\"javascript:alert(1)\"")));
        c.put("callback_url file:", post("/api/v1/payouts", kenyaWith("callback_url", "\"file:///etc/passwd\"")));
        // JSON shapes
        c.put("JSON nested 5000 deep", post("/api/v1/payouts", "[".repeat(5000) + "]".repeat(5000)));
        c.put("object nested 2000 deep", post("/api/v1/payouts", "{\"a\":".repeat(2000) + "1" + "}".repeat(2000)));
        c.put("duplicate amount key", post("/api/v1/payouts",
                "{\"reference\":\"HOSTILE-1\",\"country\":\"KE\",\"amount\":\"1\",\"amount\":\"1000000\",\"currency\":\"KES\",\"mobile\":\"254712345678\"}"));
        c.put("duplicate reference key", post("/api/v1/payouts",
                "{\"reference\":\"HOSTILE-1\",\"reference\":\"HOSTILE-2\",\"country\":\"KE\",\"amount\":\"1\",\"currency\":\"KES\",\"mobile\":\"254712345678\"}"));
        c.put("body is not JSON", post("/api/v1/payouts", "hello"));
        c.put("body is a JSON string", post("/api/v1/payouts", "\"HOSTILE-1\""));
        c.put("body is a JSON array for one payout", post("/api/v1/payouts", "[" + kenyaWith("remark", "\"x\"") + "]"));
        c.put("body is truncated JSON", post("/api/v1/payouts", "{\"reference\":\"HOSTILE-1\",\"amount\":"));
        c.put("JSON followed by garbage", post("/api/v1/payouts", kenyaWith("remark", "\"x\"") + " trailing"));
        c.put("two JSON documents", post("/api/v1/payouts", kenyaWith("remark", "\"x\"") + kenyaWith("remark", "\"y\"")));
        c.put("body is empty", post("/api/v1/payouts", ""));
        c.put("body is not UTF-8", post("/api/v1/payouts", "application/json",
                new byte[] {'{', '"', 'r', 'e', 'f', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}));
        c.put("body over the size limit", post("/api/v1/payouts", kenyaWith("remark", "\"" + "x".repeat(MAX_BODY) + "\"")));
        c.put("batch is an object without payouts", post("/api/v1/payouts/batch", "{\"items\":[]}"));
        c.put("batch over batch-max", post("/api/v1/payouts/batch", "[" + String.join(",", java.util.Collections.nCopies(11, "{}")) + "]"));
        c.put("batch nested 5000 deep", post("/api/v1/payouts/batch", "[".repeat(5000) + "]".repeat(5000)));
        c.put("content type is form data", post("/api/v1/payouts", "application/x-www-form-urlencoded",
                "reference=HOSTILE-1&amount=1500".getBytes(StandardCharsets.UTF_8)));
        // paths and query strings
        c.put("reference path traversal", request("GET", "/api/v1/payouts/..%2F..%2Fetc%2Fpasswd"));
        c.put("reference dot-dot", request("GET", "/api/v1/payouts/%2e%2e"));
        c.put("reference with encoded NUL", request("GET", "/api/v1/payouts/HOSTILE%00-1"));
        c.put("reference with a script tag", request("GET", "/api/v1/payouts/%3Cscript%3Ealert(1)%3C%2Fscript%3E"));
        c.put("reference of 300 characters", request("GET", "/api/v1/payouts/" + "H".repeat(300)));
        c.put("reference with bad percent encoding", request("GET", "/api/v1/payouts/HOSTILE%zz"));
        c.put("page is not a number", request("GET", "/api/v1/payouts?page=abc"));
        c.put("size is negative", request("GET", "/api/v1/payouts?size=-1"));
        c.put("size overflows", request("GET", "/api/v1/payouts?size=99999999999999999999"));
        c.put("since is not a date", request("GET", "/api/v1/payouts?since=yesterday"));
        c.put("status is SQL", request("GET", "/api/v1/payouts?status=SUCCESS'%20OR%20'1'='1"));
        c.put("query with bad percent encoding", request("GET", "/api/v1/payouts?status=%zz"));
        c.put("audit since is not a date", request("GET", "/api/v1/audit?since=%00"));
        // methods
        c.put("DELETE a payout", request("DELETE", "/api/v1/payouts/HOSTILE-1"));
        c.put("PUT the collection", post("/api/v1/payouts", kenyaWith("remark", "\"x\"")).replaceFirst("POST", "PUT"));
        c.put("PATCH a payout", request("PATCH", "/api/v1/payouts/HOSTILE-1"));
        c.put("TRACE", request("TRACE", "/api/v1/payouts"));
        c.put("unknown path", request("GET", "/api/v1/payoutz"));
        // headers
        c.put("API key with an injected header", "GET /api/v1/payouts HTTP/1.1\r\nHost: localhost\r\nX-API-Key: " + KEY
                + "\rX-Injected: yes\r\nConnection: close\r\n\r\n");
        c.put("API key twice", "GET /api/v1/payouts/HOSTILE-1 HTTP/1.1\r\nHost: localhost\r\nX-API-Key: wrong\r\nX-API-Key: " + KEY
                + "\r\nConnection: close\r\n\r\n");
        c.put("header of 20 KB", "GET /api/v1/payouts HTTP/1.1\r\nHost: localhost\r\nX-API-Key: " + KEY + "\r\nX-Big: "
                + "x".repeat(20_000) + "\r\nConnection: close\r\n\r\n");
        c.put("URL of 10 KB", request("GET", "/api/v1/payouts?status=" + "x".repeat(10_000)));
        c.put("content length and chunked both", "POST /api/v1/payouts HTTP/1.1\r\nHost: localhost\r\nX-API-Key: " + KEY
                + "\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "0\r\n\r\n");
        c.put("content length that lies", "POST /api/v1/payouts HTTP/1.1\r\nHost: localhost\r\nX-API-Key: " + KEY
                + "\r\nContent-Type: application/json\r\nContent-Length: -5\r\nConnection: close\r\n\r\n{}");
        return c;
    }

    @Test
    void everyHostileRequestIsA4xxProblemAndNothingIsStored() throws Exception {
        long before = gateway.store().search(new org.payoutgateway.payout.PayoutStore.Filter(null, null, null, null, null, null), 0, 1).total();
        Map<String, String> corpus = corpus();
        assertThat(corpus).hasSizeGreaterThanOrEqualTo(40);
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, String> c : corpus.entrySet()) {
            Reply r = send(c.getValue());
            String why = CODEC_REFUSALS.contains(c.getKey())
                    ? (List.of(400, 414, 431).contains(r.status) ? null : "not refused by the HTTP codec") : check(r);
            if (why != null) {
                wrong.add(c.getKey() + ": " + why + " -> " + r.status + " " + r.headers.replace("\r\n", " | ")
                        + " " + r.body.substring(0, Math.min(200, r.body.length())));
            }
        }
        assertThat(wrong).as("requests not answered with a 4xx problem").isEmpty();
        long after = gateway.store().search(new org.payoutgateway.payout.PayoutStore.Filter(null, null, null, null, null, null), 0, 1).total();
        assertThat(after).as("payouts stored by the corpus").isEqualTo(before);
        assertThat(gateway.store().find("HOSTILE-1")).isEmpty();
    }

    static String check(Reply r) {
        if (r.status < 400 || r.status >= 500) {
            return "not a 4xx";
        }
        String lower = r.headers.toLowerCase(java.util.Locale.ROOT);
        if (!lower.contains("content-type: application/problem+json")) {
            return "not application/problem+json";
        }
        try {
            JsonNode p = JSON.readTree(r.body);
            if (p.path("status").asInt() != r.status || p.path("title").asText().isBlank()) {
                return "problem without its status and title";
            }
        } catch (Exception e) {
            return "body is not JSON";
        }
        if (r.body.contains("Exception") || r.body.contains("\tat ") || r.body.contains("at org.")) {
            return "a stack trace";
        }
        return null;
    }

    record Reply(int status, String headers, String body) {
    }

    static Reply send(String raw) throws Exception {
        try (Socket s = new Socket("localhost", gateway.httpPort)) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            try {
                out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (java.io.IOException e) {
                // the server may answer and close before a large request is all written
            }
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) > 0; ) {
                    got.write(buf, 0, n);
                }
            } catch (java.net.SocketException e) {
                // reset after the reply
            }
            String text = got.toString(StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            if (!text.startsWith("HTTP/1.") || end < 0) {
                return new Reply(-1, text, "");
            }
            String head = text.substring(0, end);
            String body = text.substring(end + 4);
            if (head.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
                body = unchunk(body);
            }
            return new Reply(Integer.parseInt(head.substring(9, 12)), head, body);
        }
    }

    static String unchunk(String body) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < body.length()) {
            int eol = body.indexOf("\r\n", i);
            if (eol < 0) {
                break;
            }
            int size = Integer.parseInt(body.substring(i, eol).strip(), 16);
            if (size == 0) {
                break;
            }
            out.append(body, eol + 2, eol + 2 + size);
            i = eol + 2 + size + 2;
        }
        return out.toString();
    }
}
