package org.payoutgateway.intake.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.payoutgateway.intake.file.PayoutFileReader.Row;

/** {@link PayoutFileReader} on files written into a temporary directory. */
class PayoutFileReaderTest {

    static final String HEADER = "reference,country,amount,currency,beneficiary_name,account_number,bank_code,mobile,email,remark";

    @TempDir
    Path dir;

    Path write(String name, String text) throws IOException {
        return write(name, text.getBytes(StandardCharsets.UTF_8));
    }

    Path write(String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    /** Every row until the end; a PayoutFileException from next() propagates. */
    static List<Row> readAll(PayoutFileReader reader) throws PayoutFileException {
        List<Row> rows = new ArrayList<>();
        for (Row r = reader.next(); r != null; r = reader.next()) {
            rows.add(r);
        }
        return rows;
    }

    static List<Row> readAll(Path file) throws Exception {
        try (PayoutFileReader reader = PayoutFileReader.open(file)) {
            return readAll(reader);
        }
    }

    // ===================================================================================== CSV

    @Test
    void csvWithBomAndCrlf() throws Exception {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        String text = "reference,country,amount,currency\r\nR1,ID,150000,IDR\r\nR2,KE,500,KES\r\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(bom);
        out.write(text.getBytes(StandardCharsets.UTF_8));
        Path file = write("bom.csv", out.toByteArray());
        try (PayoutFileReader reader = PayoutFileReader.open(file)) {
            assertThat(reader.ignoredColumns()).isEmpty();
            List<Row> rows = readAll(reader);
            assertThat(rows).hasSize(2);
            assertThat(rows.get(0).number()).isEqualTo(1);
            assertThat(rows.get(0).error()).isNull();
            // the BOM is not part of the first column's name, nor of the reference
            assertThat(rows.get(0).instruction().reference()).isEqualTo("R1");
            assertThat(rows.get(0).instruction().amount()).isEqualTo("150000");
            assertThat(rows.get(1).number()).isEqualTo(2);
            assertThat(rows.get(1).instruction().currency()).isEqualTo("KES");
            // CRLF leaves no \r in the last column
            assertThat(rows.get(1).instruction().currency()).doesNotContain("\r");
        }
    }

    @Test
    void csvQuotedFieldsWithCommasNewlinesAndEscapedQuotes() throws Exception {
        String text = HEADER + "\n"
                + "R1,ID,150000,IDR,\"Doe, Jane\",123,0002,0812345678,j@example.com,\"line one\nline two\"\n"
                + "R2,ID,1,IDR,\"Kevin \"\"K\"\" Smith\",456,0002,0812345678,k@example.com,\"a,b,\"\"c\"\"\"\n";
        List<Row> rows = readAll(write("quoted.csv", text));
        assertThat(rows).hasSize(2).allSatisfy(r -> assertThat(r.error()).isNull());
        assertThat(rows.get(0).instruction().beneficiaryName()).isEqualTo("Doe, Jane");
        assertThat(rows.get(0).instruction().remark()).isEqualTo("line one\nline two");
        assertThat(rows.get(1).instruction().beneficiaryName()).isEqualTo("Kevin \"K\" Smith");
        assertThat(rows.get(1).instruction().remark()).isEqualTo("a,b,\"c\"");
        assertThat(rows.get(1).number()).isEqualTo(2);
    }

    @Test
    void csvHeaderInAnotherOrderAndCaseAndUnknownColumnsIgnored() throws Exception {
        String text = "Currency,AMOUNT,Internal Note, Reference ,country,Beneficiary_Name\n"
                + "IDR,150000,ignore me,R1,id,Kevin\n";
        try (PayoutFileReader reader = PayoutFileReader.open(write("order.csv", text))) {
            assertThat(reader.ignoredColumns()).containsExactly("Internal Note");
            List<Row> rows = readAll(reader);
            assertThat(rows).hasSize(1);
            var in = rows.get(0).instruction();
            assertThat(in.reference()).isEqualTo("R1");
            assertThat(in.currency()).isEqualTo("IDR");
            assertThat(in.amount()).isEqualTo("150000");
            assertThat(in.country()).isEqualTo("id");
            assertThat(in.beneficiaryName()).isEqualTo("Kevin");
            assertThat(in.remark()).isNull();
            assertThat(in.toMap().values()).doesNotContain("ignore me");
        }
    }

    @Test
    void csvMissingRequiredColumnFailsOpen() throws Exception {
        Path file = write("missing.csv", "reference,country,currency\nR1,ID,IDR\n");
        assertThatThrownBy(() -> PayoutFileReader.open(file))
                .isInstanceOf(PayoutFileException.class)
                .hasMessageContaining("amount");
    }

    @Test
    void csvRowWithWrongNumberOfFieldsIsARowErrorAndReadingGoesOn() throws Exception {
        String text = "reference,country,amount,currency\n"
                + "R1,ID,1,IDR\n"
                + "R2,ID,2\n"
                + "R3,ID,3,IDR,extra\n"
                + "R4,ID,4,IDR\n";
        List<Row> rows = readAll(write("fields.csv", text));
        assertThat(rows).extracting(Row::number).containsExactly(1, 2, 3, 4);
        assertThat(rows.get(0).error()).isNull();
        assertThat(rows.get(1).instruction()).isNull();
        assertThat(rows.get(1).error()).contains("3 fields").contains("4");
        assertThat(rows.get(2).instruction()).isNull();
        assertThat(rows.get(2).error()).contains("5 fields");
        assertThat(rows.get(3).error()).isNull();
        assertThat(rows.get(3).instruction().reference()).isEqualTo("R4");
    }

    @Test
    void csvFieldLongerThan1024IsARowError() throws Exception {
        String text = "reference,country,amount,currency,remark\n"
                + "R1,ID,1,IDR," + "x".repeat(1024) + "\n"
                + "R2,ID,1,IDR," + "x".repeat(1025) + "\n"
                + "R3,ID,1,IDR,ok\n";
        List<Row> rows = readAll(write("long.csv", text));
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0).error()).isNull();
        assertThat(rows.get(0).instruction().remark()).hasSize(1024);
        assertThat(rows.get(1).instruction()).isNull();
        assertThat(rows.get(1).error()).contains("remark").contains("1024");
        assertThat(rows.get(2).error()).isNull();
    }

    @Test
    void csvLongValueInAnIgnoredColumnDoesNotMatter() throws Exception {
        String text = "reference,country,amount,currency,notes\nR1,ID,1,IDR," + "x".repeat(5000) + "\n";
        List<Row> rows = readAll(write("ignoredlong.csv", text));
        assertThat(rows).singleElement().satisfies(r -> assertThat(r.error()).isNull());
    }

    @Test
    void csvBrokenQuotingMidFileFailsNextAfterTheGoodRows() throws Exception {
        String text = "reference,country,amount,currency,remark\n"
                + "R1,ID,1,IDR,fine\n"
                + "R2,ID,2,IDR,\"also fine\"\n"
                + "R3,ID,3,IDR,\"broken\"quote\n"
                + "R4,ID,4,IDR,after\n";
        try (PayoutFileReader reader = PayoutFileReader.open(write("broken.csv", text))) {
            Row r1 = reader.next();
            Row r2 = reader.next();
            assertThat(r1.instruction().reference()).isEqualTo("R1");
            assertThat(r2.instruction().reference()).isEqualTo("R2");
            assertThat(r2.instruction().remark()).isEqualTo("also fine");
            assertThatThrownBy(reader::next).isInstanceOf(PayoutFileException.class);
        }
    }

    @Test
    void csvUnclosedQuoteFailsNextAfterTheGoodRows() throws Exception {
        String text = "reference,country,amount,currency,remark\n"
                + "R1,ID,1,IDR,fine\n"
                + "R2,ID,2,IDR,\"never closed\n"
                + "R3,ID,3,IDR,after\n";
        try (PayoutFileReader reader = PayoutFileReader.open(write("unclosed.csv", text))) {
            assertThat(reader.next().instruction().reference()).isEqualTo("R1");
            assertThatThrownBy(reader::next).isInstanceOf(PayoutFileException.class);
        }
    }

    @Test
    void invalidUtf8MakesTheFileUnreadable() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write("reference,country,amount,currency,beneficiary_name\nR1,ID,1,IDR,Kevin\nR2,ID,1,IDR,K".getBytes(StandardCharsets.UTF_8));
        out.write(new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF}); // invalid UTF-8 (ISO-8859-1 text, say)
        out.write("vin\n".getBytes(StandardCharsets.UTF_8));
        Path file = write("latin1.csv", out.toByteArray());
        // the decoder may notice at open() (read-ahead) or at next(): either way a PayoutFileException
        assertThatThrownBy(() -> readAll(file))
                .isInstanceOf(PayoutFileException.class)
                .hasMessageContaining("UTF-8");
    }

    @Test
    void invalidUtf8FarIntoTheFileIsRefusedBeforeAnyRow() throws Exception {
        StringBuilder sb = new StringBuilder("reference,country,amount,currency\n");
        for (int i = 0; i < 20_000; i++) {
            sb.append("R").append(i).append(",ID,1,IDR\n");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        out.write(new byte[] {'X', (byte) 0xE9, ',', 'I', 'D', ',', '1', ',', 'I', 'D', 'R', '\n'});
        Path file = write("late.csv", out.toByteArray());
        // the whole file is checked before any row is given out: nothing of it is paid
        assertThatThrownBy(() -> PayoutFileReader.open(file)).isInstanceOf(PayoutFileException.class)
                .hasMessageContaining("UTF-8");
    }

    @Test
    void emptyCsvFailsOpen() throws Exception {
        Path file = write("empty.csv", "");
        assertThatThrownBy(() -> PayoutFileReader.open(file)).isInstanceOf(PayoutFileException.class);
    }

    @Test
    void headerOnlyCsvHasNoRows() throws Exception {
        assertThat(readAll(write("header.csv", HEADER + "\n"))).isEmpty();
    }

    @Test
    void csvBlankLinesAreSkipped() throws Exception {
        List<Row> rows = readAll(write("blank.csv", "reference,country,amount,currency\n\nR1,ID,1,IDR\n\n"));
        assertThat(rows).singleElement().satisfies(r -> assertThat(r.instruction().reference()).isEqualTo("R1"));
    }

    @Test
    void csvValuesAreTrimmedAndBlankIsAbsent() throws Exception {
        List<Row> rows = readAll(write("trim.csv", "reference,country,amount,currency,remark\n R1 , ID ,1,IDR,   \n"));
        assertThat(rows.get(0).instruction().reference()).isEqualTo("R1");
        assertThat(rows.get(0).instruction().country()).isEqualTo("ID");
        assertThat(rows.get(0).instruction().remark()).isNull();
    }

    @Test
    void otherFileNamesAreRefused() throws Exception {
        Path file = write("payouts.txt", HEADER + "\n");
        assertThatThrownBy(() -> PayoutFileReader.open(file)).isInstanceOf(PayoutFileException.class);
    }

    @Test
    void upperCaseExtensionIsFine() throws Exception {
        assertThat(readAll(write("PAYOUTS.CSV", "reference,country,amount,currency\nR1,ID,1,IDR\n"))).hasSize(1);
    }

    // ==================================================================================== JSON

    @Test
    void jsonArrayWithNumbersAndStrings() throws Exception {
        String text = """
                [
                  {"reference": "R1", "country": "ID", "amount": 150000, "currency": "IDR", "mobile": "0812345678"},
                  {"reference": "R2", "country": "KE", "amount": "500.50", "currency": "KES", "unknown": {"x": 1}},
                  {"reference": "R3", "country": "ID", "amount": 1.5, "currency": "IDR", "remark": null}
                ]""";
        List<Row> rows = readAll(write("a.json", text));
        assertThat(rows).hasSize(3).allSatisfy(r -> assertThat(r.error()).isNull());
        assertThat(rows).extracting(Row::number).containsExactly(1, 2, 3);
        assertThat(rows.get(0).instruction().amount()).isEqualTo("150000");
        assertThat(rows.get(0).instruction().mobile()).isEqualTo("0812345678");
        assertThat(rows.get(1).instruction().amount()).isEqualTo("500.50");
        assertThat(rows.get(2).instruction().amount()).isEqualTo("1.5");
        assertThat(rows.get(2).instruction().remark()).isNull();
    }

    @Test
    void jsonArrayNestedValueAndNonObjectElementAreRowErrors() throws Exception {
        String text = """
                [
                  {"reference": "R1", "country": "ID", "amount": 1, "currency": "IDR"},
                  {"reference": "R2", "country": "ID", "amount": {"value": 1}, "currency": "IDR"},
                  {"reference": "R3", "country": "ID", "amount": [1], "currency": "IDR"},
                  "R4,ID,1,IDR",
                  42,
                  [1, 2],
                  {"reference": "R7", "country": "ID", "amount": 7, "currency": "IDR"}
                ]""";
        List<Row> rows = readAll(write("nested.json", text));
        assertThat(rows).extracting(Row::number).containsExactly(1, 2, 3, 4, 5, 6, 7);
        assertThat(rows.get(0).error()).isNull();
        assertThat(rows.get(1).instruction()).isNull();
        assertThat(rows.get(1).error()).contains("amount");
        assertThat(rows.get(2).error()).contains("amount");
        assertThat(rows.get(3).error()).isNotNull();
        assertThat(rows.get(4).error()).isNotNull();
        assertThat(rows.get(5).error()).isNotNull();
        assertThat(rows.get(6).error()).isNull();
        assertThat(rows.get(6).instruction().reference()).isEqualTo("R7");
    }

    @Test
    void jsonFieldLongerThan1024IsARowError() throws Exception {
        String text = "[{\"reference\":\"R1\",\"country\":\"ID\",\"amount\":1,\"currency\":\"IDR\",\"remark\":\""
                + "y".repeat(1025) + "\"},{\"reference\":\"R2\",\"country\":\"ID\",\"amount\":1,\"currency\":\"IDR\"}]";
        List<Row> rows = readAll(write("long.json", text));
        assertThat(rows.get(0).error()).contains("remark");
        assertThat(rows.get(1).error()).isNull();
    }

    @Test
    void emptyJsonArrayHasNoRows() throws Exception {
        assertThat(readAll(write("empty-array.json", "  [ ]  "))).isEmpty();
    }

    @Test
    void jsonArrayNotClosedFailsNext() throws Exception {
        String text = "[{\"reference\":\"R1\",\"country\":\"ID\",\"amount\":1,\"currency\":\"IDR\"}";
        try (PayoutFileReader reader = PayoutFileReader.open(write("open.json", text))) {
            assertThat(reader.next().instruction().reference()).isEqualTo("R1");
            assertThatThrownBy(reader::next).isInstanceOf(PayoutFileException.class);
        }
    }

    @Test
    void invalidJsonInsideTheArrayFailsNextAfterTheGoodElements() throws Exception {
        String text = "[{\"reference\":\"R1\",\"country\":\"ID\",\"amount\":1,\"currency\":\"IDR\"}, {\"reference\": R2}]";
        try (PayoutFileReader reader = PayoutFileReader.open(write("bad.json", text))) {
            assertThat(reader.next().instruction().reference()).isEqualTo("R1");
            assertThatThrownBy(reader::next).isInstanceOf(PayoutFileException.class);
        }
    }

    @Test
    void jsonLinesWithABadLineInTheMiddle() throws Exception {
        String text = "{\"reference\":\"R1\",\"country\":\"ID\",\"amount\":1,\"currency\":\"IDR\"}\n"
                + "{\"reference\":\"R2\",\"country\":\"ID\",\"amount\":\n"
                + "{\"reference\":\"R3\",\"country\":\"KE\",\"amount\":\"3\",\"currency\":\"KES\"}\r\n"
                + "\"just a string\"\n"
                + "{\"reference\":\"R5\",\"country\":\"ID\",\"amount\":5,\"currency\":\"IDR\",\"email\":{\"a\":1}}\n"
                + "{\"reference\":\"R6\",\"country\":\"ID\",\"amount\":6,\"currency\":\"IDR\"}\n";
        List<Row> rows = readAll(write("lines.json", text));
        assertThat(rows).extracting(Row::number).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(rows.get(0).error()).isNull();
        assertThat(rows.get(0).instruction().reference()).isEqualTo("R1");
        assertThat(rows.get(1).instruction()).isNull();
        assertThat(rows.get(1).error()).contains("JSON");
        assertThat(rows.get(2).error()).isNull();
        assertThat(rows.get(2).instruction().reference()).isEqualTo("R3");
        assertThat(rows.get(2).instruction().currency()).isEqualTo("KES");
        assertThat(rows.get(3).error()).isNotNull();
        assertThat(rows.get(4).error()).contains("email");
        assertThat(rows.get(5).error()).isNull();
        assertThat(rows.get(5).instruction().reference()).isEqualTo("R6");
    }

    @Test
    void jsonLinesBlankLinesSkippedButCounted() throws Exception {
        String text = "\n{\"reference\":\"R1\",\"country\":\"ID\",\"amount\":1,\"currency\":\"IDR\"}\n\n"
                + "{\"reference\":\"R2\",\"country\":\"ID\",\"amount\":1,\"currency\":\"IDR\"}\n";
        List<Row> rows = readAll(write("blank.json", text));
        assertThat(rows).hasSize(2).allSatisfy(r -> assertThat(r.error()).isNull());
        assertThat(rows.get(1).instruction().reference()).isEqualTo("R2");
    }

    @Test
    void jsonStartingWithSomethingElseFailsOpen() throws Exception {
        for (String text : new String[] {"\"R1\"", "reference,country\n", "42", "<xml/>", "  \n  x"}) {
            Path file = write("other.json", text);
            assertThatThrownBy(() -> PayoutFileReader.open(file)).as(text).isInstanceOf(PayoutFileException.class);
        }
    }

    @Test
    void emptyJsonFailsOpen() throws Exception {
        Path empty = write("empty.json", "");
        assertThatThrownBy(() -> PayoutFileReader.open(empty)).isInstanceOf(PayoutFileException.class);
        Path blank = write("blank-only.json", " \n\t\n");
        assertThatThrownBy(() -> PayoutFileReader.open(blank)).isInstanceOf(PayoutFileException.class);
    }

    @Test
    void jsonWithBom() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        out.write("[{\"reference\":\"R1\",\"country\":\"ID\",\"amount\":1,\"currency\":\"IDR\"}]".getBytes(StandardCharsets.UTF_8));
        assertThat(readAll(write("bom.json", out.toByteArray()))).singleElement()
                .satisfies(r -> assertThat(r.instruction().reference()).isEqualTo("R1"));
    }

    @Test
    void invalidUtf8InJsonMakesTheFileUnreadable() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write("[{\"reference\":\"R1\",\"country\":\"ID\",\"amount\":1,\"currency\":\"IDR\",\"beneficiary_name\":\"K".getBytes(StandardCharsets.UTF_8));
        out.write(new byte[] {(byte) 0xFF, (byte) 0xFE});
        out.write("\"}]".getBytes(StandardCharsets.UTF_8));
        Path file = write("latin1.json", out.toByteArray());
        assertThatThrownBy(() -> readAll(file)).isInstanceOf(PayoutFileException.class).hasMessageContaining("UTF-8");
    }

    // =============================================================================== streaming

    @Test
    void aMillionRowsAreStreamedWithoutKeepingThem() throws Exception {
        int rows = 1_000_000;
        Path file = dir.resolve("big.csv");
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(HEADER);
            w.write('\n');
            for (int i = 0; i < rows; i++) {
                w.write("REF-");
                w.write(Integer.toString(i));
                w.write(",ID,150000,IDR,Beneficiary Number ");
                w.write(Integer.toString(i));
                w.write(",5464438554636,0002,081245907765,someone");
                w.write(Integer.toString(i));
                w.write("@example.com,\"monthly payout, batch 7 - a remark long enough to take some room\"\n");
            }
        }
        assertThat(Files.size(file)).isGreaterThan(100L * 1024 * 1024);

        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        long before = memory.getHeapMemoryUsage().getUsed();
        int count = 0;
        int errors = 0;
        String last = null;
        try (PayoutFileReader reader = PayoutFileReader.open(file)) {
            for (Row r = reader.next(); r != null; r = reader.next()) {
                count++;
                if (r.error() != null) {
                    errors++;
                } else {
                    last = r.instruction().reference();
                }
                assertThat(r.number()).isEqualTo(count);
            }
            // measured with the reader still open: whatever it holds on to is still reachable
            System.gc();
            long after = memory.getHeapMemoryUsage().getUsed();
            assertThat(after - before).as("heap growth in bytes while reading %d rows", rows)
                    .isLessThan(200L * 1024 * 1024);
        }
        assertThat(count).isEqualTo(rows);
        assertThat(errors).isZero();
        assertThat(last).isEqualTo("REF-999999");
    }

    // was a bug: an unclosed quote made the parser buffer the rest of the file (BoundedRecordReader fixes it)
    @Test
    void anUnclosedQuoteDoesNotBufferTheRestOfTheFile() throws Exception {
        Path file = dir.resolve("unclosed-big.csv");
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("reference,country,amount,currency,remark\nR1,ID,1,IDR,ok\nR2,ID,2,IDR,\"never closed\n");
            for (int i = 0; i < 1_000_000; i++) {
                w.write("R" + i + ",ID,150000,IDR,some remark text that goes on for a while to make it big enough\n");
            }
        }
        assertThat(Files.size(file)).isGreaterThan(80L * 1024 * 1024);
        List<MemoryPoolMXBean> oldGen = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP)
                .filter(p -> p.getName().contains("Old") || p.getName().contains("Tenured"))
                .toList();
        assertThat(oldGen).as("an old generation heap pool to watch").isNotEmpty();
        System.gc();
        oldGen.forEach(MemoryPoolMXBean::resetPeakUsage);
        long before = oldGen.stream().mapToLong(p -> p.getUsage().getUsed()).sum();

        try (PayoutFileReader reader = PayoutFileReader.open(file)) {
            assertThat(reader.next().instruction().reference()).isEqualTo("R1");
            assertThatThrownBy(reader::next).isInstanceOf(PayoutFileException.class);
        }
        long peak = oldGen.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        assertThat(peak - before).as("old generation growth in bytes while failing on the open quote")
                .isLessThan(64L * 1024 * 1024);
    }
}
