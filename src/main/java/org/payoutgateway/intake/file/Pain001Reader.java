package org.payoutgateway.intake.file;

import com.prowidesoftware.swift.model.mx.dic.AccountIdentification4Choice;
import com.prowidesoftware.swift.model.mx.dic.CashAccount16;
import com.prowidesoftware.swift.model.mx.dic.CashAccount38;
import com.prowidesoftware.swift.model.mx.dic.ClearingSystemMemberIdentification2;
import com.prowidesoftware.swift.model.mx.dic.CreditTransferTransaction34;
import com.prowidesoftware.swift.model.mx.dic.CreditTransferTransactionInformation10;
import com.prowidesoftware.swift.model.mx.dic.GenericFinancialIdentification1;
import com.prowidesoftware.swift.model.mx.dic.GenericPersonIdentification1;
import com.prowidesoftware.swift.model.mx.dic.GroupHeader32;
import com.prowidesoftware.swift.model.mx.dic.GroupHeader85;
import jakarta.xml.bind.JAXBContext;
import jakarta.xml.bind.JAXBException;
import jakarta.xml.bind.Unmarshaller;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.stream.util.StreamReaderDelegate;
import org.payoutgateway.payout.PayoutInstruction;

/**
 * Reads an ISO 20022 customer credit transfer initiation ({@code pain.001.001.03} or
 * {@code pain.001.001.09}) one {@code CdtTrfTxInf} at a time: StAX streams the document and JAXB
 * unmarshals each transaction (and the group and payment information headers) into Prowide's
 * model classes, so memory does not grow with the file. A first streaming pass checks the whole
 * file before any row is given out: well-formed XML, the namespace, {@code NbOfTxs} and
 * {@code CtrlSum} of the group header and of each {@code PmtInf}, and an {@code EndToEndId} present
 * and unique in the file; any of these failing makes the file unreadable as a whole
 * ({@link PayoutFileException}), nothing of it stored. Row numbers are the transactions' ordinals
 * in the file.
 */
public final class Pain001Reader extends PayoutFileReader {

    public static final String NS_03 = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03";
    public static final String NS_09 = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09";
    /**
     * The default scheme codes of {@code Cdtr/Id/PrvtId/Othr/SchmeNm/Cd} read as the national id
     * ({@code id_number}): {@code NIDN}. Setting {@code payout.intake.file.iso20022.national-id-schemes}.
     */
    public static final Set<String> NATIONAL_ID_SCHEMES = Set.of("NIDN");

    /** The setting of the scheme codes read as the national id. */
    public static final String NATIONAL_ID_SCHEMES_SETTING = "payout.intake.file.iso20022.national-id-schemes";

    /**
     * The scheme codes of {@value #NATIONAL_ID_SCHEMES_SETTING}: comma-separated, each stripped.
     *
     * @throws IllegalStateException naming the setting when the list is empty or a code in it is blank
     */
    public static Set<String> nationalIdSchemes(String value) {
        List<String> codes = java.util.Arrays.stream(value.split(",", -1)).map(String::strip).toList();
        if (codes.stream().allMatch(String::isEmpty)) {
            throw new IllegalStateException(NATIONAL_ID_SCHEMES_SETTING + " lists no scheme code ('" + value
                    + "'); list at least one, e.g. NIDN, or leave it unset for the default NIDN");
        }
        if (codes.contains("")) {
            throw new IllegalStateException(NATIONAL_ID_SCHEMES_SETTING + " has a blank scheme code in '" + value
                    + "'; list the codes separated by commas, e.g. NIDN,CCPT");
        }
        return Set.copyOf(codes);
    }

    private static final JAXBContext JAXB;

