package org.payoutgateway.intake.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pain.001 reader on its own: the field mapping of both versions and the whole-file checks. */
class Pain001ReaderTest {

    @TempDir
    Path dir;

    static final String V03 = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><CstmrCdtTrfInitn>
            <GrpHdr><MsgId>M-03</MsgId><CreDtTm>2026-12-01T10:00:00</CreDtTm><NbOfTxs>2</NbOfTxs><CtrlSum>300.50</CtrlSum>
            <InitgPty><Nm>X</Nm></InitgPty></GrpHdr>
            <PmtInf><PmtInfId>P-1</PmtInfId><PmtMtd>TRF</PmtMtd><ReqdExctnDt>2026-12-01</ReqdExctnDt>
            <Dbtr><Nm>X</Nm></Dbtr><DbtrAcct><Id><IBAN>PK36SCBL0000001123456702</IBAN></Id></DbtrAcct>
            <DbtrAgt><FinInstnId><BIC>SCBLPKKX</BIC></FinInstnId></DbtrAgt>
            <CdtTrfTxInf><PmtId><EndToEndId>R-1</EndToEndId></PmtId><Amt><InstdAmt Ccy="PKR">100.50</InstdAmt></Amt>
            <CdtrAgt><FinInstnId><BIC>ALLIPKKA</BIC></FinInstnId></CdtrAgt>
            <Cdtr><Nm>Jane Doe</Nm><Id><PrvtId><Othr><Id>X-9</Id><SchmeNm><Cd>CUST</Cd></SchmeNm></Othr>
            <Othr><Id>17301-2345678-9</Id><SchmeNm><Cd>NIDN</Cd></SchmeNm></Othr></PrvtId></Id>
            <CtctDtls><MobNb>3115112345</MobNb><EmailAdr>jane@example.com</EmailAdr></CtctDtls></Cdtr>
            <CdtrAcct><Id><IBAN>PK36SCBL0000001123456799</IBAN></Id></CdtrAcct>
            <RmtInf><Ustrd>Invoice 1</Ustrd><Ustrd>and 2</Ustrd></RmtInf></CdtTrfTxInf>
            <CdtTrfTxInf><PmtId><EndToEndId>R-2</EndToEndId></PmtId><Amt><InstdAmt Ccy="PKR">200</InstdAmt></Amt>
            <CdtrAgt><FinInstnId><Othr><Id>JAZZCASH</Id></Othr></FinInstnId></CdtrAgt>
            <Cdtr><Nm>Ali</Nm></Cdtr><CdtrAcct><Id><Othr><Id>03001234567</Id></Othr></Id></CdtrAcct></CdtTrfTxInf>
            </PmtInf></CstmrCdtTrfInitn></Document>
            """;

    @Test
    void mapsAVersion03Transaction() throws Exception {
        Path file = Files.writeString(dir.resolve("a.xml"), V03);
        try (Pain001Reader reader = Pain001Reader.open(file)) {
            assertThat(reader.header().messageId()).isEqualTo("M-03");
            assertThat(reader.header().messageName()).isEqualTo("pain.001.001.03");
            PayoutFileReader.Row first = reader.next();
            assertThat(first.number()).isEqualTo(1);
            assertThat(reader.paymentInfoId()).isEqualTo("P-1");
            var in = first.instruction();
            assertThat(in.reference()).isEqualTo("R-1");
            assertThat(in.amount()).isEqualTo("100.50");
            assertThat(in.currency()).isEqualTo("PKR");
            assertThat(in.beneficiaryName()).isEqualTo("Jane Doe");
            assertThat(in.accountNumber()).isEqualTo("PK36SCBL0000001123456799");
            assertThat(in.bankCode()).isEqualTo("ALLIPKKA");
            assertThat(in.idNumber()).isEqualTo("17301-2345678-9");
            assertThat(in.mobile()).isEqualTo("3115112345");
            assertThat(in.email()).isEqualTo("jane@example.com");
            assertThat(in.remark()).isEqualTo("Invoice 1 and 2");
            assertThat(in.country()).as("from the debtor's IBAN").isEqualTo("PK");
            assertThat(first.sourceOf("account_number")).isEqualTo("CdtTrfTxInf[1]/CdtrAcct/Id");
            PayoutFileReader.Row second = reader.next();
            assertThat(second.number()).isEqualTo(2);
            assertThat(second.instruction().bankCode()).isEqualTo("JAZZCASH");
            assertThat(second.instruction().accountNumber()).isEqualTo("03001234567");
            assertThat(second.instruction().idNumber()).isNull();
            assertThat(reader.next()).isNull();
        }
    }

    @Test
    void mapsAVersion09TransactionWithBicfi() throws Exception {
        String v09 = V03.replace("pain.001.001.03", "pain.001.001.09").replace("<BIC>", "<BICFI>").replace("</BIC>", "</BICFI>")
                .replace("<ReqdExctnDt>2026-12-01</ReqdExctnDt>", "<ReqdExctnDt><Dt>2026-12-01</Dt></ReqdExctnDt>");
        Path file = Files.writeString(dir.resolve("b.xml"), v09);
        try (Pain001Reader reader = Pain001Reader.open(file)) {
            assertThat(reader.header().messageName()).isEqualTo("pain.001.001.09");
            var in = reader.next().instruction();
            assertThat(in.bankCode()).isEqualTo("ALLIPKKA");
            assertThat(in.idNumber()).isEqualTo("17301-2345678-9");
            assertThat(in.remark()).isEqualTo("Invoice 1 and 2");
            assertThat(reader.next().instruction().reference()).isEqualTo("R-2");
            assertThat(reader.next()).isNull();
        }
    }

    @Test
    void theNationalIdIsReadUnderTheSchemeCodesGiven() throws Exception {
        Path file = Files.writeString(dir.resolve("f.xml"), V03.replace("<Cd>NIDN</Cd>", "<Cd>CCPT</Cd>"));
        try (Pain001Reader reader = Pain001Reader.open(file)) {
            assertThat(reader.next().instruction().idNumber()).as("CCPT is not a default scheme code").isNull();
        }
        try (PayoutFileReader reader = PayoutFileReader.open(file, Set.of("NIDN", "CCPT"))) {
            assertThat(reader.next().instruction().idNumber()).isEqualTo("17301-2345678-9");
        }
        try (PayoutFileReader reader = PayoutFileReader.open(file, Set.of("CUST", "CCPT"))) {
            assertThat(reader.next().instruction().idNumber()).as("the first Othr whose code is listed").isEqualTo("X-9");
        }
    }

    @Test
    void theSchemeCodesSettingIsAListOfCodesNoneBlank() {
        assertThat(Pain001Reader.nationalIdSchemes("NIDN")).containsExactly("NIDN");
        assertThat(Pain001Reader.nationalIdSchemes(" NIDN , CCPT ")).containsExactlyInAnyOrder("NIDN", "CCPT");
        for (String wrong : List.of(",", " , ", "NIDN,", "NIDN,,CCPT", ",CCPT")) {
            assertThatThrownBy(() -> Pain001Reader.nationalIdSchemes(wrong)).as(wrong)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("payout.intake.file.iso20022.national-id-schemes");
        }
    }

    @Test
    void totalsAreCheckedBeforeAnyRow() throws Exception {
        Path file = Files.writeString(dir.resolve("c.xml"), V03.replace("<CtrlSum>300.50</CtrlSum>", "<CtrlSum>300.5</CtrlSum>"));
        try (Pain001Reader reader = Pain001Reader.open(file)) {
            assertThat(reader.next()).as("300.5 equals 300.50").isNotNull();
        }
        Path wrong = Files.writeString(dir.resolve("d.xml"), V03.replace("<CtrlSum>300.50</CtrlSum>", "<CtrlSum>300</CtrlSum>"));
        assertThatThrownBy(() -> Pain001Reader.open(wrong)).isInstanceOf(PayoutFileException.class)
                .hasMessageContaining("GrpHdr/CtrlSum is 300 but the transactions' InstdAmt add up to 300.50");
    }

    @Test
    void aDoctypeIsNotFollowed() throws Exception {
        Path file = Files.writeString(dir.resolve("e.xml"), V03.replace("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n")
                .replace("<Nm>Ali</Nm>", "<Nm>&x;</Nm>"));
        assertThatThrownBy(() -> Pain001Reader.open(file)).isInstanceOf(PayoutFileException.class);
    }
}
