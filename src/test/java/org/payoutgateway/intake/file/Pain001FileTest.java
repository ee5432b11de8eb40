package org.payoutgateway.intake.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.payoutgateway.payout.Payout;
import org.payoutgateway.support.Gateway;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * ISO 20022 pain.001 files through the real application (sandbox providers): both versions paid
 * end to end with a pain.002 of the matching version whose statuses match the store, and malformed
 * files refused whole with their documented error, nothing of them stored.
 */
class Pain001FileTest {

    static Gateway gateway;

    @BeforeAll
    static void start() throws Exception {
        gateway = Gateway.start("pain001", settings());
    }

    /** The settings of the test gateways: the sandbox, quick schedules. */
    static Map<String, String> settings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("payout.sandbox.enabled", "true");
        settings.put("payout.query.cron", "0/2 * * * * ?");
        settings.put("payout.dispatch.poll-interval-ms", "300");
        settings.put("payout.intake.file.poll-interval-ms", "300");
        settings.put("payout.intake.file.result-interval-ms", "500");
        for (String account : List.of("paypro-id", "paypro-ke", "paypro-pk", "diamondpay-id")) {
            settings.put("payout.provider." + account + ".query-schedule", "2s,5s,10s,30s");
        }
        return settings;
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void pain001Version03IsPaidAndAnsweredWithAPain002Version03ThatProwideReadsBack() throws Exception {
        Map<String, String[]> sts = payAndReport("payouts-indonesia.pain.001.xml",
                "urn:iso:std:iso:20022:tech:xsd:pain.002.001.03", null);
        assertThat(sts.keySet()).containsExactly("EX-ISO-ID-0001", "EX-ISO-ID-0002", "EX-ISO-ID-0003", "EX-ISO-ID-0004");
        assertThat(sts.get("EX-ISO-ID-0001")[0]).isEqualTo("ACSC");
        assertThat(sts.get("EX-ISO-ID-0002")[0]).isEqualTo("ACSC");
        assertThat(sts.get("EX-ISO-ID-0003")[0]).isEqualTo("RJCT");
        assertThat(sts.get("EX-ISO-ID-0004")[0]).isEqualTo("RJCT");
        assertThat(sts.get("EX-ISO-ID-0004")[1]).contains("account_number (CdtTrfTxInf[4]/CdtrAcct/Id): is required");

        // no official pain.002.001.03 schema is kept here: Prowide's model of that version reads the report back
        var report = com.prowidesoftware.swift.model.mx.MxPain00200103.parse(Files.readString(
                gateway.outbox.resolve("payouts-indonesia.pain.001.xml.pain.002.xml"))).getCstmrPmtStsRpt();
        assertThat(report.getOrgnlGrpInfAndSts().getOrgnlMsgId()).isEqualTo("SAP-F110-20261201-0001");
        assertThat(report.getOrgnlPmtInfAndSts()).hasSize(1);
        assertThat(report.getOrgnlPmtInfAndSts().get(0).getTxInfAndSts()).extracting(t -> t.getOrgnlEndToEndId() + " "
                + t.getTxSts()).containsExactly("EX-ISO-ID-0001 ACSC", "EX-ISO-ID-0002 ACSC", "EX-ISO-ID-0003 RJCT",
                "EX-ISO-ID-0004 RJCT");
        assertThat(report.getOrgnlPmtInfAndSts().get(0).getTxInfAndSts().get(3).getStsRsnInf().get(0).getRsn().getCd())
                .isEqualTo("NARR");

        Payout first = gateway.payout("EX-ISO-ID-0001");
        assertThat(first.instruction().bankCode()).isEqualTo("0002");
        assertThat(first.instruction().accountNumber()).isEqualTo("5464438554636");
        assertThat(first.instruction().beneficiaryName()).isEqualTo("Budi Santoso");
        assertThat(first.instruction().mobile()).isEqualTo("081245907765");
        assertThat(first.instruction().email()).isEqualTo("budi@example.com");
        assertThat(first.instruction().remark()).isEqualTo("salary November");
        assertThat(first.instruction().country()).isEqualTo("ID");
        assertThat(first.instruction().amount()).isEqualTo("150000");
        assertThat(first.instruction().currency()).isEqualTo("IDR");
    }