    static {
        try {
            JAXB = JAXBContext.newInstance(GroupHeader32.class, CreditTransferTransactionInformation10.class,
                    CashAccount16.class, GroupHeader85.class, CreditTransferTransaction34.class, CashAccount38.class,
                    com.prowidesoftware.swift.model.mx.dic.PartyIdentification32.class,
                    com.prowidesoftware.swift.model.mx.dic.PartyIdentification135.class);
        } catch (JAXBException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Where an instruction field comes from in a transaction, for messages naming the ISO path. */
    static final Map<String, String> PATHS = Map.ofEntries(
            Map.entry("reference", "PmtId/EndToEndId"),
            Map.entry("amount", "Amt/InstdAmt"),
            Map.entry("currency", "Amt/InstdAmt/@Ccy"),
            Map.entry("beneficiary_name", "Cdtr/Nm"),
            Map.entry("account_number", "CdtrAcct/Id"),
            Map.entry("bank_code", "CdtrAgt/FinInstnId"),
            Map.entry("country", "Cdtr/PstlAdr/Ctry"),
            Map.entry("remark", "RmtInf/Ustrd"),
            Map.entry("mobile", "Cdtr/CtctDtls/MobNb"),
            Map.entry("email", "Cdtr/CtctDtls/EmailAdr"),
            Map.entry("id_number", "Cdtr/Id/PrvtId/Othr/Id"));

    /** The group header of a checked file. */
    public record Header(String namespace, String messageId, String messageName, int transactions) {
    }

    private final Header header;
    /** Scheme codes read as the national id ({@code id_number}). */
    private final Set<String> nationalIdSchemes;
    private final InputStream in;
    private final XMLStreamReader xml;
    private final Unmarshaller unmarshaller;
    private int number;
    private String paymentInfoId;
    private String debtorAccountCountry;
    private String debtorCountry;

    private Pain001Reader(Path file, Header header, Set<String> nationalIdSchemes)
            throws IOException, XMLStreamException, JAXBException {
        this.header = header;
        this.nationalIdSchemes = Set.copyOf(nationalIdSchemes);
        this.in = Files.newInputStream(file);
        this.xml = new NoNamespace(factory().createXMLStreamReader(in));
        this.unmarshaller = JAXB.createUnmarshaller();
    }

    /** Checks the whole file (first pass), then opens it for its rows, the national id read by {@link #NATIONAL_ID_SCHEMES}. */
    public static Pain001Reader open(Path file) throws PayoutFileException {
        return open(file, NATIONAL_ID_SCHEMES);
    }

    /**
     * Checks the whole file (first pass), then opens it for its rows.
     *
     * @param nationalIdSchemes the scheme codes of {@code Cdtr/Id/PrvtId/Othr/SchmeNm/Cd} read as {@code id_number}
     */
    public static Pain001Reader open(Path file, Set<String> nationalIdSchemes) throws PayoutFileException {
        Header header = check(file);
        try {
            return new Pain001Reader(file, header, nationalIdSchemes);
        } catch (IOException | XMLStreamException | JAXBException e) {
            throw unreadable(e);
        }
    }

    public Header header() {
        return header;
    }

    /** The {@code PmtInfId} of the last transaction given out by {@link #next()}. */
    public String paymentInfoId() {
        return paymentInfoId;
    }

    private static XMLInputFactory factory() {
        XMLInputFactory f = XMLInputFactory.newFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_COALESCING, true);
        return f;
    }

    // ------------------------------------------------------------------------------ first pass

    /** Totals of one {@code GrpHdr} or {@code PmtInf}: what it declares and what its transactions hold. */
    private static final class Totals {
        String declaredCount;
        String declaredSum;
        int count;
        BigDecimal sum = BigDecimal.ZERO;

        void check(String where) throws PayoutFileException {
            if (declaredCount != null && !declaredCount.strip().equals(Integer.toString(count))) {
                throw new PayoutFileException(where + "/NbOfTxs is " + declaredCount.strip() + " but the file holds "
                        + count + " transaction(s) (CdtTrfTxInf)");
            }
            if (declaredSum != null) {
                BigDecimal declared;
                try {
                    declared = new BigDecimal(declaredSum.strip());
                } catch (NumberFormatException e) {
                    throw new PayoutFileException(where + "/CtrlSum is not a number: " + abbreviate(declaredSum));
                }
                if (declared.compareTo(sum) != 0) {
                    throw new PayoutFileException(where + "/CtrlSum is " + declared.toPlainString()
                            + " but the transactions' InstdAmt add up to " + sum.toPlainString());
                }
            }
        }
    }

    static Header check(Path file) throws PayoutFileException {
        try (InputStream in = Files.newInputStream(file)) {
            XMLStreamReader r = factory().createXMLStreamReader(in);
            Deque<String> path = new ArrayDeque<>();
            String namespace = null;
            String messageId = null;
            Totals group = new Totals();
            Totals payment = null;
            String paymentId = null;
            int paymentNo = 0;
            int tx = 0;
            String endToEnd = null;
            Set<String> seen = new HashSet<>();
            while (r.hasNext()) {
                int event = r.next();
                if (event == XMLStreamConstants.START_ELEMENT) {
                    String name = r.getLocalName();
                    if (path.isEmpty()) {
                        namespace = r.getNamespaceURI();
                        if (!"Document".equals(name) || !(NS_03.equals(namespace) || NS_09.equals(namespace))) {
                            throw new PayoutFileException("not a pain.001.001.03 or pain.001.001.09 document: the root "
                                    + "element is {" + (namespace == null ? "" : namespace) + "}" + name
                                    + "; expected Document in " + NS_03 + " or " + NS_09);
                        }
                    } else if (!namespace.equals(r.getNamespaceURI()) && !path.contains("Envlp")) {
                        // (SplmtryData/Envlp may hold any namespace)
                        throw new PayoutFileException("element " + name + " is in the namespace "
                                + r.getNamespaceURI() + ", not the document's " + namespace);
                    }
                    path.push(name);
                    String at = String.join("/", (Iterable<String>) path::descendingIterator);
                    switch (at) {
                        case "Document/CstmrCdtTrfInitn/GrpHdr/MsgId" -> messageId = r.getElementText();
                        case "Document/CstmrCdtTrfInitn/GrpHdr/NbOfTxs" -> group.declaredCount = r.getElementText();
                        case "Document/CstmrCdtTrfInitn/GrpHdr/CtrlSum" -> group.declaredSum = r.getElementText();
                        case "Document/CstmrCdtTrfInitn/PmtInf" -> {
                            payment = new Totals();
                            paymentNo++;
                            paymentId = null;
                        }
                        case "Document/CstmrCdtTrfInitn/PmtInf/PmtInfId" -> paymentId = r.getElementText();
                        case "Document/CstmrCdtTrfInitn/PmtInf/NbOfTxs" -> payment.declaredCount = r.getElementText();
                        case "Document/CstmrCdtTrfInitn/PmtInf/CtrlSum" -> payment.declaredSum = r.getElementText();
                        case "Document/CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf" -> {
                            tx++;
                            endToEnd = null;
                        }
                        case "Document/CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/PmtId/EndToEndId" -> endToEnd = r.getElementText().strip();
                        case "Document/CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/Amt/InstdAmt" -> {
                            String text = r.getElementText().strip();
                            try {
                                BigDecimal amount = new BigDecimal(text);
                                group.sum = group.sum.add(amount);
                                payment.sum = payment.sum.add(amount);
                            } catch (NumberFormatException e) {
                                throw new PayoutFileException("CdtTrfTxInf[" + tx + "]/Amt/InstdAmt is not a number: "
                                        + abbreviate(text));
                            }
                        }
                        default -> {
                        }
                    }
                    if (r.getEventType() == XMLStreamConstants.END_ELEMENT) {
                        path.pop(); // getElementText() read up to the end element
                    }
                } else if (event == XMLStreamConstants.END_ELEMENT) {
                    String at = String.join("/", (Iterable<String>) path::descendingIterator);
                    path.pop();
                    if (at.equals("Document/CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf")) {
                        if (endToEnd == null || endToEnd.isEmpty()) {
                            throw new PayoutFileException("CdtTrfTxInf[" + tx + "]/PmtId/EndToEndId is missing; every "
                                    + "transaction needs one (it is the payout's reference)");
                        }
                        if (!seen.add(endToEnd)) {
                            throw new PayoutFileException("CdtTrfTxInf[" + tx + "]/PmtId/EndToEndId " + abbreviate(endToEnd)
                                    + " is given to more than one transaction in the file");
                        }
                        group.count++;
                        payment.count++;
                    } else if (at.equals("Document/CstmrCdtTrfInitn/PmtInf")) {
                        payment.check("PmtInf[" + paymentNo + "]" + (paymentId == null ? "" : " (" + paymentId.strip() + ")"));
                    }
                }
            }
            if (messageId == null) {
                throw new PayoutFileException("GrpHdr/MsgId is missing");
            }
            group.check("GrpHdr");
            if (tx == 0) {
                throw new PayoutFileException("the file holds no transaction (CdtTrfTxInf)");
            }
            String messageName = NS_03.equals(namespace) ? "pain.001.001.03" : "pain.001.001.09";
            return new Header(namespace, messageId.strip(), messageName, tx);
        } catch (XMLStreamException e) {
            throw new PayoutFileException("not well-formed XML"
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNumber() + ")") + ": "
                    + e.getMessage().replaceAll("(?s)^ParseError at \\[row,col\\]:\\[\\d+,\\d+\\]\\s*Message: ", ""), e);
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    // ----------------------------------------------------------------------------- second pass

    @Override
    public Row next() throws PayoutFileException {
        try {
            while (pending || xml.hasNext()) {
                int event = pending ? xml.getEventType() : xml.next();
                pending = false;
                if (event == XMLStreamConstants.START_ELEMENT) {
                    String name = xml.getLocalName();
                    switch (name) {
                        case "PmtInf" -> {
                            inPmtInf = true;
                            paymentInfoId = null;
                            debtorAccountCountry = null;
                            debtorCountry = null;
                        }
                        case "PmtInfId" -> {
                            if (inPmtInf) {
                                paymentInfoId = xml.getElementText().strip();
                            }
                        }
                        case "Dbtr" -> {
                            if (inPmtInf) {
                                debtorCountry = debtorCountry(unmarshaller.unmarshal(xml, partyClass()).getValue());
                                pending = true;
                            }
                        }
                        case "DbtrAcct" -> {
                            if (inPmtInf) {
                                debtorAccountCountry = ibanCountry(account(unmarshaller.unmarshal(xml, accountClass()).getValue()));
                                pending = true;
                            }
                        }
                        case "CdtTrfTxInf" -> {
                            number++;
                            Object tx = unmarshaller.unmarshal(xml, txClass()).getValue();
                            pending = true; // JAXB leaves the reader on the event after the transaction
                            return toRow(tx);
                        }
                        default -> {
                        }
                    }
                } else if (event == XMLStreamConstants.END_ELEMENT && "PmtInf".equals(xml.getLocalName())) {
                    inPmtInf = false;
                }
            }
            return null;
        } catch (XMLStreamException | JAXBException | RuntimeException e) {
            throw new PayoutFileException("unreadable after transaction " + number + ": " + unreadable(e).getMessage(), e);
        }
    }

    private boolean inPmtInf;
    /** Whether the reader's current event is still to be looked at (JAXB stopped on it). */
    private boolean pending;

    private boolean v03() {
        return NS_03.equals(header.namespace());
    }

    private Class<?> txClass() {
        return v03() ? CreditTransferTransactionInformation10.class : CreditTransferTransaction34.class;
    }

    private Class<?> accountClass() {
        return v03() ? CashAccount16.class : CashAccount38.class;
    }

    private Class<?> partyClass() {
        return v03() ? com.prowidesoftware.swift.model.mx.dic.PartyIdentification32.class
                : com.prowidesoftware.swift.model.mx.dic.PartyIdentification135.class;
    }

    private static AccountIdentification4Choice account(Object cashAccount) {
        if (cashAccount instanceof CashAccount16 a) {
            return a.getId();
        }
        return cashAccount instanceof CashAccount38 a ? a.getId() : null;
    }

    private static String ibanCountry(AccountIdentification4Choice id) {
        String iban = id == null ? null : id.getIBAN();
        return iban != null && iban.length() >= 2 ? iban.substring(0, 2) : null;
    }

    private static String debtorCountry(Object party) {
        if (party instanceof com.prowidesoftware.swift.model.mx.dic.PartyIdentification32 p) {
            return p.getPstlAdr() == null ? null : p.getPstlAdr().getCtry();
        }
        if (party instanceof com.prowidesoftware.swift.model.mx.dic.PartyIdentification135 p) {
            return p.getPstlAdr() == null ? null : p.getPstlAdr().getCtry();
        }
        return null;
    }

    private static String accountNumber(AccountIdentification4Choice id) {
        if (id == null) {
            return null;
        }
        if (id.getIBAN() != null) {
            return id.getIBAN();
        }
        return id.getOthr() == null ? null : id.getOthr().getId();
    }

    /** The first {@code Othr/Id} whose {@code SchmeNm/Cd} is one of {@link #nationalIdSchemes}, or null. */
    private String nationalId(List<GenericPersonIdentification1> others) {
        if (others == null) {
            return null;
        }
        for (GenericPersonIdentification1 o : others) {
            if (o.getSchmeNm() != null && o.getSchmeNm().getCd() != null
                    && nationalIdSchemes.contains(o.getSchmeNm().getCd().strip())) {
                return o.getId();
            }
        }
        return null;
    }

    /**
     * What the mapping reads of one transaction, whichever the version: each version's model class
     * has its own types for the same elements, so a small adapter per version
     * ({@link #of(CreditTransferTransactionInformation10)}, {@link #of(CreditTransferTransaction34)})
     * takes them out and {@link #toRow} maps them once. A value is null where its element (or one
     * above it) is absent; {@code creditorOtherIds} is null without {@code Cdtr/Id/PrvtId}.
     */
    record Transaction(String endToEndId, BigDecimal amount, String currency, String creditorName,
                       String creditorCountry, String mobile, String email,
                       List<GenericPersonIdentification1> creditorOtherIds, AccountIdentification4Choice creditorAccount,
                       ClearingSystemMemberIdentification2 agentMember, String agentBic,
                       GenericFinancialIdentification1 agentOther, List<String> unstructured) {

        /** pain.001.001.03: {@code BIC} for the creditor agent. */
        static Transaction of(CreditTransferTransactionInformation10 t) {
            var amount = t.getAmt() == null ? null : t.getAmt().getInstdAmt();
            var c = t.getCdtr();
            var contact = c == null ? null : c.getCtctDtls();
            var prvtId = c == null || c.getId() == null ? null : c.getId().getPrvtId();
            var agent = t.getCdtrAgt() == null ? null : t.getCdtrAgt().getFinInstnId();
            return new Transaction(t.getPmtId() == null ? null : t.getPmtId().getEndToEndId(),
                    amount == null ? null : amount.getValue(), amount == null ? null : amount.getCcy(),
                    c == null ? null : c.getNm(), c == null || c.getPstlAdr() == null ? null : c.getPstlAdr().getCtry(),
                    contact == null ? null : contact.getMobNb(), contact == null ? null : contact.getEmailAdr(),
                    prvtId == null ? null : prvtId.getOthr(),
                    t.getCdtrAcct() == null ? null : t.getCdtrAcct().getId(),
                    agent == null ? null : agent.getClrSysMmbId(),
                    agent == null ? null : agent.getBIC(),
                    agent == null ? null : agent.getOthr(),
                    t.getRmtInf() == null ? null : t.getRmtInf().getUstrd());
        }

        /** pain.001.001.09: {@code BICFI} for the creditor agent. */
        static Transaction of(CreditTransferTransaction34 t) {
            var amount = t.getAmt() == null ? null : t.getAmt().getInstdAmt();
            var c = t.getCdtr();
            var contact = c == null ? null : c.getCtctDtls();
            var prvtId = c == null || c.getId() == null ? null : c.getId().getPrvtId();
            var agent = t.getCdtrAgt() == null ? null : t.getCdtrAgt().getFinInstnId();
            return new Transaction(t.getPmtId() == null ? null : t.getPmtId().getEndToEndId(),
                    amount == null ? null : amount.getValue(), amount == null ? null : amount.getCcy(),
                    c == null ? null : c.getNm(), c == null || c.getPstlAdr() == null ? null : c.getPstlAdr().getCtry(),
                    contact == null ? null : contact.getMobNb(), contact == null ? null : contact.getEmailAdr(),
                    prvtId == null ? null : prvtId.getOthr(),
                    t.getCdtrAcct() == null ? null : t.getCdtrAcct().getId(),
                    agent == null ? null : agent.getClrSysMmbId(),
                    agent == null ? null : agent.getBICFI(),
                    agent == null ? null : agent.getOthr(),
                    t.getRmtInf() == null ? null : t.getRmtInf().getUstrd());
        }

        /** The transaction of either version, as JAXB gave it. */
        static Transaction of(Object tx) {
            if (tx instanceof CreditTransferTransactionInformation10 t) {
                return of(t);
            }
            if (tx instanceof CreditTransferTransaction34 t) {
                return of(t);
            }
            throw new IllegalArgumentException("not a pain.001 transaction: " + tx.getClass().getName());
        }
    }

    private Row toRow(Object tx) {
        Transaction t = Transaction.of(tx);
        Map<String, String> v = new HashMap<>();
        v.put("reference", t.endToEndId());
        v.put("amount", t.amount() == null ? null : t.amount().toPlainString());
        v.put("currency", t.currency());
        v.put("beneficiary_name", t.creditorName());
        v.put("country", t.creditorCountry());
        v.put("mobile", t.mobile());
        v.put("email", t.email());
        v.put("id_number", nationalId(t.creditorOtherIds()));
        v.put("account_number", accountNumber(t.creditorAccount()));
        v.put("bank_code", t.agentMember() != null ? t.agentMember().getMmbId()
                : t.agentBic() != null ? t.agentBic() : t.agentOther() == null ? null : t.agentOther().getId());
        v.put("remark", t.unstructured() == null ? null : String.join(" ", t.unstructured()));
        if (v.get("country") == null) {
            v.put("country", debtorAccountCountry != null ? debtorAccountCountry : debtorCountry);
        }
        String prefix = "CdtTrfTxInf[" + number + "]/";
        List<org.payoutgateway.payout.FieldError> tooLong = org.payoutgateway.intake.JsonInstruction.tooLong(v);
        if (!tooLong.isEmpty()) {
            return new Row(number, null, describe(prefix, tooLong));
        }
        return new Row(number, PayoutInstruction.of(v), null, field -> PATHS.containsKey(field) ? prefix + PATHS.get(field) : null);
    }

    static String describe(String prefix, List<org.payoutgateway.payout.FieldError> errors) {
        return String.join("; ", errors.stream().map(e -> PATHS.containsKey(e.field())
                ? e.field() + " (" + prefix + PATHS.get(e.field()) + "): " + e.reason() : e.toString()).toList());
    }

    @Override
    public void close() throws IOException {
        try {
            xml.close();
        } catch (XMLStreamException e) {
            // closing only
        }
        in.close();
    }

    /**
     * Reports every element and attribute in no namespace: Prowide's model classes bind the
     * message's elements unqualified, while the document puts them in the message's namespace.
     */
    private static final class NoNamespace extends StreamReaderDelegate {
        NoNamespace(XMLStreamReader reader) {
            super(reader);
        }

        @Override
        public String getNamespaceURI() {
            return "";
        }

        @Override
        public javax.xml.namespace.QName getName() {
            return new javax.xml.namespace.QName(getLocalName());
        }

        @Override
        public String getAttributeNamespace(int index) {
            return "";
        }

        @Override
        public javax.xml.namespace.QName getAttributeName(int index) {
            return new javax.xml.namespace.QName(getAttributeLocalName(index));
        }

        @Override
        public int getNamespaceCount() {
            return 0;
        }
    }
}
