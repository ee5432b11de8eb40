package org.payoutgateway.payout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.payoutgateway.support.MovedClock;

/**
 * Status-query claims ({@link PayoutStore#claimForQuery}) of several gateways on one store: two
 * stores over one database stand for two replicas. A due payout is claimed by one replica only, a
 * claim holds for its lease and no longer, and a claim given back is due again at once.
 */
class QueryClaimTest {

    private static final Duration LEASE = Duration.ofMinutes(2);

    /** The time both replicas see; moved by the tests. */
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-06T10:00:00Z"));
    private PayoutStore replicaA;
    private PayoutStore replicaB;

    @BeforeEach
    void twoReplicasOnOneStore() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
        h2.setUser("sa");
        Flyway.configure().dataSource(h2).locations("classpath:db/migration").load().migrate();
        Clock clock = MovedClock.of(now);
        replicaA = new PayoutStore(h2, clock);
        replicaB = new PayoutStore(h2, clock);
    }

    @Test
    void aPayoutClaimedByOneReplicaIsNotClaimedByAnotherUntilItsLeaseHasPassed() {
        List<String> due = submitted(6);

        PayoutStore.QueryClaim a = replicaA.claimForQuery("paypro-id", 4, LEASE);
        PayoutStore.QueryClaim b = replicaB.claimForQuery("paypro-id", 4, LEASE);

        assertThat(a.claimed()).extracting(Payout::reference).hasSize(4).isSubsetOf(due);
        assertThat(b.claimed()).extracting(Payout::reference).hasSize(2).isSubsetOf(due)
                .doesNotContainAnyElementsOf(references(a));
        assertThat(replicaA.claimForQuery("paypro-id", 4, LEASE).claimed()).as("everything claimed, nothing due").isEmpty();

        now.set(now.get().plus(LEASE).minusSeconds(1));
        assertThat(replicaB.claimForQuery("paypro-id", 10, LEASE).claimed()).as("one second before the lease ends").isEmpty();

        now.set(now.get().plusSeconds(1));
        assertThat(replicaB.claimForQuery("paypro-id", 10, LEASE).claimed()).as("the lease has passed: the holder died")
                .extracting(Payout::reference).containsExactlyInAnyOrderElementsOf(due);
    }

    @Test
    void aClaimGivenBackIsDueAgainAtOnceAndAFinalPayoutIsNotClaimed() {
        List<String> due = submitted(3);
        Payout paid = replicaA.find(due.get(0)).orElseThrow();
        assertThat(replicaA.transition(paid, PayoutStore.Change.to(PayoutState.SUCCESS).noNextAction())).isTrue();

        PayoutStore.QueryClaim a = replicaA.claimForQuery("paypro-id", 10, LEASE);
        assertThat(a.claimed()).extracting(Payout::reference).containsExactlyInAnyOrderElementsOf(due.subList(1, 3));
        assertThat(replicaB.claimForQuery("paypro-id", 10, LEASE).claimed()).isEmpty();

        replicaA.releaseQueryClaims(references(a));

        assertThat(replicaB.claimForQuery("paypro-id", 10, LEASE).claimed()).extracting(Payout::reference)
                .containsExactlyInAnyOrderElementsOf(due.subList(1, 3));
    }

    @Test
    void anotherAccountsPayoutsAreNotClaimed() {
        submitted(2);

        assertThat(replicaA.claimForQuery("paypro-ke", 10, LEASE).claimed()).isEmpty();
        assertThat(replicaA.claimForQuery("paypro-id", 10, LEASE).claimed()).hasSize(2);
    }

    /** Replicas claiming at the same moment, over and over: no payout is ever claimed by two. */
    @Test
    void replicasClaimingTogetherNeverClaimTheSamePayout() throws Exception {
        List<String> due = submitted(400);
        Set<String> claimedTwice = ConcurrentHashMap.newKeySet();
        Set<String> claimed = ConcurrentHashMap.newKeySet();
        ExecutorService threads = Executors.newFixedThreadPool(6);
        try {
            List<Callable<Void>> claimers = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                PayoutStore replica = i % 2 == 0 ? replicaA : replicaB;
                claimers.add(() -> {
                    for (int round = 0; round < 200; round++) {
                        for (Payout p : replica.claimForQuery("paypro-id", 7, LEASE).claimed()) {
                            if (!claimed.add(p.reference())) {
                                claimedTwice.add(p.reference());
                            }
                        }
                    }
                    return null;
                });
            }
            for (Future<Void> f : threads.invokeAll(claimers)) {
                f.get();
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(claimedTwice).as("payouts claimed by two claimers within one lease").isEmpty();
        assertThat(claimed).containsExactlyInAnyOrderElementsOf(due);
    }

    private static List<String> references(PayoutStore.QueryClaim claim) {
        return claim.claimed().stream().map(Payout::reference).toList();
    }

    /** Stores n payouts of paypro-id, dispatches them and makes them SUBMITTED with their first query due now. */
    private List<String> submitted(int n) {
        List<PayoutStore.Candidate> candidates = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String reference = "Q" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
            candidates.add(new PayoutStore.Candidate(new PayoutInstruction(reference, "ID", "paypro-id", "150000", "IDR",
                    "Budi", "1234567890", "BCA", null, null, null, null, null, null), "paypro-id", List.of()));
        }
        assertThat(replicaA.admit(candidates, "test", "query-claim", "test")).extracting(Admission::outcome)
                .containsOnly(Admission.Outcome.ACCEPTED);
        List<Payout> claimed = replicaA.claimForDispatch(n, List.of());
        assertThat(claimed).hasSize(n);
        Set<String> out = new HashSet<>();
        for (Payout p : claimed) {
            assertThat(replicaA.transition(p, PayoutStore.Change.to(PayoutState.SUBMITTED).nextActionAt(now.get()))).isTrue();
            out.add(p.reference());
        }
        return List.copyOf(out);
    }
}
