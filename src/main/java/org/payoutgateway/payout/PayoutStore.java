package org.payoutgateway.payout;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The payout store: every instruction is written here before any provider is called, and every
 * state change is a compare-and-set on the payout's current state plus a history row, in one
 * transaction. The unique reference is what stops a payout from being stored, and so sent, twice.
 * Works on H2 (MODE=PostgreSQL) and PostgreSQL with the same SQL.
 */
public class PayoutStore {

    private static final Logger LOG = LoggerFactory.getLogger(PayoutStore.class);
    /** The canonical rule for a reference: becomes Paypro tradeNo / DiamondPay payout_cl_id unchanged. */
    public static final Pattern REFERENCE = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final String UNIQUE_VIOLATION = "23505";

    /**
     * {@code WHERE reference = ? AND (<condition>) IS TRUE}: a change of one payout by reference that
     * applies only while the condition still holds (a compare-and-set on its state). The condition is
     * wrapped so that PostgreSQL can find the row only through the reference index: a bare
     * {@code state = 'RECEIVED'} also matches the state index, and on a new payout table, before its
     * first ANALYZE, PostgreSQL rated both alike and kept the state index in the plan it caches for a
     * prepared statement, walking every payout in that state for each one it changed (20-60 ms a
     * payout once a file of 100,000 was stored; {@code PostgresPlansTest}).
     */
    public static String whereReferenceAnd(String condition) {
        return " WHERE reference = ? AND (" + condition + ") IS TRUE";
    }

    /** Claims one due payout for dispatch: parameters updated_at, reference. */
    static final String CLAIM = "UPDATE payout SET state = 'SENDING', dispatch_count = dispatch_count + 1, updated_at = ?"
            + whereReferenceAnd("state = 'RECEIVED'");

    private static final String COLUMNS = "reference, intake, intake_ref, country, account, amount, currency, "
            + "beneficiary_name, account_number, bank_code, account_type, mobile, email, id_number, remark, "
            + "callback_url, provider_field, content_hash, state, provider_reference, provider_status, message, "
            + "dispatch_count, query_count, resend, needs_attention, next_action_at, unknown_since, created_at, updated_at, owner";

    /**
     * The payouts of an array of references (one parameter), the array unnested and joined to the
     * reference index. Two other forms were slow: H2 answers {@code reference = ANY(?)} from the
     * index but then compares each payout found with every element of the array (2,000 x 2,000
     * comparisons a status-query run, 6 % of the CPU of a 100,000-payout run); a list of one
     * parameter per reference was matched row by row against the whole list in PostgreSQL's cached
     * plan (0.2-1 s for 500).
     */
    static final String FIND_ALL = "SELECT " + COLUMNS + " FROM UNNEST(CAST(? AS VARCHAR ARRAY)) AS wanted(wanted_reference) "
            + "JOIN payout ON payout.reference = wanted.wanted_reference";

    private final DataSource dataSource;
    private final Clock clock;

