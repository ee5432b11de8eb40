package org.payoutgateway.intake.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.payoutgateway.intake.file.IntakeFiles.Taken;
import org.payoutgateway.payout.PayoutStore;
import org.payoutgateway.support.MovedClock;

/**
 * Claims of payout files ({@link IntakeFiles}) by two gateways on one store, as two replicas
 * watching one shared inbox: a file is read by the claim's holder only, a holder that paused past
 * its lease stores nothing more once another took the file over, a file read but not archived
 * before a stop is archived only, and the result is written by one claim holder.
 */
class FileClaimTest {

    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final long SIZE = 1234;
    private static final long MODIFIED = 1_765_000_000_000L;

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-07T10:00:00Z"));
    private PayoutStore store;
    private IntakeFiles replicaA;
    private IntakeFiles replicaB;

    @BeforeEach
    void twoReplicasOnOneStore() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
        h2.setUser("sa");
        Flyway.configure().dataSource(h2).locations("classpath:db/migration").load().migrate();
        Clock clock = MovedClock.of(now);
        store = new PayoutStore(h2, clock);
        replicaA = new IntakeFiles(store, "replica-a", LEASE);
        replicaB = new IntakeFiles(store, "replica-b", LEASE);
    }

    private IntakeFiles.Opened open(IntakeFiles replica, String archiveName, boolean archived) {
        return replica.open("payouts.csv", SIZE, MODIFIED, archiveName, name -> archived);
    }

    /** A batch of rows stored by a replica: the claim renewed and the row count moved, in one transaction. */
    private void storeBatch(IntakeFiles replica, long fileId, int lastRow) {
        store.inTransaction(c -> {
            replica.holdClaim(c, fileId);
            replica.recordRows(c, fileId, List.of(), List.of(), List.of(), lastRow);
            return null;
        });
    }

    @Test
    void aFileBeingReadByOneReplicaIsLeftAloneByTheOtherUntilTheClaimLapses() {
        IntakeFiles.Opened a = open(replicaA, "payouts-A.csv", false);
        assertThat(a.taken()).isEqualTo(Taken.HERE);
        assertThat(a.storedRows()).isZero();

        IntakeFiles.Opened b = open(replicaB, "payouts-B.csv", false);
        assertThat(b.taken()).as("the same drop, while replica A holds its claim").isEqualTo(Taken.ELSEWHERE);
        assertThat(b.id()).isEqualTo(a.id());
        assertThat(b.archiveName()).as("where replica A archives it").isEqualTo("payouts-A.csv");
        assertThat(replicaB.claimedElsewhere("payouts.csv", SIZE, MODIFIED)).as("B's inbox filter skips it").isTrue();
        assertThat(replicaA.claimedElsewhere("payouts.csv", SIZE, MODIFIED)).as("A's own claim").isFalse();
        assertThat(replicaB.claimReading(a.id())).as("B resuming it from the archive").isFalse();
        assertThat(replicaB.unfinished()).singleElement().satisfies(f -> assertThat(f.claimedElsewhere()).isTrue());

        // A's batches renew the claim: 29 s after each, B still finds it held
        for (int row = 100; row <= 300; row += 100) {
            now.set(now.get().plus(LEASE).minusSeconds(1));
            storeBatch(replicaA, a.id(), row);
            assertThat(open(replicaB, "payouts-B.csv", false).taken()).as("after A's batch up to row " + row)
                    .isEqualTo(Taken.ELSEWHERE);
        }

        // A pauses past its lease (starved of CPU, or killed): B takes the file up after A's last stored row
        now.set(now.get().plus(LEASE).plusSeconds(1));
        IntakeFiles.Opened takenOver = open(replicaB, "payouts-B.csv", false);
        assertThat(takenOver.taken()).isEqualTo(Taken.HERE);
        assertThat(takenOver.id()).as("the same record, resumed").isEqualTo(a.id());
        assertThat(takenOver.storedRows()).isEqualTo(300);
        assertThat(replicaB.archiveName(a.id())).as("archived where B archives it").isEqualTo("payouts-B.csv");

        // A wakes up: its next batch is refused and rolled back, and it cannot end the reading
        assertThatThrownBy(() -> storeBatch(replicaA, a.id(), 400)).isInstanceOf(IntakeFiles.ClaimLostException.class);
        assertThat(replicaA.unfinished()).singleElement().satisfies(f -> {
            assertThat(f.storedRows()).as("A's refused batch stored nothing").isEqualTo(300);
            assertThat(f.claimedElsewhere()).isTrue();
        });
        assertThatThrownBy(() -> replicaA.finishReading(a.id(), "WAITING")).isInstanceOf(IntakeFiles.ClaimLostException.class);
        assertThat(replicaA.state(a.id())).isEqualTo("READING");

        storeBatch(replicaB, a.id(), 500);
        replicaB.finishReading(a.id(), "WAITING");
        assertThat(replicaB.state(a.id())).isEqualTo("WAITING");
    }

    @Test
    void aFileReadButNotArchivedIsArchivedOnlyAndADropOfTheSameFileAfterItsArchivingIsReadAgain() {
        IntakeFiles.Opened a = open(replicaA, "payouts-A.csv", false);
        storeBatch(replicaA, a.id(), 10);
        replicaA.finishReading(a.id(), "WAITING");

        assertThat(open(replicaB, "payouts-B.csv", false).taken())
                .as("read by A, which holds the claim while it archives the file").isEqualTo(Taken.ELSEWHERE);

        now.set(now.get().plus(LEASE).plusSeconds(1));
        IntakeFiles.Opened before = open(replicaB, "payouts-B.csv", false);
        assertThat(before.taken()).as("A stopped before archiving it").isEqualTo(Taken.BEFORE);
        assertThat(before.archiveName()).as("archived where A would have").isEqualTo("payouts-A.csv");
        assertThat(before.storedRows()).isEqualTo(10);

        IntakeFiles.Opened again = open(replicaB, "payouts-B2.csv", true);
        assertThat(again.taken()).as("the first drop is in the archive: this is a new drop of the same file")
                .isEqualTo(Taken.HERE);
        assertThat(again.id()).isNotEqualTo(a.id());
        assertThat(again.storedRows()).isZero();
    }

    @Test
    void theResultIsClaimedByOneReplicaAndOneThatLostTheClaimCannotRecordItDone() {
        IntakeFiles.Opened a = open(replicaA, "payouts-A.csv", false);
        replicaA.finishReading(a.id(), "WAITING");

        assertThat(replicaB.claimResult(a.id())).as("A, its reader, holds the claim for the lease").isFalse();
        assertThat(replicaA.claimResult(a.id())).isTrue();

        now.set(now.get().plus(LEASE).plusSeconds(1));
        assertThat(replicaB.claimResult(a.id())).as("A paused past its lease").isTrue();
        assertThat(replicaA.claimResult(a.id())).isFalse();
        assertThat(replicaA.markDone(a.id(), "payouts.csv.result.csv")).as("A lost the claim").isFalse();
        assertThat(replicaA.state(a.id())).isEqualTo("WAITING");
        assertThat(replicaB.markDone(a.id(), "payouts.csv.result.csv")).isTrue();
        assertThat(replicaB.state(a.id())).isEqualTo("DONE");
        assertThat(replicaB.claimResult(a.id())).as("DONE: nothing more to claim").isFalse();
    }

    @Test
    void twoReplicasOpeningOneNewFileAtTheSameMomentRecordItOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 30; round++) {
                String name = "drop-" + round + ".csv";
                CyclicBarrier together = new CyclicBarrier(2);
                List<Future<IntakeFiles.Opened>> opened = new ArrayList<>();
                for (IntakeFiles replica : List.of(replicaA, replicaB)) {
                    opened.add(pool.submit(() -> {
                        together.await();
                        return replica.open(name, SIZE, MODIFIED, name + ".archived", n -> false);
                    }));
                }
                IntakeFiles.Opened first = opened.get(0).get();
                IntakeFiles.Opened second = opened.get(1).get();
                assertThat(List.of(first.taken(), second.taken())).as("round " + round)
                        .containsExactlyInAnyOrder(Taken.HERE, Taken.ELSEWHERE);
                assertThat(first.id()).as("one record of the file").isEqualTo(second.id());
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(replicaA.unfinished()).hasSize(30);
    }
}
