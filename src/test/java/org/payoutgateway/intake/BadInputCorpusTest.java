package org.payoutgateway.intake;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.payoutgateway.support.StandInProviders.json;

import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.payoutgateway.intake.file.FileResults;
import org.payoutgateway.payout.Payout;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.payout.PayoutStore;
import org.payoutgateway.support.Gateway;
import org.payoutgateway.support.StandInProviders;

/**
 * A corpus of malformed payout files, dropped the documented way (written under a hidden name, then
 * renamed) into ONE booted gateway whose stand-in providers accept every payout. Each file must give
 * the outcome docs/files.md documents:
 * <ul>
 *   <li>a file that cannot be read at all goes to the error folder unchanged, with
 *       {@code <name>.error.txt} saying why, and nothing of it is stored or sent;</li>
 *   <li>any other file gets {@code <name>.result.csv}: one row per input row in input order, a bad row
 *       {@code REJECTED} with {@code field: reason} naming the field, a good row {@code SUCCESS} (paid
 *       once); a file that breaks in the middle keeps the rows before and reports the break as a row
 *       of its own; the original is archived unchanged.</li>
 * </ul>
 * Afterwards the gateway is still healthy: every dropped file left the inbox, no payout is stuck,
 * the counts per state are exactly what the corpus implies, and a final good file still goes through.
 * <p>
 * Cases that showed a bug (since fixed) are separate tests with the right expectation.
 * References are unique per case ({@code BI<nn>-…}; bug cases {@code BB<n>-…}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputCorpusTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    static final String TAG = UUID.randomUUID().toString().substring(0, 6);

    /** 13 canonical columns, as the examples and DispatchSafetyTest use them. */
    static final String HEADER = "reference,country,provider,amount,currency,beneficiary_name,account_number,bank_code,"
            + "account_type,mobile,email,id_number,remark";

    static StandInProviders providers;
    static Gateway gateway;

    /** Every file this class dropped: name and SHA-256 of its bytes. Each must end in the archive or error folder. */
    static final Map<String, String> DROPPED = new ConcurrentHashMap<>();
    /** References that must end SUCCESS; references stored REJECTED. Together they must be the whole payout table. */
    static final Set<String> PAID = ConcurrentHashMap.newKeySet();
    static final Set<String> STORED_REJECTED = ConcurrentHashMap.newKeySet();
    /** Files that must stay in the inbox (in-progress names), with the time they were dropped. */
    static final Map<String, Long> LEFT = new ConcurrentHashMap<>();

    static final List<Case> CORPUS = corpus();

    @BeforeAll
    static void start() throws Exception {
        providers = new StandInProviders();
        acceptEverything(providers);
        gateway = Gateway.start("bad-input", providers.settings());
        for (Case c : CORPUS) {
            drop(c);
        }
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

    // =========================================================================== the expectations

    /** What a dropped file must give. */
    sealed interface Expect permits Unreadable, Result, LeftAlone {
    }

    /**
     * A name starting with '.' is an in-progress file by the documented writer convention: it stays in
     * the inbox untouched, nothing of it is read or stored.
     */
    record LeftAlone(List<String> refsInside) implements Expect {
    }

    /** Error folder, note containing every phrase; none of {@code refsInside} stored or sent. */
    record Unreadable(List<String> phrases, List<String> refsInside) implements Expect {
    }

    /** A result file of exactly these lines in this order; {@code notStored}: references in the file never stored. */
    record Result(List<Line> lines, List<String> notStored) implements Expect {
    }

    /**
     * One result row: reference ("" when the row could not be read as an instruction), status, and
     * phrases its message must contain (a phrase starting with {@code re:} is a regular expression).
     */
    record Line(String reference, String status, List<String> phrases) {
    }

    @FunctionalInterface
    interface Check {
        void verify() throws Exception;
    }

    record Case(String id, String what, String name, byte[] bytes, Expect expect, Check extra) {
        @Override
        public String toString() {
            return id + " " + what;
        }
    }

    static Line ok(String ref) {
        return new Line(ref, "SUCCESS", List.of());
    }

    static Line rejected(String ref, String... phrases) {
        return new Line(ref, "REJECTED", List.of(phrases));
    }

    /** A row that could not be read as an instruction (or the break of a file): no reference. */
    static Line unreadableRow(String... phrases) {
        return new Line("", "REJECTED", List.of(phrases));
    }

    static Line duplicate(String ref, String... phrases) {
        return new Line(ref, "DUPLICATE", List.of(phrases));
    }

    static Result result(Line... lines) {
        return new Result(List.of(lines), List.of());
    }

    static Result result(List<String> notStored, Line... lines) {
        return new Result(List.of(lines), notStored);
    }

    static Unreadable unreadable(List<String> refsInside, String... phrases) {
        return new Unreadable(List.of(phrases), refsInside);
    }

    // ================================================================================ the corpus

    static final String PLAIN = "amount: must be a plain decimal number";
    static final String BREAK = "the rest of the file was not read";

    static List<Case> corpus() {
        List<Case> c = new ArrayList<>();

        // ------------------------------------------------------------------ broken CSV quoting
        add(c, "BI01", "unclosed quote at the start of the header row", "csv",
                utf8("\"" + HEADER + "\n" + ke("BI01-A") + "\n"),
                unreadable(List.of("BI01-A"), "EOF reached before encapsulated token finished"));
        add(c, "BI02", "unclosed quote at the start of the first data row", "csv",
                csv("\"" + ke("BI02-A"), ke("BI02-B")),
                unreadable(List.of("BI02-A", "BI02-B"), "unreadable after data row 0",
                        "EOF reached before encapsulated token finished"));
        add(c, "BI03", "unclosed quote in the middle, after good rows", "csv",
                csv(ke("BI03-A"), idWith("BI03-B", "150000", "IDR", "Budi Santoso"),
                        "BI03-C,KE,,\"1500,KES,,,,,254712345678,,,", ke("BI03-D")),
                result(List.of("BI03-C", "BI03-D"), ok("BI03-A"), ok("BI03-B"),
                        unreadableRow("row: unreadable after data row 2", "EOF reached before encapsulated token finished",
                                BREAK)));
        add(c, "BI04", "stray quote inside unquoted fields (name kept verbatim, amount refused)", "csv",
                csv(idWith("BI04-A", "150000", "IDR", "Budi \"Big\" Santoso"), keAmount("BI04-B", "15\"00"), ke("BI04-C")),
                result(ok("BI04-A"), rejected("BI04-B", PLAIN), ok("BI04-C")),
                () -> assertThat(gateway.payout("BI04-A").instruction().beneficiaryName()).isEqualTo("Budi \"Big\" Santoso"));
        add(c, "BI05", "text after a closing quote", "csv",
                csv(ke("BI05-A"), "\"BI05-B\"x,KE,,1500,KES,,,,,254712345678,,,", ke("BI05-C")),
                result(List.of("BI05-B", "BI05-C"), ok("BI05-A"),
                        unreadableRow("row: unreadable after data row 1",
                                "Invalid character between encapsulated token and delimiter", BREAK)));

        // ---------------------------------------------------------------------- wrong encoding
        add(c, "BI06", "Latin-1 bytes (é in the first data row)", "csv",
                (HEADER + "\n" + idWith("BI06-A", "150000", "IDR", "José Santoso") + "\n").getBytes(StandardCharsets.ISO_8859_1),
                unreadable(List.of("BI06-A"), "not valid UTF-8"));
        add(c, "BI07", "UTF-16 with BOM", "csv",
                (HEADER + "\n" + ke("BI07-A") + "\n").getBytes(StandardCharsets.UTF_16),
                unreadable(List.of("BI07-A"), "not valid UTF-8"));
        add(c, "BI08", "UTF-16LE without BOM (every other byte NUL)", "csv",
                (HEADER + "\n" + ke("BI08-A") + "\n").getBytes(StandardCharsets.UTF_16LE),
                unreadable(List.of("BI08-A"), "lacks the column(s) reference, country, amount, currency"));
        add(c, "BI09", "invalid UTF-8: a lone continuation byte in the header", "csv",
                concat(utf8("refer"), new byte[] {(byte) 0x80}, utf8("ence" + HEADER.substring(9) + "\n" + ke("BI09-A") + "\n")),
                unreadable(List.of("BI09-A"), "not valid UTF-8"));
        add(c, "BI10", "invalid UTF-8: overlong encoding and a multi-byte sequence cut at the end", "csv",
                concat(csv(ke("BI10-A")), utf8("BI10-B,KE,,1500,KES,"), new byte[] {(byte) 0xC0, (byte) 0xAF},
                        utf8(",,,,254712345678,,,\n"), new byte[] {(byte) 0xE2, (byte) 0x82}),
                unreadable(List.of("BI10-A", "BI10-B"), "not valid UTF-8"));
        add(c, "BI11", "JSON in Windows-1252 (smart quotes in a name)", "json",
                ("[{\"reference\":\"BI11-A\",\"country\":\"KE\",\"amount\":1500,\"currency\":\"KES\",\"mobile\":\"254712345678\","
                        + "\"remark\":\"\u201Cbonus\u201D\"}]").getBytes(Charset.forName("windows-1252")),
                unreadable(List.of("BI11-A"), "not valid UTF-8"));

        // ------------------------------------------------------------------------------ header
        add(c, "BI12", "missing header (the first line is a data row)", "csv",
                utf8(ke("BI12-A") + "\n" + ke("BI12-B") + "\n"),
                unreadable(List.of("BI12-A", "BI12-B"), "lacks the column(s) reference, country, amount, currency"));
        add(c, "BI13", "header without the amount column", "csv",
                utf8("reference,country,currency,mobile\nBI13-A,KE,KES,254712345678\n"),
                unreadable(List.of("BI13-A"), "lacks the column(s) amount"));
        add(c, "BI14", "header only, no rows", "csv", utf8(HEADER + "\r\n"), result());
        add(c, "BI15", "semicolon-separated", "csv",
                utf8(HEADER.replace(',', ';') + "\n" + ke("BI15-A").replace(',', ';') + "\n"),
                unreadable(List.of("BI15-A"), "lacks the column(s) reference, country, amount, currency"));
        add(c, "BI16", "unknown extra columns (before, between, after, unnamed), any case, blank lines", "csv",
                utf8("note,Reference,COUNTRY,provider,Amount,currency,internal_id,beneficiary_name,account_number,bank_code,"
                        + "account_type,mobile,email,id_number,remark,\n\n"
                        + "x,BI16-A,KE,,1500,KES,77,,,,,254712345678,,,,\n\n\n"
                        + "y,BI16-B,ID,,150000,IDR,78,Budi Santoso,5464438554636,0002,,081245907765,budi@example.com,,salary,z\n"),
                result(ok("BI16-A"), ok("BI16-B")));
        add(c, "BI17", "fewer and more fields than the header", "csv",
                csv(ke("BI17-A"), "BI17-B,KE,,1500,KES", ke("BI17-C") + ",extra,extra", ke("BI17-D")),
                result(List.of("BI17-B", "BI17-C"), ok("BI17-A"), unreadableRow("row: row has 5 fields, the header has 13"),
                        unreadableRow("row: row has 15 fields, the header has 13"), ok("BI17-D")));
        add(c, "BI18", "a row with every field empty", "csv",
                csv(",,,,,,,,,,,,", ke("BI18-A")),
                result(rejected("", "reference: is required", "country: is required", "amount: is required",
                        "currency: is required"), ok("BI18-A")));
        add(c, "BI19", "a line of spaces between good rows", "csv",
                csv(ke("BI19-A"), "   ", ke("BI19-B")),
                result(ok("BI19-A"), unreadableRow("row: row has 1 fields, the header has 13"), ok("BI19-B")));

        // ------------------------------------------------------------------------ huge fields
        add(c, "BI20", "a 2,000-character beneficiary name", "csv",
                csv(idWith("BI20-A", "150000", "IDR", "A".repeat(2000)), ke("BI20-B")),
                result(List.of("BI20-A"), unreadableRow("beneficiary_name: longer than 1024 characters"), ok("BI20-B")));
        // a 10 MB header line is a header with one huge unknown (ignored) column and no rows
        add(c, "BI21", "a 10 MB single line (CSV, no line break at all)", "csv",
                utf8("reference,country,amount,currency," + "x".repeat(10 * 1024 * 1024)), result());
        add(c, "BI22", "a 10 MB single line (JSON Lines)", "json",
                utf8("{\"reference\":\"BI22-A\",\"country\":\"KE\",\"amount\":1500,\"currency\":\"KES\",\"mobile\":\"254712345678\","
                        + "\"remark\":\"" + "x".repeat(10 * 1024 * 1024) + "\"}"),
                result(List.of("BI22-A"), unreadableRow("remark: longer than 1024 characters")));
        add(c, "BI23", "a JSON array whose element carries a 10 MB remark", "json",
                utf8("[" + jsonKe("BI23-A").replace("}", ",\"remark\":\"" + "x".repeat(10 * 1024 * 1024) + "\"}") + ","
                        + jsonKe("BI23-B") + "]"),
                result(List.of("BI23-A"), unreadableRow("remark: longer than 1024 characters"), ok("BI23-B")));

        // ------------------------------------------------------------- empty, blank and binary
        add(c, "BI24", "empty CSV (0 bytes)", "csv", new byte[0],
                unreadable(List.of(), "lacks the column(s) reference, country, amount, currency"));
        add(c, "BI25", "empty JSON (0 bytes)", "json", new byte[0], unreadable(List.of(), "the file is empty"));
        add(c, "BI26", "whitespace-only CSV", "csv", utf8("   \r\n\t\n  \n"),
                unreadable(List.of(), "lacks the column(s) reference, country, amount, currency"));
        add(c, "BI27", "whitespace-only JSON", "json", utf8(" \n\t\r\n   "), unreadable(List.of(), "the file is empty"));
        byte[] random = new byte[4096];
        new Random(20260101L).nextBytes(random);
        add(c, "BI28", "random bytes named .csv", "csv", random, unreadable(List.of(), "not valid UTF-8"));
        add(c, "BI29", "random bytes named .json", "json", random.clone(), unreadable(List.of(), "not valid UTF-8"));
        byte[] png = concat(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 'I', 'H', 'D', 'R',
            0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1F, 0x15, (byte) 0xC4, (byte) 0x89}, Arrays.copyOf(random, 256));
        add(c, "BI30", "a PNG image named .csv", "csv", png, unreadable(List.of(), "not valid UTF-8"));
        add(c, "BI31", "NUL bytes named .csv", "csv", new byte[2048],
                unreadable(List.of(), "lacks the column(s) reference, country, amount, currency"));
        add(c, "BI32", "NUL bytes named .json", "json", new byte[2048],
                unreadable(List.of(), "not a JSON array or JSON Lines file"));

        // ---------------------------------------------------------------- JSON of the wrong shape
        add(c, "BI33", "JSON: a top-level string", "json", utf8("\"BI33-A,KE,1500,KES\""),
                unreadable(List.of(), "not a JSON array or JSON Lines file: it starts with '\"'"));
        add(c, "BI34", "JSON: a top-level number", "json", utf8("42\n"),
                unreadable(List.of(), "not a JSON array or JSON Lines file: it starts with '4'"));
        add(c, "BI35", "JSON: objects with nested arrays as field values", "json",
                utf8("{\"reference\":[\"BI35-A\"],\"country\":\"KE\",\"amount\":1500,\"currency\":\"KES\",\"mobile\":\"254712345678\"}\n"
                        + "{\"reference\":\"BI35-B\",\"country\":\"KE\",\"amount\":[1500,1600],\"currency\":\"KES\",\"mobile\":\"254712345678\"}\n"
                        + jsonKe("BI35-C") + "\n"),
                result(List.of("BI35-A", "BI35-B"), unreadableRow("reference: must be a text or a number"),
                        unreadableRow("amount: must be a text or a number"), ok("BI35-C")));
        add(c, "BI36", "JSON: a wrapper object holding the array", "json",
                utf8("{\"payouts\":[" + jsonKe("BI36-A") + "]}\n"),
                result(List.of("BI36-A"), rejected("", "reference: is required", "amount: is required")));
        add(c, "BI37", "JSON: an array of arrays", "json",
                utf8("[[\"BI37-A\",\"KE\",1500,\"KES\",\"254712345678\"],[\"BI37-B\"]]"),
                result(List.of("BI37-A", "BI37-B"), unreadableRow("must be a JSON object"), unreadableRow("must be a JSON object")));
        add(c, "BI38", "JSON: an array of nulls", "json", utf8("[null, null, null]"),
                result(unreadableRow("must be a JSON object"), unreadableRow("must be a JSON object"),
                        unreadableRow("must be a JSON object")));
        add(c, "BI39", "JSON: a nested object as a field value", "json",
                utf8("[" + jsonKe("BI39-A").replace("\"amount\":1500", "\"amount\":{\"value\":1500,\"currency\":\"KES\"}")
                        + ",\n" + jsonKe("BI39-B") + "]"),
                result(List.of("BI39-A"), unreadableRow("amount: must be a text or a number"), ok("BI39-B")));
        add(c, "BI40", "JSON: an array cut off inside its third element", "json",
                utf8("[" + jsonKe("BI40-A") + ",\n" + jsonKe("BI40-B") + ",\n{\"reference\":\"BI40-C\",\"coun"),
                result(List.of("BI40-C"), ok("BI40-A"), ok("BI40-B"),
                        unreadableRow("row: invalid JSON in element 3", BREAK)));
        add(c, "BI41", "JSON Lines with a broken line in the middle", "json",
                utf8(jsonKe("BI41-A") + "\n{\"reference\":\"BI41-B\",\"country\":\"KE\",\n" + jsonKe("BI41-C") + "\n"),
                result(List.of("BI41-B"), ok("BI41-A"), unreadableRow("row: line is not valid JSON"), ok("BI41-C")));
        add(c, "BI42", "CSV content in a .json file", "json", csv(ke("BI42-A")),
                unreadable(List.of("BI42-A"), "not a JSON array or JSON Lines file: it starts with 'r'"));
        add(c, "BI43", "JSON content in a .csv file", "csv",
                utf8("[" + jsonKe("BI43-A") + ",\n" + jsonKe("BI43-B") + "]"),
                unreadable(List.of("BI43-A", "BI43-B"), "Invalid character between encapsulated token and delimiter at line: 1"));
        add(c, "BI44", "a pretty-printed single JSON object (not JSON Lines)", "json",
                utf8("{\n  \"reference\": \"BI44-A\",\n  \"country\": \"KE\",\n  \"amount\": 1500,\n  \"currency\": \"KES\",\n"
                        + "  \"mobile\": \"254712345678\"\n}\n"),
                result(List.of("BI44-A"), unreadableRow("line is not valid JSON"),
                        unreadableRow("re:line is not valid JSON|must be a JSON object"),
                        unreadableRow("re:line is not valid JSON|must be a JSON object"),
                        unreadableRow("re:line is not valid JSON|must be a JSON object"),
                        unreadableRow("re:line is not valid JSON|must be a JSON object"),
                        unreadableRow("re:line is not valid JSON|must be a JSON object"),
                        unreadableRow("line is not valid JSON")));

        // ------------------------------------------------------------------ SQL-looking values
        String sqlRef = "1; DROP TABLE payout;--";
        String sqlName = "Robert'); DROP TABLE payout;--";
        add(c, "BI45", "SQL in the reference", "csv", csv(ke(sqlRef), ke("BI45-A")),
                result(rejected(sqlRef, "reference: must be 1-32 characters of A-Z, a-z, 0-9, '_' or '-'"), ok("BI45-A")),
                () -> assertThat(gateway.store().find(sqlRef)).isEmpty());
        add(c, "BI46", "SQL in the beneficiary name and a remark (stored verbatim)", "csv",
                csv(idWith("BI46-A", "150000", "IDR", sqlName), ke("BI46-B") + "'; DELETE FROM payout WHERE '1'='1"),
                result(ok("BI46-A"), ok("BI46-B")),
                () -> {
                    assertThat(gateway.payout("BI46-A").instruction().beneficiaryName()).isEqualTo(sqlName);
                    assertThat(gateway.payout("BI46-B").instruction().remark()).isEqualTo("'; DELETE FROM payout WHERE '1'='1");
                    assertThat(gateway.store().countByState()).as("the payout table still answers").isNotEmpty();
                });

        // --------------------------------------------------------------------- path-like names
        add(c, "BI47", "name '..%2F..%2Fetc.csv': starts with '.', so an in-progress file by the documented convention",
                "..%2F..%2Fetc-" + TAG + ".csv", csv(ke("BI47-A")), new LeftAlone(List.of("BI47-A")));
        add(c, "BI74", "name with URL-encoded ../ not starting with '.'", "%2E%2E%2F%2E%2E%2Fetc-" + TAG + ".csv",
                csv(ke("BI74-A")), result(ok("BI74-A")),
                () -> {
                    for (Path dir : List.of(gateway.home, gateway.home.getParent(), gateway.home.getParent().getParent(),
                            Path.of("").toAbsolutePath())) {
                        assertThat(names(dir)).as("nothing written outside the gateway's folders, in " + dir)
                                .noneMatch(n -> n.startsWith("etc-" + TAG));
                    }
                });
        add(c, "BI48", "name with spaces", "my payouts  " + TAG + " final.csv", csv(ke("BI48-A")), result(ok("BI48-A")));
        add(c, "BI49", "unicode name", "pagos-ñandú-支付-💸-" + TAG + ".json", utf8("[" + jsonKe("BI49-A") + "]"),
                result(ok("BI49-A")));
        add(c, "BI50", "name starting with '-'", "-rf --all " + TAG + ".csv", csv(ke("BI50-A")), result(ok("BI50-A")));
        add(c, "BI51", "upper-case extension", "PAYOUTS-" + TAG + ".CSV", csv(ke("BI51-A")), result(ok("BI51-A")));
        add(c, "BI52", "name with Camel expression syntax", "${date:now:yyyy}-$HOME-{x}-" + TAG + ".csv", csv(ke("BI52-A")),
                result(ok("BI52-A")));

        // ------------------------------------------------------------------------------ amounts
        amount(c, "BI53", "1e9", PLAIN);
        amount(c, "BI54", "-5", "re:amount: must be (a plain decimal number|greater than zero)");
        amount(c, "BI55", "NaN", PLAIN);
        amount(c, "BI56", "0", "amount: must be greater than zero");
        amount(c, "BI57", "0.00", "amount: must be greater than zero");
        amount(c, "BI58", "", "amount: is required");
        amount(c, "BI59", "\"1,000\"", PLAIN);
        amount(c, "BI60", "Infinity", PLAIN);
        amount(c, "BI61", "0x10", PLAIN);
        amount(c, "BI62", "1234567890123456789012345678901234567890", PLAIN);
        amount(c, "BI63", "+100", PLAIN);
        amount(c, "BI64", "1 000", PLAIN);
        add(c, "BI65", "amount ' 100 ' (spaces around; trimmed, paid)", "csv",
                csv(keAmount("BI65-A", " 100 "), keAmount("BI65-B", "\" 100 \"")),
                result(ok("BI65-A"), ok("BI65-B")),
                () -> {
                    assertThat(gateway.payout("BI65-A").instruction().amount()).isEqualTo("100");
                    assertThat(gateway.payout("BI65-B").instruction().amount()).isEqualTo("100");
                });
        add(c, "BI66", "amount 100.123 for IDR (Paypro: whole; DiamondPay: 2 decimals)", "csv",
                csv(idWith("BI66-A", "100.123", "IDR", "Budi Santoso"),
                        "BI66-B,ID,diamondpay-id,100.123,IDR,test_name,4088748280272397,BCA,,,,,", ke("BI66-C"),
                        dp("BI66-D").replace(",150000,", ",150000.25,")),
                result(rejected("BI66-A", "amount: must be a whole number of IDR"),
                        rejected("BI66-B", "amount: must have at most 2 decimals"), ok("BI66-C"), ok("BI66-D")));
        add(c, "BI67", "mixed-case currency 'idr' / 'Kes' (accepted, stored upper-case)", "csv",
                csv(idWith("BI67-A", "150000", "idr", "Budi Santoso"), ke("BI67-B").replace(",KES,", ",Kes,")),
                result(ok("BI67-A"), ok("BI67-B")),
                () -> {
                    assertThat(gateway.payout("BI67-A").instruction().currency()).isEqualTo("IDR");
                    assertThat(gateway.payout("BI67-B").instruction().currency()).isEqualTo("KES");
                });
        add(c, "BI68", "JSON amounts: 1e9, -5, true, 1500.0 and \"1500\"", "json",
                utf8("[" + jsonKe("BI68-A").replace("1500", "1e9") + "," + jsonKe("BI68-B").replace("1500", "-5") + ","
                        + jsonKe("BI68-C").replace("1500", "true") + "," + jsonKe("BI68-D").replace("1500", "1500.0") + ","
                        + jsonKe("BI68-E").replace("1500", "\"1500\"") + "]"),
                result(rejected("BI68-A", PLAIN), rejected("BI68-B", "re:amount: must be (a plain decimal number|greater than zero)"),
                        rejected("BI68-C", PLAIN), ok("BI68-D"), ok("BI68-E")));
        add(c, "BI69", "country, currency and provider that do not fit", "csv",
                csv(ke("BI69-A").replace(",KE,", ",XX,"), ke("BI69-B").replace(",KE,", ",Kenya,"),
                        idWith("BI69-C", "150000", "USD", "Budi Santoso"), ke("BI69-D").replace(",KE,,", ",KE,paypal,"),
                        ke("BI69-E").replace(",KE,,", ",ID,paypro-ke,"), ke("BI69-F"), pk("BI69-G")),
                result(rejected("BI69-A", "country: no provider account is routed for XX"),
                        rejected("BI69-B", "country: must be an ISO 3166 alpha-2 code"),
                        rejected("BI69-C", "currency: must be IDR"),
                        rejected("BI69-D", "provider: no provider account 'paypal'"),
                        rejected("BI69-E", "provider: account 'paypro-ke' pays out in KE, not ID"), ok("BI69-F"),
                        ok("BI69-G")));

        // --------------------------------------------------------------------------- references
        String ref33 = "BI70-" + "X".repeat(28);
        add(c, "BI70", "a reference of 33 characters (and one of 32, accepted)", "csv",
                csv(ke(ref33), ke(ref33.substring(0, 32))),
                result(rejected(ref33, "reference: must be 1-32 characters"), ok(ref33.substring(0, 32))),
                () -> assertThat(gateway.store().find(ref33)).isEmpty());
        add(c, "BI71", "a reference with spaces inside (refused) and around (trimmed)", "csv",
                csv(ke("BI71 A"), ke("  BI71-B  ")),
                result(rejected("BI71 A", "reference: must be 1-32 characters"), ok("BI71-B")),
                () -> assertThat(gateway.store().find("BI71 A")).isEmpty());
        add(c, "BI72", "a reference twice in one file", "csv",
                csv(ke("BI72-A"), keAmount("BI72-A", "9999"), ke("BI72-B")),
                result(ok("BI72-A"), duplicate("BI72-A", "appears more than once"), ok("BI72-B")),
                () -> assertThat(gateway.payout("BI72-A").instruction().amount()).as("the first row is the payout").isEqualTo("1500"));
        add(c, "BI73", "a required field missing per row (reference, country, currency, mobile)", "csv",
                csv(ke(""), ke("BI73-A").replace(",KE,", ",,"), ke("BI73-B").replace(",KES,", ",,"),
                        ke("BI73-C").replace("254712345678", ""), ke("BI73-D")),
                result(rejected("", "reference: is required"), rejected("BI73-A", "country: is required"),
                        rejected("BI73-B", "currency: is required"), rejected("BI73-C", "mobile: is required"), ok("BI73-D")));
        return c;
    }

    static void amount(List<Case> c, String id, String amount, String phrase) {
        String ref = id + "-A";
        add(c, id, "amount " + amount, "csv", csv(keAmount(ref, amount), ke(id + "-B")),
                result(rejected(ref, phrase), ok(id + "-B")));
    }

    static void add(List<Case> c, String id, String what, String nameOrExtension, byte[] bytes, Expect expect) {
        add(c, id, what, nameOrExtension, bytes, expect, null);
    }

    static void add(List<Case> c, String id, String what, String nameOrExtension, byte[] bytes, Expect expect, Check extra) {
        String name = nameOrExtension.contains(".") ? nameOrExtension
                : id.toLowerCase() + "-" + what.replaceAll("[^A-Za-z0-9]+", "-").replaceAll("(^-|-$)", "")
                        .toLowerCase() + "-" + TAG + "." + nameOrExtension;
        c.add(new Case(id, what, name, bytes, expect, extra));
    }

    // ------------------------------------------------------------------------------ rows

    static String ke(String ref) {
        return keAmount(ref, "1500");
    }

    static String keAmount(String ref, String amount) {
        return ref + ",KE,," + amount + ",KES,,,,,254712345678,,,";
    }

    static String idWith(String ref, String amount, String currency, String name) {
        return ref + ",ID,," + amount + "," + currency + "," + name + ",5464438554636,0002,,081245907765,budi@example.com,,salary";
    }

    static String pk(String ref) {
        return ref + ",PK,,5000,PKR,Jane Doe,9876543210,ALLIED_BANK_LIMITED,BANK,3115112345,jane@example.com,"
                + "17301-2345678-9,invoice 1001";
    }

    static String dp(String ref) {
        return ref + ",ID,diamondpay-id,150000,IDR,test_name,4088748280272397,BCA,,,,,";
    }

    static String jsonKe(String ref) {
        return "{\"reference\":\"" + ref + "\",\"country\":\"KE\",\"amount\":1500,\"currency\":\"KES\",\"mobile\":\"254712345678\"}";
    }

    static byte[] csv(String... rows) {
        return utf8(HEADER + "\n" + String.join("\n", rows) + "\n");
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    // =============================================================================== the corpus run

    static Stream<Case> corpus_() {
        return CORPUS.stream();
    }

    @Order(1)
    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus_")
    void eachBadFileGivesItsDocumentedOutcomeAndLosesNothing(Case c) throws Exception {
        verify(c);
    }

    // ================================================================ bugs: the right expectation

    @Order(2)
    @Test
    // was a bug, fixed: not-UTF-8 is documented as 'cannot be read at all' (error folder, nothing stored), but a Latin-1 ...
    void latin1FileWithItsFirstAccentDeepInTheFileIsRefusedWhole() throws Exception {
        StringBuilder text = new StringBuilder(HEADER + ",note\n");
        List<String> refs = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            String ref = String.format("BB1-%03d", i);
            refs.add(ref);
            // the note column is ignored; it only makes each row ~1 KB, so row 90 is ~90 KB into the file
            text.append(ke(ref)).append(',').append(i == 90 ? "Jos\u00e9 " : "Jose ").append("n".repeat(1000)).append('\n');
        }
        Case c = new Case("BB1", "Latin-1, first accent at row 90 (~90 KB)", "bb1-latin1-deep-" + TAG + ".csv",
                text.toString().getBytes(StandardCharsets.ISO_8859_1), unreadable(refs, "not valid UTF-8"), null);
        drop(c);
        verify(c);
    }

    @Order(2)
    @Test
    // was a bug, fixed: a bad row must not stop the other rows, but a properly delimited 5 MB field stops the file: ...
    void aFiveMegabyteFieldRejectsOnlyItsRow() throws Exception {
        Case c = new Case("BB2", "5 MB field between good rows", "bb2-5mb-field-" + TAG + ".csv",
                csv(ke("BB2-A"), idWith("BB2-B", "150000", "IDR", "N".repeat(5 * 1024 * 1024)), ke("BB2-C")),
                result(List.of("BB2-B"), ok("BB2-A"), unreadableRow("beneficiary_name: longer than 1024 characters"),
                        ok("BB2-C")), null);
        drop(c);
        verify(c);
    }

    @Order(2)
    @Test
    // was a bug, fixed: a header naming a column twice is not detected: commons-csv 1.12 RFC4180 allows duplicate names, ...
    void headerWithADuplicateColumnIsRefusedSayingSo() throws Exception {
        Case c = new Case("BB3", "header names amount twice", "bb3-dup-header-" + TAG + ".csv",
                utf8("reference,country,amount,currency,mobile,amount\nBB3-A,KE,1500,KES,254712345678,1600\n"),
                unreadable(List.of("BB3-A"), "amount", "re:(?i)duplicate|more than once|twice"), null);
        drop(c);
        verify(c);
    }

    @Order(2)
    @Test
    // was a bug, fixed: columns are matched in any case, but a header with 'amount' and 'AMOUNT' is taken silently and the ...
    void headerWithTheSameColumnInTwoCasesIsRefusedNotPaidFromTheLastOne() throws Exception {
        Case c = new Case("BB4", "header has amount and AMOUNT", "bb4-dup-header-case-" + TAG + ".csv",
                utf8("reference,country,amount,currency,mobile,AMOUNT\nBB4-A,KE,1500,KES,254712345678,1600\n"),
                unreadable(List.of("BB4-A"), "amount", "re:(?i)duplicate|more than once|twice"), null);
        drop(c);
        verify(c);
    }

    @Order(2)
    @Test
    // was a bug, fixed: wrong element numbers in JSON-array errors: JsonArray.next (PayoutFileReader.java:213-224) counts ...
    void jsonArrayErrorsNameTheRightElement() throws Exception {
        Case first = new Case("BB5a", "garbage as the first element", "bb5a-json-garbage-" + TAG + ".json",
                utf8("[ garbage ]"), unreadable(List.of(), "invalid JSON", "re:in element 1\\b"), null);
        Case third = new Case("BB5b", "garbage after two good elements", "bb5b-json-garbage-" + TAG + ".json",
                utf8("[" + jsonKe("BB5-A") + ",\n" + jsonKe("BB5-B") + ",\n garbage]"),
                result(ok("BB5-A"), ok("BB5-B"), unreadableRow("invalid JSON in element 3", BREAK)), null);
        Case unclosed = new Case("BB5c", "array never closed", "bb5c-json-unclosed-" + TAG + ".json",
                utf8("[" + jsonKe("BB5-C") + "\n"),
                result(ok("BB5-C"), unreadableRow("re:in element 2\\b|not closed after element 1", BREAK)), null);
        for (Case c : List.of(first, third, unclosed)) {
            drop(c);
        }
        for (Case c : List.of(first, third, unclosed)) {
            verify(c);
        }
    }

    @Order(2)
    @Test
    // was a bug, fixed: rows after the closing ']' of a JSON array are silently lost (file archived, result lists only the ...
    void contentAfterTheJsonArrayIsReportedNotLost() throws Exception {
        Case c = new Case("BB6", "two JSON arrays appended", "bb6-two-arrays-" + TAG + ".json",
                utf8("[" + jsonKe("BB6-A") + "]\n[" + jsonKe("BB6-B") + "]\n"),
                result(List.of("BB6-B"), ok("BB6-A"), unreadableRow(BREAK)), null);
        drop(c);
        verify(c);
    }

    @Order(2)
    @Test
    // was a bug, fixed: a JSON Lines line holding two objects ('{...}{...}', a missing line break) pays the first and ...
    void jsonLinesLineWithTwoObjectsIsRejectedNotHalfPaid() throws Exception {
        Case c = new Case("BB7", "two objects on one JSON Lines line", "bb7-two-objects-" + TAG + ".json",
                utf8(jsonKe("BB7-A") + jsonKe("BB7-B") + "\n" + jsonKe("BB7-C") + "\n"),
                result(List.of("BB7-A", "BB7-B"), unreadableRow("line is not valid JSON"), ok("BB7-C")), null);
        drop(c);
        verify(c);
    }

    @Order(2)
    @Test
    // was a bug, fixed: a JSON object with the same key twice ('amount':1500,'amount':1600) is paid with the ...
    void jsonObjectWithADuplicateKeyIsRejected() throws Exception {
        Case c = new Case("BB8", "amount given twice in one object", "bb8-dup-key-" + TAG + ".json",
                utf8("[" + jsonKe("BB8-A").replace("\"amount\":1500", "\"amount\":1500,\"amount\":1600") + ","
                        + jsonKe("BB8-B") + "]"),
                result(List.of("BB8-A"), unreadableRow("re:amount|duplicate"), ok("BB8-B")), null);
        drop(c);
        verify(c);
    }

    // ================================================================== the gateway afterwards

    @Order(3)
    @Test
    void gatewayIsStillHealthyAndNothingWasLostOrLeftBehind() throws Exception {
        // a final good file, one row per account, still goes through
        Case last = new Case("FINAL", "good file after the corpus", "final-good-" + TAG + ".csv",
                csv(ke("BIZ-KE"), idWith("BIZ-ID", "150000", "IDR", "Budi Santoso"), pk("BIZ-PK"), dp("BIZ-DP")),
                result(ok("BIZ-KE"), ok("BIZ-ID"), ok("BIZ-PK"), ok("BIZ-DP")), null);
        drop(last);
        verify(last);

        // every file this class dropped left the inbox: archived or in the error folder, byte for byte
        DROPPED.forEach((name, sha) -> {
            assertThat(gateway.inbox.resolve(name)).as(name + " left in the inbox").doesNotExist();
            Optional<Path> kept = moved(gateway.archive, name).or(() -> moved(gateway.errors, name));
            assertThat(kept).as(name + " is neither archived nor in the error folder").isPresent();
            assertThat(sha256(kept.get())).as("bytes of " + name).isEqualTo(sha);
        });
        assertThat(names(gateway.inbox)).as("inbox, hidden in-progress names included")
                .containsExactlyInAnyOrderElementsOf(LEFT.keySet());

        // nothing stuck, nothing extra: the payout table is exactly the paid and the rejected references
        Gateway.await(() -> settled(gateway.store().countByState()), WAIT,
                () -> "payouts still moving: " + gateway.store().countByState());
        Map<PayoutState, Integer> counts = gateway.store().countByState();
        assertThat(counts.getOrDefault(PayoutState.SUCCESS, 0)).as("SUCCESS payouts " + counts).isEqualTo(PAID.size());
        assertThat(counts.getOrDefault(PayoutState.REJECTED, 0)).as("REJECTED payouts " + counts)
                .isEqualTo(STORED_REJECTED.size());
        assertThat(counts.getOrDefault(PayoutState.FAILED, 0)).as("FAILED payouts " + counts).isZero();
        assertThat(counts.values().stream().mapToInt(Integer::intValue).sum()).as("all payouts " + counts)
                .isEqualTo(PAID.size() + STORED_REJECTED.size());
        assertThat(gateway.context().getRouteController().getRouteStatus("file-intake").isStarted())
                .as("file-intake route").isTrue();
        assertThat(gateway.context().getRouteController().getRouteStatus("file-results").isStarted())
                .as("file-results route").isTrue();
    }

    static boolean settled(Map<PayoutState, Integer> counts) {
        return counts.entrySet().stream().allMatch(e -> e.getKey().isFinal() || e.getKey() == PayoutState.REJECTED || e.getValue() == 0);
    }

    // =========================================================================== drop and verify

    /** Drops a file the documented way (hidden name, then an atomic rename) and records what it implies. */
    static void drop(Case c) throws Exception {
        Files.createDirectories(gateway.inbox);
        Path tmp = gateway.inbox.resolve("." + c.name() + ".part");
        Files.write(tmp, c.bytes());
        Files.move(tmp, gateway.inbox.resolve(c.name()));
        if (c.expect() instanceof LeftAlone) {
            LEFT.put(c.name(), System.nanoTime());
            return;
        }
        DROPPED.put(c.name(), sha256(c.bytes()));
        if (c.expect() instanceof Result r) {
            Set<String> seen = new java.util.HashSet<>();
            for (Line l : r.lines()) {
                if (l.status().equals("SUCCESS")) {
                    PAID.add(l.reference());
                } else if (l.status().equals("REJECTED") && PayoutStore.REFERENCE.matcher(l.reference()).matches()
                        && seen.add(l.reference())) {
                    STORED_REJECTED.add(l.reference());
                }
            }
        }
    }

    static void verify(Case c) throws Exception {
        String name = c.name();
        if (c.expect() instanceof LeftAlone l) {
            // a few inbox polls (every 200 ms) after the drop, it is still there, untouched and unread
            long waited = System.nanoTime() - LEFT.get(name);
            Thread.sleep(Math.max(0, Duration.ofSeconds(3).minusNanos(waited).toMillis()));
            assertThat(sha256(gateway.inbox.resolve(name))).as(name + " left unchanged in the inbox").isEqualTo(sha256(c.bytes()));
            assertThat(moved(gateway.archive, name)).as(name + " archived").isEmpty();
            assertThat(moved(gateway.errors, name)).as(name + " in the error folder").isEmpty();
            assertThat(gateway.resultOf(name)).doesNotExist();
            for (String ref : l.refsInside()) {
                assertThat(gateway.store().find(ref)).as(ref + " of in-progress " + name).isEmpty();
            }
        } else if (c.expect() instanceof Unreadable u) {
            Path note = gateway.errors.resolve(name + ".error.txt");
            Gateway.await(() -> Files.exists(note) && moved(gateway.errors, name).isPresent(), WAIT,
                    () -> name + ": no error note and moved file; error folder " + names(gateway.errors)
                            + ", archive " + names(gateway.archive) + ", outbox " + names(gateway.outbox));
            String text = Files.readString(note);
            assertThat(text).as("error note of " + name).contains("Payout file " + name + " was not processed")
                    .contains("No payout of it was stored");
            for (String phrase : u.phrases()) {
                assertContains("error note of " + name, text, phrase);
            }
            assertThat(sha256(moved(gateway.errors, name).get())).as(name + " kept unchanged in the error folder")
                    .isEqualTo(DROPPED.get(name));
            assertThat(moved(gateway.archive, name)).as(name + " must not be archived").isEmpty();
            assertThat(gateway.resultOf(name)).as("result of unreadable " + name).doesNotExist();
            for (String ref : u.refsInside()) {
                assertThat(gateway.store().find(ref)).as(ref + " from unreadable " + name).isEmpty();
                assertThat(requestsCarrying(ref)).as("provider calls carrying " + ref).isZero();
            }
        } else {
            Result r = (Result) c.expect();
            Path result = gateway.resultOf(name);
            Gateway.await(() -> Files.exists(result) && moved(gateway.archive, name).isPresent(), WAIT,
                    () -> name + ": no result and archived file; outbox " + names(gateway.outbox) + ", archive "
                            + names(gateway.archive) + ", error folder " + names(gateway.errors) + ", inbox "
                            + names(gateway.inbox) + ", payouts " + gateway.store().countByState());
            assertThat(sha256(moved(gateway.archive, name).get())).as(name + " archived unchanged").isEqualTo(DROPPED.get(name));
            assertThat(moved(gateway.errors, name)).as(name + " must not be in the error folder").isEmpty();
            assertThat(gateway.errors.resolve(name + ".error.txt")).doesNotExist();

            List<CSVRecord> rows = readResult(result);
            assertThat(rows).as("rows of the result of " + name).hasSize(r.lines().size());
            for (int i = 0; i < rows.size(); i++) {
                CSVRecord row = rows.get(i);
                Line want = r.lines().get(i);
                String at = name + " result row " + (i + 1) + " " + row.toMap();
                assertThat(row.get("reference")).as(at).isEqualTo(want.reference());
                assertThat(row.get("status")).as(at).isEqualTo(want.status());
                for (String phrase : want.phrases()) {
                    assertContains(at, row.get("message"), phrase);
                }
                String ref = want.reference();
                switch (want.status()) {
                    case "SUCCESS" -> {
                        Payout p = gateway.payout(ref);
                        assertThat(p.state()).as(at).isEqualTo(PayoutState.SUCCESS);
                        assertThat(p.dispatchCount()).as("dispatches of " + ref).isEqualTo(1);
                        assertThat(providers.creates(p.account(), ref)).as("create calls of " + ref).hasSize(1);
                        assertThat(row.get("provider")).as(at).isEqualTo(p.account());
                    }
                    case "REJECTED" -> {
                        if (!ref.isEmpty() && PayoutStore.REFERENCE.matcher(ref).matches()) {
                            Payout p = gateway.payout(ref);
                            assertThat(p.state()).as(at).isEqualTo(PayoutState.REJECTED);
                            assertThat(p.dispatchCount()).as(at).isZero();
                        } else if (!ref.isEmpty()) {
                            assertThat(gateway.store().find(ref)).as(at).isEmpty();
                        }
                        if (!ref.isBlank()) {
                            assertThat(requestsCarrying(ref)).as("provider calls carrying " + ref).isZero();
                        }
                    }
                    case "DUPLICATE" -> assertThat(gateway.payout(ref).dispatchCount()).as(at).isLessThanOrEqualTo(1);
                    default -> throw new AssertionError("unexpected status " + want.status());
                }
            }
            for (String ref : r.notStored()) {
                assertThat(gateway.store().find(ref)).as(ref + " of " + name + " must not be stored").isEmpty();
                assertThat(requestsCarrying(ref)).as("provider calls carrying " + ref).isZero();
            }
        }
        if (c.extra() != null) {
            c.extra().verify();
        }
    }

    static void assertContains(String what, String text, String phrase) {
        if (phrase.startsWith("re:")) {
            assertThat(Pattern.compile(phrase.substring(3)).matcher(text).find())
                    .as(what + ": '" + text + "' should match /" + phrase.substring(3) + "/").isTrue();
        } else {
            assertThat(text).as(what).contains(phrase);
        }
    }

    static List<CSVRecord> readResult(Path result) throws IOException {
        try (Reader r = Files.newBufferedReader(result, StandardCharsets.UTF_8);
             CSVParser p = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
            assertThat(p.getHeaderNames()).as("columns of " + result.getFileName()).containsExactly(FileResults.COLUMNS);
            return p.getRecords();
        }
    }

    /** The file the gateway moved into {@code dir}: {@code <base>-yyyyMMdd-HHmmssSSS<ext>}. */
    static Optional<Path> moved(Path dir, String name) {
        int dot = name.lastIndexOf('.');
        Pattern stamped = Pattern.compile(Pattern.quote(name.substring(0, dot)) + "-\\d{8}-\\d{9}" + Pattern.quote(name.substring(dot)));
        return names(dir).stream().filter(n -> stamped.matcher(n).matches()).findFirst().map(dir::resolve);
    }

    static List<String> names(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Provider requests (creates or queries, any account) whose body carries the reference as a JSON string. */
    static long requestsCarrying(String ref) {
        String quoted = "\"" + ref + "\"";
        return providers.server.getAllServeEvents().stream().map(ServeEvent::getRequest)
                .filter(r -> r.getUrl().contains("/" + ref) || r.getBodyAsString().contains(quoted)).count();
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    static String sha256(Path file) {
        try {
            return sha256(Files.readAllBytes(file));
        } catch (Exception e) {
            throw new AssertionError("cannot read " + file, e);
        }
    }

    // ======================================================================= stand-in providers

    /** Every create is taken and every query says success, for any reference, on all four accounts. */
    static void acceptEverything(StandInProviders p) {
        for (Map.Entry<String, StandInProviders.Api> e : StandInProviders.APIS.entrySet()) {
            StandInProviders.Api api = e.getValue();
            if (e.getKey().startsWith("diamondpay")) {
                p.server.stubFor(post(urlEqualTo(api.prefix() + api.createPath())).atPriority(10)
                        .willReturn(json("{\"error_code\":\"0000\",\"data\":{\"payout_id\":\"POT-ANY\"}}")));
                p.server.stubFor(get(urlPathMatching(Pattern.quote(api.prefix() + api.queryPath()) + "[^/]+")).atPriority(10)
                        .willReturn(json("{\"error_code\":\"0000\",\"data\":{\"payout_id\":\"POT-ANY\",\"platform_id\":\"PF0002\","
                                + "\"status\":3,\"error_msg\":\"\",\"create_time\":1595504997,\"update_time\":1595505997}}")));
            } else {
                p.server.stubFor(post(urlEqualTo(api.prefix() + api.createPath())).atPriority(10)
                        .willReturn(json("{\"msg\":\"success\",\"code\":\"0000\",\"timestamp\":1728611805322,\"success\":true,"
                                + "\"data\":{\"platFormTradeNo\":\"PF-ANY\",\"status\":\"0015\",\"desc\":\"CREATED\"}}")));
                p.server.stubFor(post(urlEqualTo(api.prefix() + api.queryPath())).atPriority(10)
                        .willReturn(json("{\"msg\":\"success\",\"code\":\"0000\",\"timestamp\":1719830071094,\"success\":true,"
                                + "\"data\":{\"platFormTradeNo\":\"PF-ANY\",\"status\":\"0000\",\"message\":\"SUCCESS\"}}")));
            }
        }
    }
}