    public PayoutStore(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public Instant now() {
        return clock.instant();
    }

    /** An instruction offered by an intake, with its resolved account and its validation errors. */
    public record Candidate(PayoutInstruction instruction, String account, List<FieldError> errors) {
        boolean valid() {
            return errors.isEmpty();
        }
    }

    // ------------------------------------------------------------------------------------ intake

    /** Stores a batch of instructions in one transaction of its own; see {@link #admit(Connection, List, String, String, String)}. */
    public List<Admission> admit(List<Candidate> candidates, String intake, String intakeRef, String owner) {
        return inTransaction(c -> admit(c, candidates, intake, intakeRef, owner));
    }

    /**
     * Stores a batch of instructions within the caller's transaction. A valid instruction with a new
     * reference is stored {@code RECEIVED}; an invalid one with a usable new reference is stored
     * {@code REJECTED}; a reference already stored (by any intake) is a DUPLICATE and nothing is
     * changed, except that a {@code REJECTED} payout, never sent, is replaced by the new instruction.
     * A duplicate of another owner's payout says only that the reference is taken.
     *
     * @param owner the API client the stored payouts belong to (docs/api.md, "Clients and roles")
     * @throws SQLException with SQLState 23505 when another intake stored one of the references at
     *         the same moment; {@link #inTransaction} retries the batch, which then sees it.
     */
    public List<Admission> admit(Connection c, List<Candidate> candidates, String intake, String intakeRef,
                                 String owner) throws SQLException {
        Instant now = now();
        Set<String> refs = new HashSet<>();
        for (Candidate cand : candidates) {
            String ref = cand.instruction().reference();
            if (ref != null && REFERENCE.matcher(ref).matches()) {
                refs.add(ref);
            }
        }
        Map<String, Payout> existing = findAll(c, refs);
        Set<String> seen = new HashSet<>();
        List<Admission> result = new ArrayList<>(candidates.size());
        List<Object[]> inserts = new ArrayList<>();
        List<Object[]> replaces = new ArrayList<>();
        List<Object[]> history = new ArrayList<>();
        for (Candidate cand : candidates) {
            PayoutInstruction in = cand.instruction();
            String ref = in.reference();
            if (ref == null || !REFERENCE.matcher(ref).matches()) {
                result.add(Admission.rejected(ref, cand.errors()));
                continue;
            }
            if (!seen.add(ref)) {
                result.add(Admission.duplicate(ref, null, false,
                        "reference appears more than once in this delivery; only the first is used"));
                continue;
            }
            Payout known = existing.get(ref);
            PayoutState state = cand.valid() ? PayoutState.RECEIVED : PayoutState.REJECTED;
            String message = cand.valid() ? null : FieldError.describe(cand.errors());
            if (known != null && known.state() != PayoutState.REJECTED) {
                boolean same = known.instruction().contentHash().equals(in.contentHash())
                        && (cand.account() == null || cand.account().equals(known.account()));
                result.add(java.util.Objects.equals(owner, known.owner())
                        ? Admission.duplicate(ref, known, same, "reference already received (" + known.intake()
                                + (known.intakeRef() == null ? "" : " " + known.intakeRef()) + ", state " + known.state()
                                + "); not sent again")
                        : Admission.duplicate(ref, null, false, "reference already used by another client; not sent again"));
                continue;
            }
            Object[] row = rowValues(in, cand.account(), intake, intakeRef, owner, state, message, now);
            if (known == null) {
                inserts.add(row);
            } else {
                replaces.add(row);
            }
            history.add(new Object[] {ref, ts(now), known == null ? null : known.state().name(), state.name(), null,
                    known == null ? message : "replaces a rejected instruction" + (message == null ? "" : "; " + message)});
            result.add(cand.valid() ? Admission.accepted(ref) : Admission.rejected(ref, cand.errors()));
            PayoutLog.stateChange(ref, cand.account(), (known == null ? "" : "REJECTED -> ") + state + " (" + intake
                    + (intakeRef == null ? "" : " " + intakeRef) + ")" + (message == null ? "" : ": " + message));
        }
        batch(c, "INSERT INTO payout (" + COLUMNS + ", callback_state) VALUES (" + "?,".repeat(31) + "?)", inserts);
        batch(c, "UPDATE payout SET reference = ?, intake = ?, intake_ref = ?, country = ?, account = ?, amount = ?, "
                + "currency = ?, beneficiary_name = ?, account_number = ?, bank_code = ?, account_type = ?, mobile = ?, "
                + "email = ?, id_number = ?, remark = ?, callback_url = ?, provider_field = ?, content_hash = ?, state = ?, "
                + "provider_reference = ?, provider_status = ?, message = ?, dispatch_count = ?, query_count = ?, resend = ?, "
                + "needs_attention = ?, next_action_at = ?, unknown_since = ?, created_at = ?, updated_at = ?, owner = ?, "
                + "callback_state = ?" + whereReferenceAnd("state = 'REJECTED'"), withTrailingReference(replaces), true);
        insertHistory(c, history);
        return result;
    }

    private static List<Object[]> withTrailingReference(List<Object[]> rows) {
        List<Object[]> out = new ArrayList<>(rows.size());
        for (Object[] r : rows) {
            Object[] x = java.util.Arrays.copyOf(r, r.length + 1);
            x[r.length] = r[0];
            out.add(x);
        }
        return out;
    }

    private static Object[] rowValues(PayoutInstruction in, String account, String intake, String intakeRef,
                                      String owner, PayoutState state, String message, Instant now) {
        return new Object[] {in.reference(), intake, truncate(intakeRef, 255), truncate(upper(in.country()), 2), account,
                truncate(in.amount(), 32), truncate(upper(in.currency()), 3), truncate(in.beneficiaryName(), 255),
                truncate(in.accountNumber(), 64), truncate(in.bankCode(), 64), truncate(in.accountType(), 16),
                truncate(in.mobile(), 32), truncate(in.email(), 255), truncate(in.idNumber(), 32),
                truncate(in.remark(), 255), truncate(in.callbackUrl(), 1024), truncate(in.provider(), 64),
                in.contentHash(), state.name(), null, null, truncate(message, 1024), 0, 0, false, false,
                state == PayoutState.RECEIVED ? ts(now) : null, null, ts(now), ts(now), truncate(owner, 64),
                // no callback to send: marked so that the callback poll never looks at it
                in.callbackUrl() == null ? "NONE" : null};
    }

    // ---------------------------------------------------------------------------------- dispatch

    /**
     * SUBMITTED and UNKNOWN payouts whose next status query is due, at most {@code limit}, as they
     * are now.
     *
     * <p>H2 (2.3.232 and 2.4.240) can return, from its walk of the {@code payout_due} index, rows
     * that a committed transaction has since moved on: it takes the indexed columns from the index
     * entry without looking at the row. Measured in the benchmark: in about one status-query run in
     * three, the 2,000 payouts an earlier run had made SUCCESS came back as due, and the run did
     * nothing. So each payout found is read again by its reference and kept only if it is still
     * SUBMITTED or UNKNOWN, and the places of those dropped are filled by one more, larger read.
     */
    public List<Payout> dueForQuery(int limit) {
        return dueForQuery(null, limit);
    }

    /** As {@link #dueForQuery(int)}, of one provider account only (null: of every account). */
    public List<Payout> dueForQuery(String account, int limit) {
        List<String> found = dueForQueryReferences(account, limit);
        List<Payout> due = stillToQuery(findAll(found));
        int movedOn = found.size() - due.size();
        if (movedOn > 0) {
            LOG.debug("{} payout(s) found due for a status query had moved on; reading {} more", movedOn, movedOn);
            due = stillToQuery(findAll(dueForQueryReferences(account, limit + movedOn)));
        }
        return due.size() > limit ? due.subList(0, limit) : due;
    }

    private List<String> dueForQueryReferences(String account, int limit) {
        // no ORDER BY, as in claimForDispatch: the state index is walked and the walk stops at the limit
        String sql = "SELECT reference FROM payout WHERE state IN ('SUBMITTED', 'UNKNOWN') AND next_action_at <= ?"
                + (account == null ? "" : " AND account = ?") + " LIMIT " + limit;
        Instant now = now();
        return read(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setObject(1, ts(now));
                if (account != null) {
                    ps.setString(2, account);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
            return out;
        });
    }

    /** Claims one payout for a status query: parameters next_action_at (the lease's end), reference, now. */
    static final String CLAIM_QUERY = "UPDATE payout SET next_action_at = ?"
            + whereReferenceAnd("state IN ('SUBMITTED', 'UNKNOWN') AND next_action_at <= ?");

    /**
     * Claims payouts of one account due for a status query, at most {@code limit}: each one's
     * {@code next_action_at} is moved to the end of the lease by compare-and-set (still SUBMITTED or
     * UNKNOWN and still due), committed before the query is asked. Of several gateways on one store
     * only one wins each payout, and a second status-query trigger finds nothing more to ask; the
     * answer's record sets the next query time. A claim whose holder died before recording is due
     * again once the lease has passed (the query is only asked again, nothing is sent).
     *
     * @param lease longer than a query call can take (its HTTP timeouts) and its record
     * @return the payouts claimed (at most {@code limit}) and how many were found due, claimed or not
     */
    public QueryClaim claimForQuery(String account, int limit, Duration lease) {
        List<String> found = dueForQueryReferences(account, limit);
        if (found.isEmpty()) {
            return new QueryClaim(List.of(), 0);
        }
        List<String> won = inTransaction(c -> {
            Instant now = now();
            int[] counts;
            try (PreparedStatement ps = c.prepareStatement(CLAIM_QUERY)) {
                for (String ref : found) {
                    ps.setObject(1, ts(now.plus(lease)));
                    ps.setString(2, ref);
                    ps.setObject(3, ts(now));
                    ps.addBatch();
                }
                counts = ps.executeBatch();
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; i < found.size(); i++) {
                if (counts[i] == 1) {
                    out.add(found.get(i));
                }
            }
            return out;
        });
        return new QueryClaim(stillToQuery(findAll(won)), found.size());
    }

    /** Payouts claimed for a status query, and how many were found due (claimed here or elsewhere). */
    public record QueryClaim(List<Payout> claimed, int found) {
    }

    /**
     * Gives back status-query claims that were not asked (held back by the account's limits, or the
     * gateway stopping): those payouts are due again at once.
     */
    public void releaseQueryClaims(List<String> references) {
        if (references.isEmpty()) {
            return;
        }
        inTransaction(c -> {
            Instant now = now();
            try (PreparedStatement ps = c.prepareStatement("UPDATE payout SET next_action_at = ?"
                    + whereReferenceAnd("state IN ('SUBMITTED', 'UNKNOWN') AND next_action_at > ?"))) {
                for (String ref : references) {
                    ps.setObject(1, ts(now));
                    ps.setString(2, ref);
                    ps.setObject(3, ts(now));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    private static List<Payout> stillToQuery(List<Payout> payouts) {
        return payouts.stream().filter(p -> p.state() == PayoutState.SUBMITTED || p.state() == PayoutState.UNKNOWN).toList();
    }

    /**
     * Claims RECEIVED payouts due for dispatch, at most {@code limit}, leaving out the accounts given,
     * in one transaction: RECEIVED → SENDING per payout by compare-and-set (the update count says
     * whether this dispatcher won it), committed before any create call is made, so that a crash
     * after this point leaves evidence that a call may have gone out (such payouts become UNKNOWN
     * after the sending lease and are queried, never resent blindly).
     *
     * @return the payouts this dispatcher claimed, in state SENDING; others were taken elsewhere
     */
    public List<Payout> claimForDispatch(int limit, Collection<String> skipAccounts) {
        String skip = skipAccounts.isEmpty() ? "" : " AND account NOT IN (" + "?,".repeat(skipAccounts.size() - 1) + "?)";
        return claim(skip, List.copyOf(skipAccounts), limit);
    }

    /** As {@link #claimForDispatch(int, Collection)}, the payouts of one provider account only. */
    public List<Payout> claimForDispatch(String account, int limit) {
        return claim(" AND account = ?", List.of(account), limit);
    }

    private List<Payout> claim(String accountCondition, List<String> accountParameters, int limit) {
        List<Payout> claimedAll = inTransaction(c -> {
            Instant now = now();
            List<Payout> due = new ArrayList<>();
            // no ORDER BY: H2 would read and sort every due payout on each run (it does not sort by
            // the index here); the walk of the state index stops at the limit, and every due payout
            // leaves the due set once claimed, so none waits behind others for long
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM payout WHERE state = 'RECEIVED' "
                    + "AND next_action_at <= ?" + accountCondition + " LIMIT " + limit)) {
                ps.setObject(1, ts(now));
                int i = 2;
                for (String a : accountParameters) {
                    ps.setString(i++, a);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        due.add(read(rs));
                    }
                }
            }
            if (due.isEmpty()) {
                return List.of();
            }
            int[] counts;
            try (PreparedStatement ps = c.prepareStatement(CLAIM)) {
                for (Payout p : due) {
                    ps.setObject(1, ts(now));
                    ps.setString(2, p.reference());
                    ps.addBatch();
                }
                counts = ps.executeBatch();
            }
            List<Payout> claimed = new ArrayList<>();
            List<Object[]> history = new ArrayList<>();
            for (int i = 0; i < due.size(); i++) {
                if (counts[i] == 1) {
                    Payout p = due.get(i);
                    claimed.add(new Payout(p.reference(), p.instruction(), p.account(), p.intake(), p.intakeRef(),
                            PayoutState.SENDING, p.providerReference(), p.providerStatus(), p.message(),
                            p.dispatchCount() + 1, p.queryCount(), p.resend(), p.needsAttention(), p.unknownSince(),
                            p.createdAt(), now, p.owner()));
                    history.add(new Object[] {p.reference(), ts(now), "RECEIVED", "SENDING", null, null});
                }
            }
            insertHistory(c, history);
            return claimed;
        });
        // once committed
        claimedAll.forEach(p -> PayoutLog.stateChange(p.reference(), p.account(), "RECEIVED -> SENDING"));
        return claimedAll;
    }

    /** The payouts with these references, in the order given; unknown references are left out. */
    public List<Payout> findAll(List<String> references) {
        return read(c -> {
            Map<String, Payout> found = findAll(c, references);
            return references.stream().map(found::get).filter(java.util.Objects::nonNull).toList();
        });
    }

    /**
     * Payouts left SENDING for longer than {@code lease} (their dispatcher died mid-call): whether
     * the provider got the create call is not known, so they become UNKNOWN and are queried.
     *
     * @return how many were moved
     */
    public int expireSending(Duration lease) {
        Instant cutoff = now().minus(lease);
        List<String> stale = references("SELECT reference FROM payout WHERE state = 'SENDING' AND updated_at < ?", cutoff);
        int moved = 0;
        for (String ref : stale) {
            Optional<Payout> p = find(ref);
            String why = "dispatch interrupted while the create call may have been sent; querying the provider";
            if (p.isPresent() && p.get().state() == PayoutState.SENDING && transition(p.get(), Change.to(PayoutState.UNKNOWN)
                    .message(why).unknownSince(now()).nextActionAt(now()))) {
                PayoutLog.stateChange(ref, p.get().account(), "SENDING -> UNKNOWN: " + why);
                moved++;
            }
        }
        return moved;
    }

    // -------------------------------------------------------------------------------- transitions

    /**
     * A state change to apply to a payout. Null fields keep the stored value, except
     * {@code message}, which always replaces it.
     */
    public static final class Change {
        final PayoutState to;
        String providerReference;
        String providerStatus;
        String message;
        Instant nextActionAt;
        boolean clearNextAction;
        Integer queryCount;
        Integer dispatchCount;
        Instant unknownSince;
        Boolean resend;
        Boolean needsAttention;

        private Change(PayoutState to) {
            this.to = to;
        }

        public static Change to(PayoutState to) {
            return new Change(to);
        }

        public Change providerReference(String v) { this.providerReference = v; return this; }
        public Change providerStatus(String v) { this.providerStatus = v; return this; }
        public Change message(String v) { this.message = v; return this; }
        public Change nextActionAt(Instant v) { this.nextActionAt = v; return this; }
        public Change noNextAction() { this.clearNextAction = true; return this; }
        public Change queryCount(int v) { this.queryCount = v; return this; }
        public Change dispatchCount(int v) { this.dispatchCount = v; return this; }
        public Change unknownSince(Instant v) { this.unknownSince = v; return this; }
        public Change resend(boolean v) { this.resend = v; return this; }
        public Change needsAttention(boolean v) { this.needsAttention = v; return this; }

        public PayoutState target() {
            return to;
        }
    }

    /**
     * Applies a change if the payout is still in the state {@code current} has, and the state
     * machine allows the move. A history row is written when the state or the attention flag
     * changes.
     *
     * @return false when the payout had moved on meanwhile (another dispatcher, a callback) or the
     *         move is not allowed; nothing is written then
     */
    public boolean transition(Payout current, Change change) {
        return transitionAll(List.of(new Transition(current, change)))[0];
    }

    /** A change to apply to a payout as it was read. */
    public record Transition(Payout current, Change change) {
    }

    /**
     * Applies many changes in one transaction (each a compare-and-set on the payout's state, as
     * {@link #transition}); what a dispatch batch learnt is recorded with one commit.
     *
     * @return per transition, in order, whether it was applied
     */
    public boolean[] transitionAll(List<Transition> transitions) {
        return transitionAll(transitions, List.of());
    }

    /**
     * Keeps a provider notify for the payout's story (table provider_notify).
     *
     * @param verified whether its signature verified with the account's secret
     * @param applied  whether it changed the payout
     */
    public void recordNotify(String reference, String account, boolean verified, String outcome, String providerCode,
                             boolean applied) {
        inTransaction(c -> {
            batch(c, "INSERT INTO provider_notify (reference, account, at, verified, outcome, provider_code, applied) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?)", List.<Object[]>of(new Object[] {reference, account, ts(now()), verified,
                    outcome, truncate(providerCode, 32), applied}));
            return null;
        });
    }

    /** A call to a provider about a payout, for its story (table provider_call). */
    public record ProviderCall(String reference, String account, String kind, Long latencyMillis, String outcome,
                               String providerCode, String message) {
    }

    /**
     * {@link #transitionAll(List)}, writing in the same transaction the provider calls whose answers
     * the transitions apply, so a payout's story has every call its state came from.
     */
    public boolean[] transitionAll(List<Transition> transitions, List<ProviderCall> calls) {
        boolean[] applied = new boolean[transitions.size()];
        List<Integer> allowed = new ArrayList<>();
        for (int i = 0; i < transitions.size(); i++) {
            Transition t = transitions.get(i);
            if (t.current().state().canMoveTo(t.change().to)) {
                allowed.add(i);
            } else {
                LOG.warn("Payout {} [{}]: {} -> {} is not allowed; ignored", t.current().reference(), t.current().account(),
                        t.current().state(), t.change().to);
            }
        }
        if (allowed.isEmpty() && calls.isEmpty()) {
            return applied;
        }
        return inTransaction(c -> {
            Instant now = now();
            List<Object[]> callRows = new ArrayList<>(calls.size());
            for (ProviderCall call : calls) {
                callRows.add(new Object[] {call.reference(), call.account(), call.kind(), ts(now), call.latencyMillis(),
                        call.outcome(), truncate(call.providerCode(), 32), truncate(call.message(), 1024)});
            }
            batch(c, "INSERT INTO provider_call (reference, account, kind, at, latency_ms, outcome, provider_code, message) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", callRows);
            // two statement shapes: one that sets next_action_at, one that keeps it
            String base = "UPDATE payout SET state = ?, provider_reference = COALESCE(?, provider_reference), "
                    + "provider_status = COALESCE(?, provider_status), message = ?, query_count = ?, dispatch_count = ?, unknown_since = ?, "
                    + "resend = ?, needs_attention = ?, updated_at = ?";
            String where = whereReferenceAnd("state = ?");
            List<Integer> setting = new ArrayList<>();
            List<Integer> keeping = new ArrayList<>();
            for (int i : allowed) {
                Change ch = transitions.get(i).change();
                (ch.clearNextAction || ch.nextActionAt != null ? setting : keeping).add(i);
            }
            for (List<Integer> group : List.of(setting, keeping)) {
                if (group.isEmpty()) {
                    continue;
                }
                boolean sets = group == setting;
                try (PreparedStatement ps = c.prepareStatement(base + (sets ? ", next_action_at = ?" : "") + where)) {
                    for (int i : group) {
                        Payout cur = transitions.get(i).current();
                        Change ch = transitions.get(i).change();
                        int k = 1;
                        ps.setString(k++, ch.to.name());
                        ps.setObject(k++, truncate(ch.providerReference, 128));
                        ps.setObject(k++, truncate(ch.providerStatus, 32));
                        ps.setObject(k++, truncate(ch.message, 1024));
                        ps.setInt(k++, ch.queryCount != null ? ch.queryCount : cur.queryCount());
                        ps.setInt(k++, ch.dispatchCount != null ? ch.dispatchCount : cur.dispatchCount());
                        Instant unknownSince = ch.to == PayoutState.UNKNOWN
                                ? (ch.unknownSince != null ? ch.unknownSince
                                    : cur.unknownSince() != null ? cur.unknownSince() : now)
                                : null;
                        ps.setObject(k++, ts(unknownSince));
                        ps.setBoolean(k++, ch.resend != null ? ch.resend : cur.resend());
                        ps.setBoolean(k++, attention(cur, ch));
                        ps.setObject(k++, ts(now));
                        if (sets) {
                            ps.setObject(k++, ts(ch.clearNextAction ? null : ch.nextActionAt));
                        }
                        ps.setString(k++, cur.reference());
                        ps.setString(k, cur.state().name());
                        ps.addBatch();
                    }
                    int[] counts = ps.executeBatch();
                    for (int j = 0; j < group.size(); j++) {
                        applied[group.get(j)] = counts[j] > 0 || counts[j] == java.sql.Statement.SUCCESS_NO_INFO;
                    }
                }
            }
            List<Object[]> history = new ArrayList<>();
            for (int i : allowed) {
                Payout cur = transitions.get(i).current();
                Change ch = transitions.get(i).change();
                boolean attention = attention(cur, ch);
                if (applied[i] && (ch.to != cur.state() || attention != cur.needsAttention())) {
                    String msg = attention && !cur.needsAttention() ? "needs attention: " + ch.message : ch.message;
                    history.add(new Object[] {cur.reference(), ts(now), cur.state().name(), ch.to.name(), ch.providerStatus,
                            truncate(msg, 1024)});
                }
            }
            insertHistory(c, history);
            return applied;
        });
    }

    private static boolean attention(Payout current, Change change) {
        return change.needsAttention != null ? change.needsAttention : current.needsAttention();
    }

    // ---------------------------------------------------------------------------------- reporting

    /**
     * Payouts of an intake whose current state has not yet been reported back to it (ERP row
     * write-back, submitter callbacks), oldest change first. SENDING is not reported: to the
     * intake it is still the accepted RECEIVED.
     */
    public List<Payout> unreported(String intake, int limit) {
        return read(c -> {
            List<Payout> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM payout WHERE intake = ? "
                    + "AND state <> 'SENDING' AND (reported_state IS NULL OR reported_state <> state) ORDER BY updated_at, id LIMIT " + limit)) {
                ps.setString(1, intake);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(read(rs));
                    }
                }
            }
            return out;
        });
    }

    /** Records that {@code state} was reported back to the payout's intake, if the payout is still in it. */
    public boolean markReported(String reference, PayoutState state) {
        return inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE payout SET reported_state = ?" + whereReferenceAnd("state = ?"))) {
                ps.setString(1, state.name());
                ps.setString(2, reference);
                ps.setString(3, state.name());
                return ps.executeUpdate() == 1;
            }
        });
    }

    // ------------------------------------------------------------------------------------ reading

    public Optional<Payout> find(String reference) {
        return read(c -> find(c, reference));
    }

    private Optional<Payout> find(Connection c, String reference) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM payout WHERE reference = ?")) {
            ps.setString(1, reference);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    /** The stored payouts of these references, by reference, in one statement whatever their number. */
    private Map<String, Payout> findAll(Connection c, Collection<String> references) throws SQLException {
        Map<String, Payout> found = new HashMap<>();
        if (references.isEmpty()) {
            return found;
        }
        try (PreparedStatement ps = c.prepareStatement(FIND_ALL)) {
            ps.setArray(1, c.createArrayOf("varchar", references.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Payout p = read(rs);
                    found.put(p.reference(), p);
                }
            }
        }
        return found;
    }

    /**
     * Filters of {@link #search}; null fields do not filter. {@code since}/{@code until} bound
     * {@code created_at}; {@code owner} keeps only the payouts of that API client.
     */
    public record Filter(PayoutState state, String country, String account, Instant since, Instant until, String owner) {
    }

    /** One page of payouts matching the filter, newest first, and the number of all matches. */
    public record Page(List<Payout> items, long total) {
    }

    public Page search(Filter f, int page, int size) {
        return search(Criteria.of(f), page, size);
    }

    /**
     * What the operations console searches by; null fields do not filter. {@code reference} matches
     * any reference containing it; {@code intake} with {@code intakeRef} finds the payouts of one
     * file ({@code FILE}, the file name) or ERP row ({@code ERP}, the row id); the amounts bound the
     * amount in major units (rejected payouts, whose amount may not be a number, never match them).
     */
    public record Criteria(String reference, String providerReference, String intake, String intakeRef, String account,
                           PayoutState state, String country, Instant since, Instant until,
                           java.math.BigDecimal minAmount, java.math.BigDecimal maxAmount, String owner) {

        public static Criteria of(Filter f) {
            return new Criteria(null, null, null, null, f.account(), f.state(), f.country(), f.since(), f.until(),
                    null, null, f.owner());
        }

        public static Criteria none() {
            return new Criteria(null, null, null, null, null, null, null, null, null, null, null, null);
        }
    }

    /** The amount as a number, for every payout but a rejected one (whose amount was not checked). */
    private static final String AMOUNT = "CASE WHEN state <> 'REJECTED' THEN CAST(amount AS DECIMAL(19, 4)) END";

    public Page search(Criteria f, int page, int size) {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (f.reference() != null) {
            where.append(" AND reference LIKE ? ESCAPE '\\'");
            args.add("%" + f.reference().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
        }
        if (f.providerReference() != null) {
            where.append(" AND provider_reference = ?");
            args.add(f.providerReference());
        }
        if (f.intake() != null) {
            where.append(" AND intake = ?");
            args.add(f.intake());
        }
        if (f.intakeRef() != null) {
            where.append(" AND intake_ref = ?");
            args.add(f.intakeRef());
        }
        if (f.state() != null) {
            where.append(" AND state = ?");
            args.add(f.state().name());
        }
        if (f.country() != null) {
            where.append(" AND country = ?");
            args.add(f.country().toUpperCase(java.util.Locale.ROOT));
        }
        if (f.account() != null) {
            where.append(" AND account = ?");
            args.add(f.account());
        }
        if (f.owner() != null) {
            where.append(" AND owner = ?");
            args.add(f.owner());
        }
        if (f.since() != null) {
            where.append(" AND created_at >= ?");
            args.add(ts(f.since()));
        }
        if (f.until() != null) {
            where.append(" AND created_at < ?");
            args.add(ts(f.until()));
        }
        if (f.minAmount() != null) {
            where.append(" AND " + AMOUNT + " >= ?");
            args.add(f.minAmount());
        }
        if (f.maxAmount() != null) {
            where.append(" AND " + AMOUNT + " <= ?");
            args.add(f.maxAmount());
        }
        return read(c -> {
            long total;
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM payout" + where)) {
                bind(ps, args);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    total = rs.getLong(1);
                }
            }
            List<Payout> items = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM payout" + where
                    + " ORDER BY created_at DESC, id DESC LIMIT " + size + " OFFSET " + ((long) page * size))) {
                bind(ps, args);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        items.add(read(rs));
                    }
                }
            }
            return new Page(items, total);
        });
    }

    /** Sets the statement's parameters, in order. */
    public static void bind(PreparedStatement ps, List<Object> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            ps.setObject(i + 1, args.get(i));
        }
    }

    /** The payout's story, oldest first. */
    public List<HistoryEntry> history(String reference) {
        return read(c -> {
            List<HistoryEntry> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT at, from_state, to_state, provider_code, message "
                    + "FROM payout_history WHERE reference = ? ORDER BY id")) {
                ps.setString(1, reference);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String from = rs.getString(2);
                        out.add(new HistoryEntry(instant(rs.getObject(1, OffsetDateTime.class)),
                                from == null ? null : PayoutState.valueOf(from), PayoutState.valueOf(rs.getString(3)),
                                rs.getString(4), rs.getString(5)));
                    }
                }
            }
            return out;
        });
    }

    /** Payouts per state, for logs and tests. */
    public Map<PayoutState, Integer> countByState() {
        return read(c -> {
            Map<PayoutState, Integer> out = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT state, COUNT(*) FROM payout GROUP BY state");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(PayoutState.valueOf(rs.getString(1)), rs.getInt(2));
                }
            }
            return out;
        });
    }

    static Payout read(ResultSet rs) throws SQLException {
        PayoutInstruction in = new PayoutInstruction(rs.getString("reference"), rs.getString("country"),
                rs.getString("provider_field"), rs.getString("amount"), rs.getString("currency"),
                rs.getString("beneficiary_name"), rs.getString("account_number"), rs.getString("bank_code"),
                rs.getString("account_type"), rs.getString("mobile"), rs.getString("email"), rs.getString("id_number"),
                rs.getString("remark"), rs.getString("callback_url"));
        return new Payout(rs.getString("reference"), in, rs.getString("account"), rs.getString("intake"),
                rs.getString("intake_ref"), PayoutState.valueOf(rs.getString("state")),
                rs.getString("provider_reference"), rs.getString("provider_status"), rs.getString("message"),
                rs.getInt("dispatch_count"), rs.getInt("query_count"), rs.getBoolean("resend"),
                rs.getBoolean("needs_attention"), instant(rs.getObject("unknown_since", OffsetDateTime.class)),
                instant(rs.getObject("created_at", OffsetDateTime.class)),
                instant(rs.getObject("updated_at", OffsetDateTime.class)), rs.getString("owner"));
    }

    // ------------------------------------------------------------------------------------ plumbing

    /** Work done in one JDBC transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs work in one transaction, committed at the end. A unique-key race with another intake
     * (SQLState 23505) is retried, so the work sees the other's rows the second time.
     */
    public <T> T inTransaction(Work<T> work) {
        return inTransaction(work, false);
    }

    /**
     * Runs reading work in one transaction, as {@link #inTransaction(Work)}, and runs it again when
     * H2 failed the read with "Chunk N not found": under concurrent writes its MVStore can drop a
     * page version a reader is still walking (h2database/h2database#4383; seen in 2.3.232 and
     * 2.4.240); the data is intact and the read succeeds on another try.
     */
    <T> T read(Work<T> work) {
        return inTransaction(work, true);
    }

    private <T> T inTransaction(Work<T> work, boolean readOnly) {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                try {
                    T result = work.run(c);
                    c.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                }
            } catch (SQLException e) {
                if (UNIQUE_VIOLATION.equals(e.getSQLState()) && attempt < 3) {
                    LOG.debug("Unique key race, retrying: {}", e.getMessage());
                    continue;
                }
                if (readOnly && attempt < 3 && h2ChunkNotFound(e)) {
                    LOG.warn("H2 lost a page version under a read (h2database#4383), reading again: {}", e.getMessage());
                    continue;
                }
                throw new PayoutStoreException("payout store: " + e.getMessage(), e);
            }
        }
    }

    private static final Pattern H2_CHUNK_NOT_FOUND = Pattern.compile("Chunk \\d+ not found");

    static boolean h2ChunkNotFound(SQLException e) {
        return e.getErrorCode() == 50000 && e.getMessage() != null && H2_CHUNK_NOT_FOUND.matcher(e.getMessage()).find();
    }

    private List<String> references(String sql) {
        return references(sql, now());
    }

    private List<String> references(String sql, Instant at) {
        return read(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setObject(1, ts(at));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
            return out;
        });
    }

    static void batch(Connection c, String sql, List<Object[]> rows) throws SQLException {
        batch(c, sql, rows, false);
    }

    /**
     * @param everyRowCounts when true, a statement that changed no row means another intake got there
     *                       first: raised as a unique-key race, so {@link #inTransaction} retries and
     *                       the retry sees what the other stored
     */
    static void batch(Connection c, String sql, List<Object[]> rows, boolean everyRowCounts) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (Object[] row : rows) {
                for (int i = 0; i < row.length; i++) {
                    ps.setObject(i + 1, row[i]);
                }
                ps.addBatch();
            }
            int[] counts = ps.executeBatch();
            if (everyRowCounts) {
                for (int n : counts) {
                    if (n == 0) {
                        throw new SQLException("a rejected payout was replaced by another intake meanwhile", UNIQUE_VIOLATION);
                    }
                }
            }
        }
    }

    static void insertHistory(Connection c, List<Object[]> rows) throws SQLException {
        batch(c, "INSERT INTO payout_history (reference, at, from_state, to_state, provider_code, message) "
                + "VALUES (?, ?, ?, ?, ?, ?)", rows);
    }

    public static OffsetDateTime ts(Instant i) {
        return i == null ? null : i.atOffset(ZoneOffset.UTC);
    }

    public static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    private static String upper(String s) {
        return s == null ? null : s.toUpperCase(java.util.Locale.ROOT);
    }

    static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
