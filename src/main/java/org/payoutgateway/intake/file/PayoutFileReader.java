package org.payoutgateway.intake.file;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PushbackReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.payoutgateway.intake.JsonInstruction;
import org.payoutgateway.payout.PayoutInstruction;
import org.payoutgateway.provider.Json;

/**
 * Reads a payout file one row at a time, so memory does not grow with the file's length.
 * {@code *.csv}: a header row of canonical field names (any order, case-insensitive; unknown columns
 * are ignored), UTF-8 with or without BOM, LF or CRLF, RFC 4180 quoting. {@code *.json}: an array of
 * objects, or JSON Lines (one object per line). Text that is not valid UTF-8 makes the file unreadable.
 * {@code *.xml}: an ISO 20022 {@code pain.001.001.03} or {@code pain.001.001.09} ({@link Pain001Reader}).
 */
public abstract class PayoutFileReader implements Closeable {

    /** Longest value accepted in one field; a longer one rejects its row. */
    public static final int MAX_FIELD_LENGTH = JsonInstruction.MAX_FIELD_LENGTH;
    private static final List<String> REQUIRED_COLUMNS = List.of("reference", "country", "amount", "currency");

    /**
     * One row of a file: its number (1-based, data rows only) and either the instruction or why the
     * row itself could not be read (the file goes on).
     */
    public record Row(int number, PayoutInstruction instruction, String error,
                      java.util.function.UnaryOperator<String> source) {
        public Row(int number, PayoutInstruction instruction, String error) {
            this(number, instruction, error, null);
        }

        /** Where a field of the instruction comes from in the file (ISO files: the element path), or null. */
        public String sourceOf(String field) {
            return source == null ? null : source.apply(field);
        }
    }

    /** The next row, or null at the end. @throws PayoutFileException when the rest of the file cannot be read */
    public abstract Row next() throws PayoutFileException;

    /** Columns of the file that are not canonical fields (CSV only), for the intake summary. */
    public Set<String> ignoredColumns() {
        return Set.of();
    }

