package org.payoutgateway.intake.file;

import java.io.OutputStream;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * Streams an ISO 20022 customer payment status report: {@code pain.002.001.03} for a
 * {@code pain.001.001.03} file, {@code pain.002.001.10} for a {@code pain.001.001.09} one. One
 * {@code OrgnlPmtInfAndSts} per run of transactions of one {@code PmtInf}, one {@code TxInfAndSts}
 * per transaction, written as it is given, so memory does not grow with the file. Statuses:
 * SUCCESS is ACSC (with the provider's reference as {@code AcctSvcrRef}); FAILED and REJECTED are
 * RJCT with {@code Rsn/Prtry} the provider's status code, or {@code Rsn/Cd} NARR, and the message as
 * {@code AddtlInf} (at most 105 characters); DUPLICATE is RJCT with {@code Rsn/Cd} DUPL; anything
 * else (not final) is ACCP.
 */
final class Pain002Writer implements AutoCloseable {

    static final String NS_03 = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.03";
    static final String NS_10 = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.10";

    private final XMLStreamWriter xml;
    private String openPaymentInfo;
    private boolean closed;

    Pain002Writer(OutputStream out, Pain001Reader.Header original, String messageId) throws XMLStreamException {
        String ns = Pain001Reader.NS_03.equals(original.namespace()) ? NS_03 : NS_10;
        this.xml = XMLOutputFactory.newFactory().createXMLStreamWriter(out, "UTF-8");
        xml.writeStartDocument("UTF-8", "1.0");
        xml.setDefaultNamespace(ns);
        xml.writeStartElement(ns, "Document");
        xml.writeDefaultNamespace(ns);
        xml.writeStartElement(ns, "CstmrPmtStsRpt");
        xml.writeStartElement(ns, "GrpHdr");
        text("MsgId", max(messageId, 35));
        text("CreDtTm", OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).toString());
        xml.writeEndElement();
        xml.writeStartElement("OrgnlGrpInfAndSts");
        text("OrgnlMsgId", max(original.messageId(), 35));
        text("OrgnlMsgNmId", original.messageName());
        xml.writeEndElement();
    }

    /**
     * One transaction's status.
     *
     * @param status the payout's state (SUCCESS, FAILED, ...) or the row's outcome (REJECTED, DUPLICATE)
     */
    void transaction(String paymentInfoId, String endToEndId, String status, String message, String providerReference,
                     String providerStatus) throws XMLStreamException {
        String pmtInf = paymentInfoId == null ? "NOTPROVIDED" : paymentInfoId;
        if (!pmtInf.equals(openPaymentInfo)) {
            if (openPaymentInfo != null) {
                xml.writeEndElement();
            }
            xml.writeStartElement("OrgnlPmtInfAndSts");
            text("OrgnlPmtInfId", max(pmtInf, 35));
            openPaymentInfo = pmtInf;
        }
        xml.writeStartElement("TxInfAndSts");
        if (endToEndId != null) {
            text("OrgnlEndToEndId", max(endToEndId, 35));
        }
        String sts = status == null ? "ACCP" : switch (status) {
            case "SUCCESS" -> "ACSC";
            case "FAILED", "REJECTED", "DUPLICATE" -> "RJCT";
            default -> "ACCP";
        };
        text("TxSts", sts);
        if (sts.equals("RJCT")) {
            xml.writeStartElement("StsRsnInf");
            xml.writeStartElement("Rsn");
            if ("DUPLICATE".equals(status)) {
                text("Cd", "DUPL");
            } else if (providerStatus != null && !providerStatus.isBlank() && "FAILED".equals(status)) {
                text("Prtry", max(providerStatus.strip(), 35));
            } else {
                text("Cd", "NARR");
            }
            xml.writeEndElement();
            if (message != null && !message.isBlank()) {
                text("AddtlInf", max(message.strip(), 105));
            }
            xml.writeEndElement();
        }
        if ("SUCCESS".equals(status) && providerReference != null && !providerReference.isBlank()) {
            text("AcctSvcrRef", max(providerReference.strip(), 35));
        }
        xml.writeEndElement();
    }

    private void text(String name, String value) throws XMLStreamException {
        xml.writeStartElement(name);
        xml.writeCharacters(value);
        xml.writeEndElement();
    }

    private static String max(String s, int length) {
        return s.length() <= length ? s : s.substring(0, length);
    }

    @Override
    public void close() throws XMLStreamException {
        if (closed) {
            return;
        }
        closed = true;
        if (openPaymentInfo != null) {
            xml.writeEndElement();
        }
        xml.writeEndElement(); // CstmrPmtStsRpt
        xml.writeEndElement(); // Document
        xml.writeEndDocument();
        xml.flush();
        xml.close();
    }
}
