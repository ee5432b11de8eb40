package org.payoutgateway.payout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * H2 can return, from its walk of the state index, payouts a committed transaction has since moved
 * on (see {@link PayoutStore#dueForQuery}). Here the due-query's SQL is changed under the store so
 * that it returns such payouts first, as H2 did in the benchmark: they are left out and their
 * places filled with payouts that are due.
 */
class DueForQueryTest {

    private static final String DUE_QUERY = "SELECT reference FROM payout WHERE state IN ('SUBMITTED', 'UNKNOWN') AND next_action_at <= ?";

    private PayoutStore store;
    /** References the index walk returns first although they are no longer due; empty: H2 as it should be. */
    private List<String> movedOn = List.of();

    @BeforeEach
    void store() {
        store = InterceptedStore.create(sql -> {
            if (!sql.startsWith(DUE_QUERY) || movedOn.isEmpty()) {
                return sql;
            }
            String stale = "'" + String.join("', '", movedOn) + "'";
            return sql.replace(DUE_QUERY, "SELECT reference FROM payout WHERE (reference IN (" + stale
                    + ") OR state IN ('SUBMITTED', 'UNKNOWN')) AND (reference IN (" + stale
                    + ") OR next_action_at <= ?) ORDER BY CASE WHEN reference IN (" + stale + ") THEN 0 ELSE 1 END, reference");
        });
    }

    @Test
    void payoutsThatMovedOnAreLeftOutAndTheirPlacesFilled() {
        List<String> submitted = submitted(5);
        List<String> paid = submitted(2);
        for (Payout p : store.findAll(paid)) {
            assertThat(store.transition(p, PayoutStore.Change.to(PayoutState.SUCCESS).noNextAction())).isTrue();
        }
        movedOn = paid;

        List<Payout> due = store.dueForQuery(3);

        assertThat(due).extracting(Payout::reference).hasSize(3).doesNotContainAnyElementsOf(paid)
                .isSubsetOf(submitted);
        assertThat(due).extracting(Payout::state).containsOnly(PayoutState.SUBMITTED);
    }

    @Test
    void withNothingMovedOnTheLimitHolds() {
        List<String> submitted = submitted(5);

        assertThat(store.dueForQuery(3)).extracting(Payout::reference).hasSize(3).isSubsetOf(submitted);
        assertThat(store.dueForQuery(10)).extracting(Payout::reference).containsExactlyInAnyOrderElementsOf(submitted);
    }

    /** Stores n payouts, dispatches them and makes them SUBMITTED with their first query due now. */
    private List<String> submitted(int n) {
        List<PayoutStore.Candidate> candidates = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            String reference = "T" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
            candidates.add(new PayoutStore.Candidate(new PayoutInstruction(reference, "ID", "paypro-id", "150000", "IDR",
                    "Budi", "1234567890", "BCA", null, null, null, null, null, null), "paypro-id", List.of()));
        }
        assertThat(store.admit(candidates, "test", "due-for-query", "test")).extracting(Admission::outcome)
                .containsOnly(Admission.Outcome.ACCEPTED);
        List<Payout> claimed = store.claimForDispatch(n, List.of());
        assertThat(claimed).hasSize(n);
        for (Payout p : claimed) {
            assertThat(store.transition(p, PayoutStore.Change.to(PayoutState.SUBMITTED)
                    .nextActionAt(store.now().minus(Duration.ofSeconds(1))))).isTrue();
        }
        return claimed.stream().map(Payout::reference).toList();
    }
}
