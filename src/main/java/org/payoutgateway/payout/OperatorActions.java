package org.payoutgateway.payout;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What an operator may do to a payout (docs/api.md, "Operator actions"), each a compare-and-set on
 * the payout's state, kept in table {@code operator_action} and, where the state changes, in the
 * payout's history. None sends a payout twice or under another reference:
 * <ul>
 *   <li>{@link #queryNow}: a SUBMITTED or UNKNOWN payout is queried at once;</li>
 *   <li>{@link #resend}: an UNKNOWN payout the provider says it does not have is sent again under
 *       the same reference; refused when the provider ever gave it an id of its own, or has not
 *       been asked since the outcome became unknown;</li>
 *   <li>{@link #cancel}: a RECEIVED payout never sent becomes FAILED; refused once claimed;</li>
 *   <li>{@link #redeliverCallback}: a final payout's callback is sent again;</li>
 *   <li>{@link #proposeSettlement} then {@link #approve}: an UNKNOWN payout settled by hand as
 *       SUCCESS or FAILED, applied only when a client other than the proposer approves it
 *       (maker-checker).</li>
 * </ul>
 */
public final class OperatorActions {

    /** The actions. */
    public enum Kind { QUERY_NOW, RESEND, CANCEL, REDELIVER_CALLBACK, SETTLE }

    /** One row of {@code operator_action}. */
    public record Action(long id, String reference, Kind kind, PayoutState targetState, String status, String client,
                         Instant at, String reason, String evidence, String decidedBy, Instant decidedAt, String outcome) {
    }

    /** An action refused: {@code status} is the HTTP status that says why (404, 409, 403, 422). */
    public static final class Refused extends RuntimeException {
        private final int status;

        public Refused(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private static final String COLUMNS = "id, reference, action, target_state, status, client, at, reason, evidence, "
            + "decided_by, decided_at, outcome";

    private final PayoutStore store;

    public OperatorActions(PayoutStore store) {
        this.store = store;
    }

    /** A SUBMITTED or UNKNOWN payout is due for its status query now. */
    public Action queryNow(String reference, String client) {
        Payout p = payout(reference);
        if (p.state() != PayoutState.SUBMITTED && p.state() != PayoutState.UNKNOWN) {
            throw new Refused(409, "payout " + reference + " is " + p.state() + "; only a SUBMITTED or UNKNOWN payout is queried");
        }
        boolean moved = store.transition(p, PayoutStore.Change.to(p.state()).nextActionAt(store.now()).message(p.message()));
        requireMoved(moved, reference);
        return insert(reference, Kind.QUERY_NOW, null, "APPLIED", client, null, null, "due for its status query now");
    }

    /**
     * An UNKNOWN payout is sent again under its own reference, the operator confirming what the
     * provider said (e.g. Paypro, which publishes no "order not found" code: its support's answer).
     *
     * @param providerSaid what the provider said of the reference; required
     */
    public Action resend(String reference, String client, String providerSaid) {
        required("provider_said", providerSaid);
        Payout p = payout(reference);
        if (p.state() != PayoutState.UNKNOWN) {
            throw new Refused(409, "payout " + reference + " is " + p.state() + "; only an UNKNOWN payout is sent again");
        }
        if (p.providerReference() != null) {
            throw new Refused(409, "the provider has this order (its id " + p.providerReference()
                    + "): it is queried, never sent again");
        }
        if (p.queryCount() < 1) {
            throw new Refused(409, "the provider has not been asked about " + reference
                    + " since its outcome became unknown; query it first");
        }
        boolean moved = store.transition(p, PayoutStore.Change.to(PayoutState.RECEIVED).nextActionAt(store.now())
                .resend(true).queryCount(0).needsAttention(false)
                .message("sent again under the same reference by " + client + "; the provider said: " + providerSaid));
        requireMoved(moved, reference);
        return insert(reference, Kind.RESEND, null, "APPLIED", client, providerSaid, null, "RECEIVED, to be sent again");
    }

    /** A RECEIVED payout that was never sent is FAILED, with the reason; refused once it is claimed. */
    public Action cancel(String reference, String client, String reason) {
        required("reason", reason);
        Payout p = payout(reference);
        if (p.state() != PayoutState.RECEIVED) {
            throw new Refused(409, "payout " + reference + " is " + p.state() + "; only a RECEIVED payout is cancelled");
        }
        if (p.resend()) {
            throw new Refused(409, "payout " + reference + " was sent before and waits to be sent again: "
                    + "only the provider can say what became of it");
        }
        boolean moved = store.transition(p, PayoutStore.Change.to(PayoutState.FAILED).noNextAction().providerStatus("CANCELLED")
                .message("cancelled by " + client + " before it was sent: " + reason));
        requireMoved(moved, reference);
        return insert(reference, Kind.CANCEL, PayoutState.FAILED, "APPLIED", client, reason, null, "FAILED, never sent");
    }

    /** A final payout's submitter callback is due again now. */
    public Action redeliverCallback(String reference, String client) {
        Payout p = payout(reference);
        if (p.instruction().callbackUrl() == null) {
            throw new Refused(409, "payout " + reference + " has no callback_url");
        }
        if (!p.state().isFinal()) {
            throw new Refused(409, "payout " + reference + " is " + p.state() + "; its callback is sent once it is final");
        }
        int n = store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE payout SET callback_state = NULL, callback_attempts = 0, "
                    + "next_callback_at = ?" + PayoutStore.whereReferenceAnd("state IN ('SUCCESS', 'FAILED') "
                    + "AND callback_state IN ('DELIVERED', 'GAVE_UP')"))) {
                ps.setObject(1, PayoutStore.ts(store.now()));
                ps.setString(2, reference);
                return ps.executeUpdate();
            }
        });
        if (n == 0) {
            throw new Refused(409, "the callback of " + reference + " is being delivered already");
        }
        return insert(reference, Kind.REDELIVER_CALLBACK, null, "APPLIED", client, null, null, "callback due again");
    }

    /**
     * Proposes to settle an UNKNOWN payout by hand; nothing changes until another client approves.
     *
     * @param target   SUCCESS or FAILED
     * @param evidence e.g. the provider's support ticket; required, as is the reason
     */
    public Action proposeSettlement(String reference, String client, PayoutState target, String reason, String evidence) {
        if (target != PayoutState.SUCCESS && target != PayoutState.FAILED) {
            throw new Refused(422, "state: a payout is settled by hand as SUCCESS or FAILED");
        }
        required("reason", reason);
        required("evidence", evidence);
        Payout p = payout(reference);
        if (p.state() != PayoutState.UNKNOWN) {
            throw new Refused(409, "payout " + reference + " is " + p.state() + "; only an UNKNOWN payout is settled by hand");
        }
        if (of(reference).stream().anyMatch(a -> a.kind() == Kind.SETTLE && a.status().equals("PROPOSED"))) {
            throw new Refused(409, "a settlement of " + reference + " is already proposed; approve or reject it first");
        }
        return insert(reference, Kind.SETTLE, target, "PROPOSED", client, reason, evidence, null);
    }

    /**
     * Applies a proposed settlement: the proposal is taken (compare-and-set on its status), then the
     * payout moves from UNKNOWN to the proposed state (compare-and-set on its state). A payout that
     * moved on meanwhile (a query or notify settled it) is left as it is: NOT_APPLIED.
     *
     * @throws Refused 403 when the approver proposed it, 404 or 409 when there is no open proposal
     */
    public Action approve(long id, String approver) {
        Action a = proposal(id);
        if (a.client().equals(approver)) {
            throw new Refused(403, "settlement " + id + " was proposed by " + approver
                    + "; a different client with the role approver approves it");
        }
        decide(id, "APPROVED", approver, null);
        Payout p = payout(a.reference());
        String story = "settled by hand as " + a.targetState() + " by " + a.client() + ", approved by " + approver + ": "
                + a.reason() + " (evidence: " + a.evidence() + ")";
        boolean moved = p.state() == PayoutState.UNKNOWN && store.transition(p, PayoutStore.Change.to(a.targetState())
                .noNextAction().providerStatus("MANUAL").needsAttention(false).message(story));
        String outcome = moved ? a.targetState() + " by hand" : "not applied: the payout is now " + payout(a.reference()).state();
        finish(id, moved ? "APPLIED" : "NOT_APPLIED", outcome);
        return find(id).orElseThrow();
    }

    /** Rejects a proposed settlement; the payout stays UNKNOWN. */
    public Action reject(long id, String approver, String reason) {
        proposal(id);
        decide(id, "REJECTED", approver, reason == null ? "rejected" : "rejected: " + reason);
        return find(id).orElseThrow();
    }

    /** Every action on this payout, oldest first. */
    public List<Action> of(String reference) {
        return query("SELECT " + COLUMNS + " FROM operator_action WHERE reference = ? ORDER BY id", reference);
    }

    /** The open settlement proposals, oldest first. */
    public List<Action> proposed(int limit) {
        return query("SELECT " + COLUMNS + " FROM operator_action WHERE status = 'PROPOSED' ORDER BY id LIMIT " + limit);
    }

    public Optional<Action> find(long id) {
        return query("SELECT " + COLUMNS + " FROM operator_action WHERE id = ?", id).stream().findFirst();
    }

    // ------------------------------------------------------------------------------------ plumbing

    private Payout payout(String reference) {
        return (reference == null || !PayoutStore.REFERENCE.matcher(reference).matches() ? Optional.<Payout>empty()
                : store.find(reference)).orElseThrow(() -> new Refused(404, "no payout with reference " + reference));
    }

    private static void requireMoved(boolean moved, String reference) {
        if (!moved) {
            throw new Refused(409, "payout " + reference + " moved on meanwhile; read it again");
        }
    }

    private static void required(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new Refused(422, field + ": required");
        }
        if (value.length() > 1000) {
            throw new Refused(422, field + ": longer than 1000 characters");
        }
    }

    private Action proposal(long id) {
        Action a = find(id).orElseThrow(() -> new Refused(404, "no settlement " + id));
        if (a.kind() != Kind.SETTLE) {
            throw new Refused(404, "no settlement " + id);
        }
        if (!a.status().equals("PROPOSED")) {
            throw new Refused(409, "settlement " + id + " is " + a.status() + ", no longer proposed");
        }
        return a;
    }

    /** PROPOSED → status, compare-and-set: of two approvers at once, one wins. */
    private void decide(long id, String status, String client, String outcome) {
        int n = store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE operator_action SET status = ?, decided_by = ?, "
                    + "decided_at = ?, outcome = ? WHERE id = ? AND status = 'PROPOSED'")) {
                ps.setString(1, status);
                ps.setString(2, client);
                ps.setObject(3, PayoutStore.ts(store.now()));
                ps.setString(4, outcome);
                ps.setLong(5, id);
                return ps.executeUpdate();
            }
        });
        if (n == 0) {
            throw new Refused(409, "settlement " + id + " was decided meanwhile");
        }
    }

    private void finish(long id, String status, String outcome) {
        store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE operator_action SET status = ?, outcome = ? WHERE id = ?")) {
                ps.setString(1, status);
                ps.setString(2, outcome);
                ps.setLong(3, id);
                return ps.executeUpdate();
            }
        });
    }

    private Action insert(String reference, Kind kind, PayoutState target, String status, String client, String reason,
                          String evidence, String outcome) {
        long id = store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO operator_action (reference, action, target_state, "
                    + "status, client, at, reason, evidence, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, reference);
                ps.setString(2, kind.name());
                ps.setString(3, target == null ? null : target.name());
                ps.setString(4, status);
                ps.setString(5, client);
                ps.setObject(6, PayoutStore.ts(store.now()));
                ps.setString(7, reason);
                ps.setString(8, evidence);
                ps.setString(9, outcome);
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    keys.next();
                    return keys.getLong(1);
                }
            }
        });
        return find(id).orElseThrow();
    }

    private List<Action> query(String sql, Object... args) {
        return store.inTransaction(c -> {
            List<Action> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setObject(i + 1, args[i]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(read(rs));
                    }
                }
            }
            return out;
        });
    }

    private static Action read(ResultSet rs) throws SQLException {
        String target = rs.getString("target_state");
        return new Action(rs.getLong("id"), rs.getString("reference"), Kind.valueOf(rs.getString("action")),
                target == null ? null : PayoutState.valueOf(target), rs.getString("status"), rs.getString("client"),
                PayoutStore.instant(rs.getObject("at", OffsetDateTime.class)), rs.getString("reason"),
                rs.getString("evidence"), rs.getString("decided_by"),
                PayoutStore.instant(rs.getObject("decided_at", OffsetDateTime.class)), rs.getString("outcome"));
    }
}