    @Test
    void pain001Version09IsPaidAndAnsweredWithASchemaValidPain002Version10() throws Exception {
        Map<String, String[]> sts = payAndReport("payouts-kenya.pain.001.xml",
                "urn:iso:std:iso:20022:tech:xsd:pain.002.001.10", "iso20022/pain.002.001.10.xsd");
        assertThat(sts.keySet()).containsExactly("EX-ISO-KE-0001", "EX-ISO-KE-0002", "EX-ISO-KE-0003", "EX-ISO-KE-0004");
        assertThat(sts.get("EX-ISO-KE-0001")[0]).isEqualTo("ACSC");
        assertThat(sts.get("EX-ISO-KE-0002")[0]).isEqualTo("ACSC");
        assertThat(sts.get("EX-ISO-KE-0003")[0]).isEqualTo("RJCT");
        assertThat(sts.get("EX-ISO-KE-0004")[0]).isEqualTo("RJCT");
        assertThat(sts.get("EX-ISO-KE-0004")[1]).contains("amount (CdtTrfTxInf[4]/Amt/InstdAmt): must be a whole number of KES");
        assertThat(gateway.payout("EX-ISO-KE-0001").instruction().mobile()).isEqualTo("254712345678");
    }

    /**
     * Drops an example file, waits for its pain.002, validates it (when a schema is given), checks
     * each transaction's status against the CSV result and the store; returns status and reason by
     * OrgnlEndToEndId.
     */
    private Map<String, String[]> payAndReport(String example, String namespace, String xsd) throws Exception {
        String name = example;
        gateway.drop(name, Files.readString(Path.of("examples", example)));
        Path pain002 = gateway.outbox.resolve(name + ".pain.002.xml");
        Gateway.await(() -> Files.exists(pain002), Duration.ofSeconds(60), "no pain.002 for " + name);
        if (xsd != null) {
            SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI)
                    .newSchema(getClass().getClassLoader().getResource(xsd))
                    .newValidator().validate(new StreamSource(pain002.toFile()));
        }
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setNamespaceAware(true);
        Document doc = dbf.newDocumentBuilder().parse(pain002.toFile());
        assertThat(doc.getDocumentElement().getNamespaceURI()).isEqualTo(namespace);
        String original = Files.readString(Path.of("examples", example));
        assertThat(text(doc.getDocumentElement(), "OrgnlMsgId")).isEqualTo(between(original, "<MsgId>", "</MsgId>"));
        assertThat(text(doc.getDocumentElement(), "OrgnlMsgNmId")).isEqualTo(
                namespace.endsWith(".03") ? "pain.001.001.03" : "pain.001.001.09");
        assertThat(text(doc.getDocumentElement(), "OrgnlPmtInfId")).isEqualTo(between(original, "<PmtInfId>", "</PmtInfId>"));

