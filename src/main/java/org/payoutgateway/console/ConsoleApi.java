package org.payoutgateway.console;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.payoutgateway.api.ApiClients;
import org.payoutgateway.api.ApiProblem;
import org.payoutgateway.api.AuditTrail;
import org.payoutgateway.api.PayoutJson;
import org.payoutgateway.api.Role;
import org.payoutgateway.payout.HistoryEntry;
import org.payoutgateway.payout.Payout;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.payout.PayoutStore;
import org.payoutgateway.payout.PayoutStoreException;
import org.payoutgateway.provider.AccountGuards;
import org.payoutgateway.provider.Json;

/**
 * The read side of the operations console (docs/api.md, "Console reads"), as called by
 * {@code routes/console.yaml} after {@code PayoutApi.authenticate}: overview, search (JSON or CSV),
 * a payout's story, the payouts that need attention, files and ERP rows. A client that does not
 * read all payouts (a submitter) sees only its own: another's payout is answered as if there were
 * none. Account numbers, mobiles and id numbers are shown by their last four characters only.
 * Every query parameter is checked before it reaches the store; refusals are RFC 9457 problems.
 */
public class ConsoleApi {

    /** Payouts of one page at most; a CSV export holds at most {@link #CSV_MAX_ROWS}. */
    static final int MAX_PAGE_SIZE = 500;
    static final int CSV_MAX_ROWS = 10_000;
    static final List<String> CSV_COLUMNS = List.of("reference", "status", "provider", "country", "amount", "currency",
            "beneficiary_name", "account_number", "bank_code", "mobile", "intake", "intake_ref", "provider_reference",
            "provider_status", "message", "needs_attention", "created_at", "updated_at");
    private static final Pattern REFERENCE = PayoutStore.REFERENCE;
    private static final Pattern TEXT = Pattern.compile("[\\p{L}\\p{N} ._:/@#+-]{1,255}");
    private static final Pattern ACCOUNT = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    private static final Pattern AMOUNT = Pattern.compile("[0-9]{1,15}(\\.[0-9]{1,4})?");
    private static final List<PayoutState> SENT = List.of(PayoutState.SENDING, PayoutState.SUBMITTED,
            PayoutState.UNKNOWN, PayoutState.SUCCESS, PayoutState.FAILED);

    private final PayoutStore store;
    private final DataSource dataSource;
    private final AccountGuards guards;
    private final AuditTrail audit;
    private final String fileOwner;
    private final Path outbox;
    private final Duration queryOverdue;

    /**
     * @param fileOwner    the API client payout files belong to ({@code payout.intake.file.owner})
     * @param outbox       where file results are written ({@code payout.intake.file.outbox-dir})
     * @param queryOverdue how late an UNKNOWN payout's next status query may be before it needs attention
     */
    public ConsoleApi(PayoutStore store, AccountGuards guards, AuditTrail audit, String fileOwner, Path outbox,
                      Duration queryOverdue) {
        this.store = store;
        this.dataSource = store.dataSource();
        this.guards = guards;
        this.audit = audit;
        this.fileOwner = fileOwner;
        this.outbox = outbox.toAbsolutePath().normalize();
        this.queryOverdue = queryOverdue;
    }

    // ------------------------------------------------------------------------------------ overview

