package org.payoutgateway.intake.erp;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.Exchange;
import org.payoutgateway.payout.Admission;
import org.payoutgateway.payout.Payout;
import org.payoutgateway.payout.PayoutInstruction;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.payout.PayoutStore;
import org.payoutgateway.payout.PayoutValidator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ERP intake, as called by {@code routes/erp-intake.yaml}: rows an ERP inserts into its payout
 * table are claimed (by an optimistic compare-and-set on the row's status, held for a lease so that
 * a claim whose holder died is taken again), stored in the payout store like any instruction, and
 * answered on the same row. The SQL itself lives in the settings ({@code payout.intake.erp.sql.*}),
 * so the intake can be pointed at an ERP's own table and column names.
 *
 * <p>Statuses written to the row: {@code ACCEPTED} (stored, queued), {@code REJECTED} (with the
 * reasons), {@code DUPLICATE} (the reference was already taken by another instruction; nothing
 * sent), then {@code SUBMITTED}, {@code UNKNOWN}, {@code SUCCESS}, {@code FAILED} as the payout moves.
 */
public class ErpIntake {

    private static final Logger LOG = LoggerFactory.getLogger(ErpIntake.class);
    public static final String INTAKE = "ERP";
    /** Exchange property holding the ERP row being taken (column label → value). */
    public static final String ROW = "erpRow";

    private final PayoutStore store;
    /** The API client the payouts of the ERP table belong to (payout.intake.erp.owner). */
    private final String owner;
    private final PayoutValidator validator;
    private final String instanceId;
    private final Duration claimLease;
    private final int reportBatchSize;

    public ErpIntake(PayoutStore store, PayoutValidator validator, String instanceId, Duration claimLease,
                     int reportBatchSize, String owner) {
        this.store = store;
        this.owner = owner;
        this.validator = validator;
        this.instanceId = instanceId;
        this.claimLease = claimLease;
        this.reportBatchSize = reportBatchSize;
    }

    /**
     * Keeps the polled row aside and makes the body the parameters of the claim statement:
     * {@code id}, {@code instance}, {@code claim_expires_at}.
     */
    public Map<String, Object> claimParameters(Exchange exchange) {
        @SuppressWarnings("unchecked")
        Map<String, Object> row = lowerCaseKeys(exchange.getIn().getBody(Map.class));
        exchange.setProperty(ROW, row);
        Map<String, Object> params = new HashMap<>();
        params.put("id", row.get("id"));
        params.put("instance", instanceId);
        params.put("claim_expires_at", PayoutStore.ts(store.now().plus(claimLease)));
        return params;
    }

    /**
     * Stores the claimed row as a payout instruction and returns the parameters of the write-back
     * statement for its first answer (ACCEPTED, REJECTED or DUPLICATE).
     */
    public Map<String, Object> take(Exchange exchange) {
        @SuppressWarnings("unchecked")
        Map<String, Object> row = exchange.getProperty(ROW, Map.class);
        String rowId = String.valueOf(row.get("id"));
        PayoutInstruction in = PayoutInstruction.of(field -> text(row.get(field)));
        Admission a = store.admit(List.of(validator.validate(in)), INTAKE, rowId, owner).get(0);
        Map<String, Object> answer;
        if (a.outcome() == Admission.Outcome.DUPLICATE && a.existing() != null
                && INTAKE.equals(a.existing().intake()) && rowId.equals(a.existing().intakeRef())) {
            // this very row, stored by a claim whose holder died before answering: not a duplicate
            answer = writeBack(rowId, a.existing());
        } else if (a.outcome() == Admission.Outcome.ACCEPTED) {
            answer = writeBack(rowId, store.find(a.reference()).orElseThrow());
        } else {
            answer = parameters(rowId, a.outcome().name(), a.existing() == null ? null : a.existing().account(),
                    a.existing() == null ? null : a.existing().providerReference(),
                    a.existing() == null ? null : a.existing().providerStatus(), a.message(), store.now());
        }
        LOG.info("ERP row {} (reference {}): {}{}", rowId, in.reference(), answer.get("status"),
                a.message() == null ? "" : ": " + a.message());
        return answer;
    }

    /** Payouts from ERP rows whose row does not yet show their current state, as write-back parameters. */
    public List<Map<String, Object>> unreported() {
        return store.unreported(INTAKE, reportBatchSize).stream().map(p -> {
            Map<String, Object> params = writeBack(p.intakeRef(), p);
            params.put("reference", p.reference());
            params.put("state", p.state().name());
            return params;
        }).toList();
    }

    /** After the row was written: remembers that this state has been reported. */
    public void reported(Exchange exchange) {
        @SuppressWarnings("unchecked")
        Map<String, Object> params = exchange.getProperty("writeBack", Map.class);
        store.markReported((String) params.get("reference"), PayoutState.valueOf((String) params.get("state")));
    }

    /** The ERP status of a payout state: RECEIVED and SENDING are ACCEPTED, the others keep their name. */
    public static String erpStatus(PayoutState state) {
        return state == PayoutState.RECEIVED || state == PayoutState.SENDING ? "ACCEPTED" : state.name();
    }

    /**
     * The write-back of a payout's state. {@code updated_at} is when the payout reached it, so the
     * shipped write-back SQL ({@code … AND (updated_at IS NULL OR updated_at < :#updated_at OR (updated_at =
     * :#updated_at AND status <> :#status))}) lets a late write of an older state, by another replica,
     * never overwrite a newer one, and makes a repeated write of the same state (two replicas at once,
     * or one that died before remembering it) change nothing.
     */
    private Map<String, Object> writeBack(String rowId, Payout p) {
        return parameters(rowId, erpStatus(p.state()), p.account(), p.providerReference(), p.providerStatus(), p.message(),
                p.updatedAt());
    }

    private Map<String, Object> parameters(String rowId, String status, String provider, String providerReference,
                                           String providerStatus, String message, java.time.Instant updatedAt) {
        Map<String, Object> params = new HashMap<>();
        // ERP row ids are numbers or text (document numbers): bound as what they are
        params.put("id", rowId.matches("-?[0-9]{1,18}") ? (Object) Long.valueOf(rowId) : rowId);
        params.put("status", status);
        params.put("provider", provider);
        params.put("provider_reference", providerReference);
        params.put("provider_status", providerStatus);
        params.put("message", message == null ? null : message.length() > 1024 ? message.substring(0, 1024) : message);
        params.put("updated_at", PayoutStore.ts(updatedAt));
        return params;
    }

    private static Map<String, Object> lowerCaseKeys(Map<?, ?> row) {
        Map<String, Object> out = new HashMap<>();
        row.forEach((k, v) -> out.put(String.valueOf(k).toLowerCase(Locale.ROOT), v));
        return out;
    }

    /** A column value as instruction text: decimals without exponent or trailing zeros. */
    private static String text(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof BigDecimal d) {
            return d.stripTrailingZeros().toPlainString();
        }
        return value.toString();
    }
}