        Map<String, String> csv = new LinkedHashMap<>();
        try (Reader r = Files.newBufferedReader(gateway.resultOf(name))) {
            for (CSVRecord rec : CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
                csv.put(rec.get("reference"), rec.get("status"));
            }
        }
        Map<String, String[]> out = new LinkedHashMap<>();
        NodeList txs = doc.getElementsByTagNameNS(namespace, "TxInfAndSts");
        for (int i = 0; i < txs.getLength(); i++) {
            Element tx = (Element) txs.item(i);
            String e2e = text(tx, "OrgnlEndToEndId");
            String status = text(tx, "TxSts");
            out.put(e2e, new String[] {status, text(tx, "AddtlInf")});
            String expected = switch (csv.get(e2e)) {
                case "SUCCESS" -> "ACSC";
                case "FAILED", "REJECTED", "DUPLICATE" -> "RJCT";
                default -> "ACCP";
            };
            assertThat(status).as(e2e).isEqualTo(expected);
            var stored = gateway.store().find(e2e);
            if (stored.isPresent()) {
                assertThat(stored.get().state().name()).as(e2e + " in the store").isEqualTo(csv.get(e2e));
            } else {
                assertThat(csv.get(e2e)).isEqualTo("REJECTED");
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------ national id

    static final String NATIONAL_ID = "3520212345678";

    /**
     * A pain.001.001.09 file of two transactions whose creditor's id is under the scheme code CCPT:
     * {@code <prefix>1} in Pakistan (whose account requires {@code id_number}), {@code <prefix>2} in
     * Indonesia (where it is stored as given).
     */
    static String nationalIdFile(String prefix) {
        String id = "<Id><PrvtId><Othr><Id>" + NATIONAL_ID + "</Id><SchmeNm><Cd>CCPT</Cd></SchmeNm></Othr></PrvtId></Id>";
        return String.format(HEAD, "2", "150100").replace("BAD-1", prefix)
                + "<CdtTrfTxInf><PmtId><EndToEndId>" + prefix + "1</EndToEndId></PmtId>"
                + "<Amt><InstdAmt Ccy=\"PKR\">100</InstdAmt></Amt>"
                + "<CdtrAgt><FinInstnId><Othr><Id>JAZZCASH</Id></Othr></FinInstnId></CdtrAgt>"
                + "<Cdtr><Nm>Ali Khan</Nm><PstlAdr><Ctry>PK</Ctry></PstlAdr>" + id
                + "<CtctDtls><MobNb>3115112345</MobNb><EmailAdr>ali@example.com</EmailAdr></CtctDtls></Cdtr>"
                + "<CdtrAcct><Id><Othr><Id>03001234567</Id></Othr></Id></CdtrAcct>"
                + "<RmtInf><Ustrd>salary</Ustrd></RmtInf></CdtTrfTxInf>"
                + "<CdtTrfTxInf><PmtId><EndToEndId>" + prefix + "2</EndToEndId></PmtId>"
                + "<Amt><InstdAmt Ccy=\"IDR\">150000</InstdAmt></Amt>"
                + "<CdtrAgt><FinInstnId><ClrSysMmbId><MmbId>0002</MmbId></ClrSysMmbId></FinInstnId></CdtrAgt>"
                + "<Cdtr><Nm>Budi Santoso</Nm><PstlAdr><Ctry>ID</Ctry></PstlAdr>" + id
                + "<CtctDtls><MobNb>081245907765</MobNb><EmailAdr>budi@example.com</EmailAdr></CtctDtls></Cdtr>"
                + "<CdtrAcct><Id><Othr><Id>5464438554636</Id></Othr></Id></CdtrAcct>"
                + "<RmtInf><Ustrd>salary</Ustrd></RmtInf></CdtTrfTxInf>" + TAIL;
    }

    @Test
    void aCreditorIdUnderAnotherSchemeCodeIsNotTheNationalIdByDefault() throws Exception {
        Map<String, String[]> rows = resultRows(gateway, "national-id-default.xml", nationalIdFile("NID-D"));
        assertThat(rows.get("NID-D1")[0]).isEqualTo("REJECTED");
        assertThat(rows.get("NID-D1")[1]).contains("id_number (CdtTrfTxInf[1]/Cdtr/Id/PrvtId/Othr/Id): is required");
        assertThat(gateway.payout("NID-D2").instruction().idNumber()).isNull();
    }

    @Test
    void aCreditorIdUnderASchemeCodeTheSettingListsIsTheNationalId() throws Exception {
        Map<String, String> settings = settings();
        settings.put("payout.intake.file.iso20022.national-id-schemes", "NIDN,CCPT");
        try (Gateway listing = Gateway.start("pain001-national-id", settings)) {
            Map<String, String[]> rows = resultRows(listing, "national-id-listed.xml", nationalIdFile("NID-L"));
            assertThat(listing.payout("NID-L2").instruction().idNumber()).isEqualTo(NATIONAL_ID);
            // Pakistan's account needs more than the file gives (account_type), but no longer the id
            assertThat(rows.get("NID-L1")[0]).isEqualTo("REJECTED");
            assertThat(rows.get("NID-L1")[1]).contains("account_type").doesNotContain("id_number");
        }
    }

    @Test
    void anEmptyListOrABlankSchemeCodeIsRefusedAtStart() {
        for (String wrong : List.of(",", "NIDN,,CCPT")) {
            Map<String, String> settings = settings();
            settings.put("payout.intake.file.iso20022.national-id-schemes", wrong);
            assertThatThrownBy(() -> Gateway.start("pain001-bad-schemes", settings).close()).as(wrong)
                    .hasStackTraceContaining("payout.intake.file.iso20022.national-id-schemes");
        }
    }

    /** Drops a file, waits for its CSV result; returns status and message by reference. */
    private static Map<String, String[]> resultRows(Gateway g, String name, String content) throws Exception {
        g.drop(name, content);
        Gateway.await(() -> Files.exists(g.resultOf(name)), Duration.ofSeconds(60), "no result for " + name);
        Map<String, String[]> rows = new LinkedHashMap<>();
        try (Reader r = Files.newBufferedReader(g.resultOf(name))) {
            for (CSVRecord rec : CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
                rows.put(rec.get("reference"), new String[] {rec.get("status"), rec.get("message")});
            }
        }
        return rows;
    }

    // ------------------------------------------------------------------------- malformed files

    static final String HEAD = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.09\"><CstmrCdtTrfInitn>"
            + "<GrpHdr><MsgId>BAD-1</MsgId><CreDtTm>2026-12-01T10:00:00</CreDtTm><NbOfTxs>%s</NbOfTxs>"
            + "<CtrlSum>%s</CtrlSum><InitgPty><Nm>X</Nm></InitgPty></GrpHdr>"
            + "<PmtInf><PmtInfId>P1</PmtInfId><PmtMtd>TRF</PmtMtd><ReqdExctnDt><Dt>2026-12-01</Dt></ReqdExctnDt>"
            + "<Dbtr><Nm>X</Nm></Dbtr><DbtrAcct><Id><Othr><Id>1</Id></Othr></Id></DbtrAcct>"
            + "<DbtrAgt><FinInstnId><BICFI>KCBLKENX</BICFI></FinInstnId></DbtrAgt>";
    static final String TAIL = "</PmtInf></CstmrCdtTrfInitn></Document>\n";

    static String tx(String endToEnd, String amount) {
        return "<CdtTrfTxInf><PmtId>" + (endToEnd == null ? "" : "<EndToEndId>" + endToEnd + "</EndToEndId>")
                + "</PmtId><Amt><InstdAmt Ccy=\"KES\">" + amount + "</InstdAmt></Amt>"
                + "<Cdtr><Nm>A</Nm><PstlAdr><Ctry>KE</Ctry></PstlAdr><CtctDtls><MobNb>254712345678</MobNb></CtctDtls></Cdtr>"
                + "</CdtTrfTxInf>";
    }

    @Test
    void totalsThatDoNotMatchRejectTheWholeFile() throws Exception {
        refusedWhole("count.xml", String.format(HEAD, "3", "300") + tx("BAD-C1", "100") + tx("BAD-C2", "200") + TAIL,
                List.of("BAD-C1", "BAD-C2"), "GrpHdr/NbOfTxs is 3 but the file holds 2 transaction(s)");
        refusedWhole("sum.xml", String.format(HEAD, "2", "301") + tx("BAD-S1", "100") + tx("BAD-S2", "200") + TAIL,
                List.of("BAD-S1", "BAD-S2"), "GrpHdr/CtrlSum is 301 but the transactions' InstdAmt add up to 300");
        String pmtInfTotals = String.format(HEAD, "2", "300").replace("<PmtMtd>TRF</PmtMtd>",
                "<PmtMtd>TRF</PmtMtd><NbOfTxs>1</NbOfTxs>") + tx("BAD-P1", "100") + tx("BAD-P2", "200") + TAIL;
        refusedWhole("pmtinf.xml", pmtInfTotals, List.of("BAD-P1", "BAD-P2"),
                "PmtInf[1] (P1)/NbOfTxs is 1 but the file holds 2 transaction(s)");
    }

    @Test
    void missingOrDuplicateEndToEndIdRejectsTheWholeFile() throws Exception {
        refusedWhole("missing-e2e.xml", String.format(HEAD, "2", "300") + tx("BAD-M1", "100") + tx(null, "200") + TAIL,
                List.of("BAD-M1"), "CdtTrfTxInf[2]/PmtId/EndToEndId is missing");
        refusedWhole("duplicate-e2e.xml", String.format(HEAD, "3", "600") + tx("BAD-D1", "100") + tx("BAD-D2", "200")
                + tx("BAD-D1", "300") + TAIL, List.of("BAD-D1", "BAD-D2"),
                "CdtTrfTxInf[3]/PmtId/EndToEndId BAD-D1 is given to more than one transaction in the file");
    }

    @Test
    void badXmlAndWrongNamespaceRejectTheWholeFile() throws Exception {
        refusedWhole("broken.xml", String.format(HEAD, "2", "300") + tx("BAD-X1", "100") + tx("BAD-X2", "200")
                + "</PmtInf></CstmrCdtTrfInitn>", List.of("BAD-X1", "BAD-X2"), "not well-formed XML");
        refusedWhole("namespace.xml", (String.format(HEAD, "1", "100") + tx("BAD-N1", "100") + TAIL)
                .replace("pain.001.001.09", "pain.001.001.12"), List.of("BAD-N1"),
                "not a pain.001.001.03 or pain.001.001.09 document");
    }

    private void refusedWhole(String name, String content, List<String> references, String why) throws Exception {
        gateway.drop(name, content);
        Path note = gateway.errors.resolve(name + ".error.txt");
        Gateway.await(() -> { // the note is created, then written
            try {
                return Files.exists(note) && Files.size(note) > 0;
            } catch (java.io.IOException notYet) {
                return false;
            }
        }, Duration.ofSeconds(30), "no error note for " + name);
        assertThat(Files.readString(note)).contains(why).contains("No payout of it was stored");
        for (String reference : references) {
            assertThat(gateway.store().find(reference)).as(reference + " of " + name).isEmpty();
        }
        assertThat(Files.exists(gateway.resultOf(name))).isFalse();
    }

    private static String text(Element in, String local) {
        NodeList list = in.getElementsByTagNameNS("*", local);
        return list.getLength() == 0 ? null : list.item(0).getTextContent();
    }

    private static String between(String s, String open, String close) {
        int from = s.indexOf(open) + open.length();
        return s.substring(from, s.indexOf(close, from));
    }
}