    /** {@code GET /api/v1/overview}: counts and amounts by state and account, ages, circuits, attention. */
    public void overview(Exchange exchange) {
        ApiClients.Client client = client(exchange);
        String owner = client.readsAll() ? null : client.name();
        Instant now = store.now();
        Map<PayoutState, long[]> stateCounts = new EnumMap<>(PayoutState.class);
        Map<PayoutState, Map<String, BigDecimal>> stateAmounts = new EnumMap<>(PayoutState.class);
        Map<String, Map<String, Long>> accountStates = new TreeMap<>();
        Map<String, Map<String, BigDecimal>> accountAmounts = new TreeMap<>();
        ObjectNode out = Json.MAPPER.createObjectNode();
        read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT state, account, currency, COUNT(*), "
                    + "SUM(CASE WHEN state <> 'REJECTED' THEN CAST(amount AS DECIMAL(19, 4)) END) FROM payout"
                    + (owner == null ? "" : " WHERE owner = ?") + " GROUP BY state, account, currency")) {
                if (owner != null) {
                    ps.setString(1, owner);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        PayoutState state = PayoutState.valueOf(rs.getString(1));
                        String account = rs.getString(2) == null ? "(none)" : rs.getString(2);
                        String currency = rs.getString(3) == null ? "(none)" : rs.getString(3);
                        long n = rs.getLong(4);
                        BigDecimal sum = rs.getBigDecimal(5);
                        stateCounts.computeIfAbsent(state, s -> new long[1])[0] += n;
                        accountStates.computeIfAbsent(account, a -> new LinkedHashMap<>()).merge(state.name(), n, Long::sum);
                        if (sum != null) {
                            stateAmounts.computeIfAbsent(state, s -> new TreeMap<>()).merge(currency, sum, BigDecimal::add);
                            accountAmounts.computeIfAbsent(account, a -> new TreeMap<>()).merge(currency, sum, BigDecimal::add);
                        }
                    }
                }
            }
            out.put("oldest_unknown_seconds", age(c, "SELECT MIN(COALESCE(unknown_since, created_at)) FROM payout "
                    + "WHERE state = 'UNKNOWN'", owner, now));
            out.put("oldest_submitted_seconds", age(c, "SELECT MIN(created_at) FROM payout WHERE state = 'SUBMITTED'",
                    owner, now));
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM payout WHERE " + ATTENTION
                    + (owner == null ? "" : " AND owner = ?"))) {
                ps.setObject(1, PayoutStore.ts(now.minus(queryOverdue)));
                if (owner != null) {
                    ps.setString(2, owner);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    out.put("needs_attention", rs.getLong(1));
                }
            }
            return null;
        });
        out.put("as_of", now.toString());
        out.put("scope", owner == null ? "all" : "own");
        ArrayNode states = out.putArray("states");
        long total = 0;
        for (PayoutState s : PayoutState.values()) {
            long n = stateCounts.getOrDefault(s, new long[1])[0];
            total += n;
            ObjectNode o = states.addObject().put("state", s.name()).put("count", n);
            amounts(o, stateAmounts.get(s));
        }
        out.put("total", total);
        TreeSet<String> accounts = new TreeSet<>(accountStates.keySet());
        accounts.addAll(guards.accounts());
        ArrayNode list = out.putArray("accounts");
        for (String a : accounts) {
            ObjectNode o = list.addObject().put("account", a);
            Map<String, Long> byState = accountStates.getOrDefault(a, Map.of());
            o.put("count", byState.values().stream().mapToLong(Long::longValue).sum());
            ObjectNode s = o.putObject("states");
            for (PayoutState st : PayoutState.values()) {
                s.put(st.name(), byState.getOrDefault(st.name(), 0L));
            }
            amounts(o, accountAmounts.get(a));
            if (guards.accounts().contains(a)) {
                o.put("circuit", guards.state(a).name());
                o.put("rate_limit", guards.rateLimit(a));
                o.put("max_concurrent", guards.maxConcurrent(a));
            } else {
                o.putNull("circuit");
            }
        }
        intakes(exchange.getContext(), out.putArray("intakes"));
        reply(exchange, 200, out);
    }

    /** The intakes and whether each runs: its route's status, and for files how many are being read. */
    private void intakes(org.apache.camel.CamelContext camel, ArrayNode out) {
        long reading = read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM intake_file WHERE state = 'READING'");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
        for (String[] intake : new String[][] {{"files", "file-intake"}, {"ERP table", "erp-intake"}, {"HTTP API", "api-submit"}}) {
            org.apache.camel.ServiceStatus status = camel.getRouteController().getRouteStatus(intake[1]);
            ObjectNode o = out.addObject().put("intake", intake[0]).put("route", intake[1])
                    .put("status", status == null ? "not configured" : status.name());
            if (intake[1].equals("file-intake")) {
                o.put("files_reading", reading);
            }
        }
    }

    /** UNKNOWN payouts an operator should look at: flagged, or with their next status query overdue (or none planned). */
    private static final String ATTENTION = "state = 'UNKNOWN' AND (needs_attention = TRUE OR next_action_at IS NULL "
            + "OR next_action_at < ?)";

    private static Long age(Connection c, String sql, String owner, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql + (owner == null ? "" : " AND owner = ?"))) {
            if (owner != null) {
                ps.setString(1, owner);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                OffsetDateTime t = rs.getObject(1, OffsetDateTime.class);
                return t == null ? null : Math.max(0, Duration.between(t.toInstant(), now).toSeconds());
            }
        }
    }

    private static void amounts(ObjectNode o, Map<String, BigDecimal> amounts) {
        ObjectNode a = o.putObject("amounts");
        if (amounts != null) {
            amounts.forEach((currency, sum) -> a.put(currency, plain(sum)));
        }
    }

    private static String plain(BigDecimal d) {
        return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
    }

    // ------------------------------------------------------------------------------------ search

    /**
     * {@code GET /api/v1/payouts/search?reference=&provider_reference=&file=&erp_row=&account=&state=&since=&until=
     * &min_amount=&max_amount=&page=&size=&format=}: newest first; {@code format=csv} downloads every match
     * (at most {@value #CSV_MAX_ROWS}) as CSV.
     */
    public void search(Exchange exchange) {
        ApiClients.Client client = client(exchange);
        PayoutStore.Criteria criteria;
        int[] paging;
        boolean csv;
        try {
            String reference = param(exchange, "reference", REFERENCE, "letters, digits, - and _, at most 32");
            String providerReference = param(exchange, "provider_reference", TEXT, "at most 255 characters of text");
            String file = param(exchange, "file", TEXT, "a file name, at most 255 characters");
            String erpRow = param(exchange, "erp_row", TEXT, "an ERP row id");
            if (file != null && erpRow != null) {
                throw new IllegalArgumentException("file and erp_row exclude each other");
            }
            String account = param(exchange, "account", ACCOUNT, "a provider account name");
            String country = param(exchange, "country", Pattern.compile("[A-Za-z]{2}"), "a two-letter country code");
            BigDecimal min = decimal(param(exchange, "min_amount", AMOUNT, "a plain decimal amount"));
            BigDecimal max = decimal(param(exchange, "max_amount", AMOUNT, "a plain decimal amount"));
            String format = Optional.ofNullable(query(exchange, "format")).orElse("json").toLowerCase(Locale.ROOT);
            if (!format.equals("json") && !format.equals("csv")) {
                throw new IllegalArgumentException("format: json or csv");
            }
            csv = format.equals("csv");
            criteria = new PayoutStore.Criteria(reference, providerReference, file != null ? "FILE" : erpRow != null ? "ERP" : null,
                    file != null ? file : erpRow, account, state(query(exchange, "state")), country,
                    instant(exchange, "since"), instant(exchange, "until"), min, max, client.readsAll() ? null : client.name());
            paging = paging(exchange);
        } catch (IllegalArgumentException e) {
            badQuery(exchange, e.getMessage());
            return;
        }
        if (csv) {
            csv(exchange, criteria);
            return;
        }
        page(exchange, store.search(criteria, paging[0], paging[1]), paging);
    }

    /** {@code GET /api/v1/erp-rows?state=&page=&size=}: the payouts of the ERP table, newest first. */
    public void erpRows(Exchange exchange) {
        ApiClients.Client client = client(exchange);
        int[] paging;
        PayoutStore.Criteria criteria;
        try {
            criteria = new PayoutStore.Criteria(param(exchange, "reference", REFERENCE, "letters, digits, - and _"), null,
                    "ERP", param(exchange, "erp_row", TEXT, "an ERP row id"), null, state(query(exchange, "state")), null,
                    null, null, null, null, client.readsAll() ? null : client.name());
            paging = paging(exchange);
        } catch (IllegalArgumentException e) {
            badQuery(exchange, e.getMessage());
            return;
        }
        page(exchange, store.search(criteria, paging[0], paging[1]), paging);
    }

    private void page(Exchange exchange, PayoutStore.Page result, int[] paging) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("page", paging[0]);
        out.put("size", paging[1]);
        out.put("total", result.total());
        ArrayNode items = out.putArray("items");
        result.items().forEach(p -> items.add(masked(p)));
        reply(exchange, 200, out);
    }

    private void csv(Exchange exchange, PayoutStore.Criteria criteria) {
        StringWriter text = new StringWriter();
        try (CSVPrinter printer = new CSVPrinter(text, CSVFormat.RFC4180.builder().setHeader(CSV_COLUMNS.toArray(String[]::new)).build())) {
            int page = 0;
            int written = 0;
            while (written < CSV_MAX_ROWS) {
                PayoutStore.Page p = store.search(criteria, page++, MAX_PAGE_SIZE);
                for (Payout payout : p.items()) {
                    if (written++ >= CSV_MAX_ROWS) {
                        break;
                    }
                    ObjectNode o = masked(payout);
                    List<String> row = new ArrayList<>();
                    for (String column : CSV_COLUMNS) {
                        row.add(cell(o.path(column).isNull() || o.path(column).isMissingNode() ? "" : o.path(column).asText()));
                    }
                    printer.printRecord(row);
                }
                if (p.items().size() < MAX_PAGE_SIZE) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/csv; charset=utf-8");
        exchange.getMessage().setHeader("Content-Disposition", "attachment; filename=\"payouts.csv\"");
        exchange.getMessage().setBody(text.toString());
    }

    /**
     * A cell as a spreadsheet cannot take it for a formula: text starting with {@code = + - @} or a
     * tab or carriage return gets a leading apostrophe (OWASP, "CSV injection").
     */
    static String cell(String value) {
        return !value.isEmpty() && "=+-@\t\r".indexOf(value.charAt(0)) >= 0 ? "'" + value : value;
    }

    // ------------------------------------------------------------------------------------ story

    /**
     * {@code GET /api/v1/payouts/{reference}/story}: the payout (masked), its state history, the
     * provider calls and notifies, the callback attempts and the operator actions, each oldest
     * first, and which operator actions its state allows this client.
     */
    public void story(Exchange exchange) {
        ApiClients.Client client = client(exchange);
        String reference = exchange.getIn().getHeader("reference", String.class);
        Optional<Payout> found = reference == null || !REFERENCE.matcher(reference).matches()
                ? Optional.empty() : store.find(reference);
        if (found.isPresent() && !visible(client, found.get())) {
            audit(exchange, client.name(), "payout-story", reference, "REFUSED", 404, "payout of another client");
            found = Optional.empty();
        }
        if (found.isEmpty()) {
            reply(exchange, 404, ApiProblem.of(404, "Not found", "no payout with reference " + reference));
            return;
        }
        Payout p = found.get();
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.set("payout", masked(p));
        ArrayNode history = out.putArray("history");
        for (HistoryEntry e : store.history(reference)) {
            ObjectNode x = history.addObject();
            x.put("at", e.at() == null ? null : e.at().toString());
            x.put("from", e.from() == null ? null : e.from().name());
            x.put("to", e.to().name());
            x.put("provider_code", e.providerCode());
            x.put("message", e.message());
        }
        read(c -> {
            out.set("provider_calls", rows(c, "SELECT * FROM provider_call WHERE reference = ? ORDER BY id", reference));
            out.set("notifies", rows(c, "SELECT * FROM provider_notify WHERE reference = ? ORDER BY id", reference));
            out.set("callbacks", rows(c, "SELECT * FROM callback_delivery WHERE reference = ? ORDER BY id", reference));
            out.set("operator_actions", rows(c, "SELECT * FROM operator_action WHERE reference = ? ORDER BY id", reference));
            return null;
        });
        ArrayNode allowed = out.putArray("actions_allowed");
        allowedActions(client, p).forEach(allowed::add);
        reply(exchange, 200, out);
    }

    /** The operator actions the payout's state allows, when the client is an operator (the API decides in the end). */
    static List<String> allowedActions(ApiClients.Client client, Payout p) {
        if (!client.has(Role.OPERATOR)) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        switch (p.state()) {
            case RECEIVED -> out.add("cancel");
            case SUBMITTED -> out.add("query-now");
            case UNKNOWN -> out.addAll(List.of("query-now", "resend", "propose-settlement"));
            case SUCCESS, FAILED -> {
                if (p.instruction().callbackUrl() != null) {
                    out.add("redeliver-callback");
                }
            }
            default -> { }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------ attention

    /** {@code GET /api/v1/attention?page=&size=}: UNKNOWN payouts that need attention, oldest first, with the provider's last word. */
    public void attention(Exchange exchange) {
        ApiClients.Client client = client(exchange);
        int[] paging;
        try {
            paging = paging(exchange);
        } catch (IllegalArgumentException e) {
            badQuery(exchange, e.getMessage());
            return;
        }
        String owner = client.readsAll() ? null : client.name();
        Instant now = store.now();
        Map<String, Instant> nextQuery = new LinkedHashMap<>();
        Map<String, String> lastWord = new LinkedHashMap<>();
        long[] total = new long[1];
        read(c -> {
            String where = " FROM payout WHERE " + ATTENTION + (owner == null ? "" : " AND owner = ?");
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*)" + where)) {
                ps.setObject(1, PayoutStore.ts(now.minus(queryOverdue)));
                if (owner != null) {
                    ps.setString(2, owner);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    total[0] = rs.getLong(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT reference, next_action_at" + where
                    + " ORDER BY COALESCE(unknown_since, created_at), id LIMIT " + paging[1] + " OFFSET " + ((long) paging[0] * paging[1]))) {
                ps.setObject(1, PayoutStore.ts(now.minus(queryOverdue)));
                if (owner != null) {
                    ps.setString(2, owner);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        OffsetDateTime t = rs.getObject(2, OffsetDateTime.class);
                        nextQuery.put(rs.getString(1), t == null ? null : t.toInstant());
                    }
                }
            }
            for (String reference : nextQuery.keySet()) {
                try (PreparedStatement ps = c.prepareStatement("SELECT message, provider_code FROM provider_call "
                        + "WHERE reference = ? ORDER BY id DESC LIMIT 1")) {
                    ps.setString(1, reference);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            String code = rs.getString(2);
                            String message = rs.getString(1);
                            lastWord.put(reference, code == null ? message : message == null ? code : code + ": " + message);
                        }
                    }
                }
            }
            return null;
        });
        Map<String, Payout> payouts = store.findAll(new ArrayList<>(nextQuery.keySet())).stream()
                .collect(Collectors.toMap(Payout::reference, p -> p));
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("page", paging[0]);
        out.put("size", paging[1]);
        out.put("total", total[0]);
        ArrayNode items = out.putArray("items");
        nextQuery.forEach((reference, next) -> {
            Payout p = payouts.get(reference);
            if (p == null) {
                return;
            }
            ObjectNode o = masked(p);
            Instant since = p.unknownSince() != null ? p.unknownSince() : p.createdAt();
            o.put("unknown_since", since.toString());
            o.put("unknown_seconds", Math.max(0, Duration.between(since, now).toSeconds()));
            o.put("next_query_at", next == null ? null : next.toString());
            o.put("query_count", p.queryCount());
            o.put("why", p.needsAttention() ? "flagged by the gateway" : next == null ? "no status query planned"
                    : "status query overdue");
            o.put("last_provider_message", lastWord.getOrDefault(reference, p.message()));
            items.add(o);
        });
        reply(exchange, 200, out);
    }

    // ------------------------------------------------------------------------------------ files

    /** {@code GET /api/v1/files?page=&size=}: payout files, newest first, with what became of their rows. */
    public void files(Exchange exchange) {
        ApiClients.Client client = client(exchange);
        int[] paging;
        try {
            paging = paging(exchange);
        } catch (IllegalArgumentException e) {
            badQuery(exchange, e.getMessage());
            return;
        }
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("page", paging[0]);
        out.put("size", paging[1]);
        ArrayNode items = out.putArray("items");
        if (!readsFiles(client)) {
            out.put("total", 0);
            reply(exchange, 200, out);
            return;
        }
        read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM intake_file");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                out.put("total", rs.getLong(1));
            }
            Map<Long, ObjectNode> byId = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, name, size_bytes, state, row_count, result_name, "
                    + "received_at, completed_at FROM intake_file ORDER BY id DESC LIMIT " + paging[1]
                    + " OFFSET " + ((long) paging[0] * paging[1]));
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ObjectNode o = items.addObject();
                    o.put("id", rs.getLong(1));
                    o.put("name", rs.getString(2));
                    o.put("size_bytes", rs.getLong(3));
                    o.put("state", rs.getString(4));
                    o.put("row_count", rs.getInt(5));
                    o.put("result_name", rs.getString(6));
                    o.put("received_at", text(rs.getObject(7, OffsetDateTime.class)));
                    o.put("completed_at", text(rs.getObject(8, OffsetDateTime.class)));
                    o.put("result", rs.getString(6) == null ? null : "/api/v1/files/" + rs.getLong(1) + "/result");
                    for (String n : List.of("stored", "rejected", "duplicate", "sent", "final")) {
                        o.put(n, 0);
                    }
                    byId.put(rs.getLong(1), o);
                }
            }
            if (byId.isEmpty()) {
                return null;
            }
            String in = byId.keySet().stream().map(id -> "?").collect(Collectors.joining(", "));
            try (PreparedStatement ps = c.prepareStatement("SELECT r.file_id, r.outcome, p.state, COUNT(*) FROM intake_file_row r "
                    + "LEFT JOIN payout p ON p.reference = r.reference AND r.outcome = 'ACCEPTED' "
                    + "WHERE r.file_id IN (" + in + ") GROUP BY r.file_id, r.outcome, p.state")) {
                int i = 1;
                for (long id : byId.keySet()) {
                    ps.setLong(i++, id);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ObjectNode o = byId.get(rs.getLong(1));
                        String outcome = rs.getString(2);
                        String state = rs.getString(3);
                        long n = rs.getLong(4);
                        switch (outcome) {
                            case "ACCEPTED" -> {
                                add(o, "stored", n);
                                if (state != null && SENT.contains(PayoutState.valueOf(state))) {
                                    add(o, "sent", n);
                                }
                                if (state != null && PayoutState.valueOf(state).isFinal()) {
                                    add(o, "final", n);
                                }
                            }
                            case "REJECTED" -> add(o, "rejected", n);
                            case "DUPLICATE" -> add(o, "duplicate", n);
                            default -> { }
                        }
                    }
                }
            }
            return null;
        });
        reply(exchange, 200, out);
    }

    private static void add(ObjectNode o, String field, long n) {
        o.put(field, o.path(field).asLong() + n);
    }

    /**
     * {@code GET /api/v1/files/{id}/result}: the file's result CSV from the outbox. The file read is
     * the one the store names for that id, and only when it lies directly in the outbox and is a
     * regular file: nothing of the request becomes part of a path.
     */
    public void fileResult(Exchange exchange) {
        ApiClients.Client client = client(exchange);
        String idText = exchange.getIn().getHeader("id", String.class);
        long id;
        try {
            id = idText != null && idText.matches("[0-9]{1,18}") ? Long.parseLong(idText) : -1;
        } catch (NumberFormatException e) {
            id = -1;
        }
        String resultName = null;
        if (id >= 0 && readsFiles(client)) {
            long wanted = id;
            resultName = read(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT result_name FROM intake_file WHERE id = ?")) {
                    ps.setLong(1, wanted);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() ? rs.getString(1) : null;
                    }
                }
            });
        }
        Path file = resultName == null ? null : outbox.resolve(resultName).normalize();
        if (file == null || !outbox.equals(file.getParent()) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            reply(exchange, 404, ApiProblem.of(404, "Not found", "no result file for file " + idText));
            return;
        }
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            reply(exchange, 404, ApiProblem.of(404, "Not found", "the result file of file " + id + " cannot be read"));
            return;
        }
        String name = file.getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_");
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/csv; charset=utf-8");
        exchange.getMessage().setHeader("Content-Disposition", "attachment; filename=\"" + name + "\"");
        exchange.getMessage().setBody(content);
    }

    /** Files belong to {@code payout.intake.file.owner}: a client that does not read all sees them only if it is that owner. */
    private boolean readsFiles(ApiClients.Client client) {
        return client.readsAll() || client.name().equals(fileOwner);
    }

    // ------------------------------------------------------------------------------------ plumbing

    /** The payout as the API shows it, with account number, mobile and id number cut to their last 4. */
    static ObjectNode masked(Payout p) {
        ObjectNode o = PayoutJson.of(p);
        for (String f : List.of("account_number", "mobile", "id_number")) {
            if (o.hasNonNull(f)) {
                o.put(f, mask(o.get(f).asText()));
            }
        }
        o.put("intake_ref", p.intakeRef());
        if ("FILE".equals(p.intake())) {
            o.put("file", p.intakeRef());
        } else if ("ERP".equals(p.intake())) {
            o.put("erp_row", p.intakeRef());
        }
        return o;
    }

    /** Only the last 4 characters shown: {@code 254712345678} is {@code ****5678}; 4 or fewer are all hidden. */
    static String mask(String value) {
        return value.length() <= 4 ? "****" : "****" + value.substring(value.length() - 4);
    }

    private static boolean visible(ApiClients.Client client, Payout p) {
        return client.readsAll() || client.name().equals(p.owner());
    }

    /** The rows of a story table as JSON objects, column names as keys, times as ISO-8601. */
    private static ArrayNode rows(Connection c, String sql, String reference) throws SQLException {
        ArrayNode out = Json.MAPPER.createArrayNode();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, reference);
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                while (rs.next()) {
                    ObjectNode o = out.addObject();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        String name = md.getColumnLabel(i).toLowerCase(Locale.ROOT);
                        if (name.equals("reference")) {
                            continue;
                        }
                        Object v = rs.getObject(i);
                        if (v == null) {
                            o.putNull(name);
                        } else if (v instanceof Boolean b) {
                            o.put(name, b);
                        } else if (v instanceof Long || v instanceof Integer || v instanceof Short) {
                            o.put(name, ((Number) v).longValue());
                        } else if (v instanceof java.sql.Timestamp || v instanceof java.time.temporal.Temporal
                                || v.getClass().getName().startsWith("org.h2.api")) {
                            o.put(name, text(rs.getObject(i, OffsetDateTime.class)));
                        } else {
                            o.put(name, v.toString());
                        }
                    }
                }
            }
        }
        return out;
    }

    private <T> T read(PayoutStore.Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setReadOnly(true);
            return work.run(c);
        } catch (SQLException e) {
            throw new PayoutStoreException("console read failed", e);
        }
    }

    private static String text(OffsetDateTime t) {
        return t == null ? null : t.toInstant().toString();
    }

    private static ApiClients.Client client(Exchange exchange) {
        return exchange.getProperty("apiClient", ApiClients.Client.class);
    }

    private void audit(Exchange exchange, String client, String action, String reference, String outcome, int status,
                       String detail) {
        audit.record(List.of(new AuditTrail.Event(client, action, reference, outcome, status,
                exchange.getProperty("apiSource", String.class), detail)));
    }

    private static String query(Exchange exchange, String name) {
        String v = exchange.getIn().getHeader(name, String.class);
        return v == null || v.isBlank() ? null : v.strip();
    }

    private static String param(Exchange exchange, String name, Pattern shape, String what) {
        String v = query(exchange, name);
        if (v != null && !shape.matcher(v).matches()) {
            throw new IllegalArgumentException(name + ": " + what);
        }
        return v;
    }

    private static PayoutState state(String text) {
        if (text == null) {
            return null;
        }
        return Arrays.stream(PayoutState.values()).filter(s -> s.name().equalsIgnoreCase(text)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("state: one of " + List.of(PayoutState.values())));
    }

    private static Instant instant(Exchange exchange, String name) {
        String v = query(exchange, name);
        try {
            return v == null ? null : Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(name + ": an ISO-8601 instant (2026-11-21T00:00:00Z)");
        }
    }

    private static BigDecimal decimal(String text) {
        return text == null ? null : new BigDecimal(text);
    }

    private static int[] paging(Exchange exchange) {
        String page = param(exchange, "page", Pattern.compile("[0-9]{1,6}"), "a whole number from 0");
        String size = param(exchange, "size", Pattern.compile("[0-9]{1,3}"), "1.." + MAX_PAGE_SIZE);
        int p = page == null ? 0 : Integer.parseInt(page);
        int s = size == null ? 50 : Integer.parseInt(size);
        if (s < 1 || s > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("size: 1.." + MAX_PAGE_SIZE);
        }
        return new int[] {p, s};
    }

    private static void badQuery(Exchange exchange, String detail) {
        reply(exchange, 400, ApiProblem.of(400, "Bad query", detail));
    }

    static void reply(Exchange exchange, int status, ObjectNode body) {
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, status >= 400 ? ApiProblem.MEDIA_TYPE : "application/json");
        exchange.getMessage().setBody(body.toString());
    }
}