    /** At most 200 characters of a text from the file, for messages and logs. */
    static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "... (" + text.length() + " characters)";
    }

    /**
     * Opens the file, an ISO 20022 one reading its national id by {@link Pain001Reader#NATIONAL_ID_SCHEMES}.
     *
     * @throws PayoutFileException when the file cannot be read at all (encoding, header, not JSON)
     */
    public static PayoutFileReader open(Path file) throws PayoutFileException {
        return open(file, Pain001Reader.NATIONAL_ID_SCHEMES);
    }

    /**
     * @param nationalIdSchemes for an ISO 20022 file: the scheme codes of {@code Cdtr/Id/PrvtId/Othr/SchmeNm/Cd}
     *                          read as {@code id_number} (payout.intake.file.iso20022.national-id-schemes)
     * @throws PayoutFileException when the file cannot be read at all (encoding, header, not JSON)
     */
    public static PayoutFileReader open(Path file, Set<String> nationalIdSchemes) throws PayoutFileException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".xml")) {
            return Pain001Reader.open(file, nationalIdSchemes);
        }
        try {
            requireUtf8(file);
            Reader reader = utf8WithoutBom(file);
            if (name.endsWith(".csv")) {
                return new Csv(reader);
            }
            if (name.endsWith(".json")) {
                return Jsonish.open(reader);
            }
            reader.close();
            throw new PayoutFileException("not a payout file: the name must end in .csv, .json or .xml");
        } catch (IOException | UncheckedIOException e) {
            throw unreadable(e);
        }
    }

    /**
     * Decodes the whole file once, streaming, before any row is taken: a file that is not UTF-8
     * text is refused whole, never paid in part up to its first bad byte.
     */
    private static void requireUtf8(Path file) throws IOException {
        java.nio.charset.CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try (Reader r = new InputStreamReader(Files.newInputStream(file), decoder)) {
            char[] buffer = new char[64 * 1024];
            while (r.read(buffer) != -1) {
                // decoding is the check
            }
        }
    }

    private static Reader utf8WithoutBom(Path file) throws IOException {
        Reader decoding = new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
        PushbackReader reader = new PushbackReader(new BufferedReader(decoding, 64 * 1024), 1);
        int first = reader.read();
        if (first != -1 && first != '\uFEFF') {
            reader.unread(first);
        }
        return reader;
    }

    static PayoutFileException unreadable(Throwable e) {
        Throwable cause = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
        String reason = cause instanceof java.nio.charset.CharacterCodingException
                ? "the file is not valid UTF-8 text" : String.valueOf(cause.getMessage());
        return new PayoutFileException(reason, e);
    }

    // ---------------------------------------------------------------------------------------- CSV

    private static final class Csv extends PayoutFileReader {
        private final BoundedRecordReader bounded;
        private final CSVParser parser;
        private final Iterator<CSVRecord> records;
        private final Map<String, Integer> columns = new HashMap<>();
        private final Set<String> ignored = new LinkedHashSet<>();
        private int number;

        Csv(Reader source) throws PayoutFileException, IOException {
            this.bounded = new BoundedRecordReader(source);
            Reader reader = bounded;
            CSVFormat format = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true)
                    .setIgnoreEmptyLines(true).setTrim(true).setAllowMissingColumnNames(true)
                    .setDuplicateHeaderMode(org.apache.commons.csv.DuplicateHeaderMode.ALLOW_ALL).build();
            try {
                this.parser = format.parse(reader);
            } catch (IllegalArgumentException | UncheckedIOException e) {
                reader.close();
                throw new PayoutFileException("unreadable header row: " + unreadable(e).getMessage(), e);
            }
            bounded.nextRecord();
            List<String> header = parser.getHeaderNames();
            for (int i = 0; i < header.size(); i++) {
                String column = header.get(i).strip().toLowerCase(Locale.ROOT);
                if (PayoutInstruction.FIELDS.contains(column)) {
                    if (columns.containsKey(column)) {
                        parser.close();
                        throw new PayoutFileException("the header row names the column " + column
                                + " more than once (columns " + (columns.get(column) + 1) + " and " + (i + 1) + ")");
                    }
                    columns.put(column, i);
                } else {
                    ignored.add(abbreviate(header.get(i)));
                }
            }
            List<String> missing = REQUIRED_COLUMNS.stream().filter(c -> !columns.containsKey(c)).toList();
            if (!missing.isEmpty()) {
                parser.close();
                throw new PayoutFileException("the header row lacks the column(s) " + String.join(", ", missing)
                        + "; found: " + abbreviate(String.join(",", header)));
            }
            this.records = parser.iterator();
        }

        @Override
        public Row next() throws PayoutFileException {
            CSVRecord record;
            try {
                if (!records.hasNext()) {
                    return null;
                }
                record = records.next();
                bounded.nextRecord();
            } catch (UncheckedIOException | IllegalStateException e) {
                throw new PayoutFileException("unreadable after data row " + number + ": " + unreadable(e).getMessage(), e);
            }
            number++;
            if (!record.isConsistent()) {
                return new Row(number, null, "row has " + record.size() + " fields, the header has "
                        + parser.getHeaderNames().size());
            }
            Map<String, String> values = new HashMap<>();
            columns.forEach((field, index) -> values.put(field, record.get(index)));
            List<org.payoutgateway.payout.FieldError> tooLong = JsonInstruction.tooLong(values);
            return tooLong.isEmpty() ? new Row(number, PayoutInstruction.of(values), null)
                    : new Row(number, null, org.payoutgateway.payout.FieldError.describe(tooLong));
        }

        @Override
        public Set<String> ignoredColumns() {
            return ignored;
        }

        @Override
        public void close() throws IOException {
            parser.close();
        }
    }

    // --------------------------------------------------------------------------------------- JSON

    /** A JSON array streamed element by element, or JSON Lines read line by line. */
    private abstract static class Jsonish extends PayoutFileReader {
        static PayoutFileReader open(Reader reader) throws IOException, PayoutFileException {
            PushbackReader r = reader instanceof PushbackReader p ? p : new PushbackReader(reader, 1);
            int c;
            do {
                c = r.read();
            } while (c != -1 && Character.isWhitespace(c));
            if (c == -1) {
                r.close();
                throw new PayoutFileException("the file is empty");
            }
            r.unread(c);
            if (c == '[') {
                return new JsonArray(r);
            }
            if (c == '{') {
                return new JsonLines(r);
            }
            r.close();
            throw new PayoutFileException("not a JSON array or JSON Lines file: it starts with '" + (char) c + "'");
        }

        static Row toRow(int number, JsonNode node) {
            JsonInstruction.Parsed parsed = JsonInstruction.read(node);
            return parsed.ok() ? new Row(number, parsed.instruction(), null) : new Row(number, null, parsed.error());
        }
    }

    private static final class JsonArray extends Jsonish {
        private final JsonParser parser;
        private int number;

        JsonArray(Reader reader) throws IOException {
            this.parser = Json.MAPPER.createParser(reader);
            parser.nextToken(); // START_ARRAY
        }

        @Override
        public Row next() throws PayoutFileException {
            int element = number + 1; // the element being read, counted from 1
            try {
                JsonToken token = parser.nextToken();
                if (token == null) {
                    throw new PayoutFileException("the JSON array is not closed after element " + number);
                }
                if (token == JsonToken.END_ARRAY) {
                    if (parser.nextToken() != null) {
                        throw new PayoutFileException("there is more after the end of the JSON array (after element "
                                + number + "); it was not read");
                    }
                    return null;
                }
                JsonNode node;
                try {
                    node = parser.readValueAsTree();
                } catch (com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
                    // well-formed JSON this element cannot be (a key given twice): reject it, read on
                    skipRestOfElement();
                    number = element;
                    return new Row(number, null, e.getOriginalMessage().replaceAll(" for `.*", ""));
                }
                number = element;
                return toRow(number, node);
            } catch (JsonProcessingException e) {
                throw new PayoutFileException("invalid JSON in element " + element + " of the array (line "
                        + (e.getLocation() == null ? 0 : e.getLocation().getLineNr()) + "): " + e.getOriginalMessage(), e);
            } catch (IOException | UncheckedIOException e) {
                throw unreadable(e);
            }
        }

        /** Moves the parser to the end of the current array element. */
        private void skipRestOfElement() throws IOException {
            while (parser.getParsingContext() != null && !parser.getParsingContext().getParent().inRoot()) {
                if (parser.nextToken() == null) {
                    return;
                }
            }
        }

        @Override
        public void close() throws IOException {
            parser.close();
        }
    }

    /** Reads exactly one JSON value: a line holding two objects is an error, not the first of them. */
    private static final com.fasterxml.jackson.databind.ObjectReader ONE_VALUE = Json.MAPPER.reader()
            .with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final class JsonLines extends Jsonish {
        private final BoundedRecordReader bounded;
        private final BufferedReader lines;
        private int number;

        JsonLines(Reader reader) {
            this.bounded = new BoundedRecordReader(reader);
            this.lines = new BufferedReader(bounded);
        }

        @Override
        public Row next() throws PayoutFileException {
            try {
                String line;
                do {
                    line = lines.readLine();
                    bounded.nextRecord();
                    if (line == null) {
                        return null;
                    }
                    number++;
                } while (line.isBlank());
                try {
                    return toRow(number, ONE_VALUE.readTree(line));
                } catch (JsonProcessingException e) {
                    return new Row(number, null, "line is not valid JSON: " + e.getOriginalMessage());
                }
            } catch (IOException | UncheckedIOException e) {
                throw unreadable(e);
            }
        }

        @Override
        public void close() throws IOException {
            lines.close();
        }
    }
}
