package org.payoutgateway.payout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.payoutgateway.payout.PayoutState.FAILED;
import static org.payoutgateway.payout.PayoutState.RECEIVED;
import static org.payoutgateway.payout.PayoutState.REJECTED;
import static org.payoutgateway.payout.PayoutState.SENDING;
import static org.payoutgateway.payout.PayoutState.SUBMITTED;
import static org.payoutgateway.payout.PayoutState.SUCCESS;
import static org.payoutgateway.payout.PayoutState.UNKNOWN;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.payoutgateway.config.Settings;
import org.payoutgateway.provider.ProviderAccounts;
import org.payoutgateway.provider.ProviderConnector;
import org.payoutgateway.provider.ProviderReply;
import org.payoutgateway.provider.ProviderReply.Outcome;

/**
 * The payout state machine ({@link PayoutState#canMoveTo}) and the one class that drives it from
 * provider answers ({@link PayoutOutcomes}).
 *
 * <p>{@code UNKNOWN -> FAILED} is an allowed transition in the table: it is how a provider's
 * definitive "rejected" answer to a status query (or a verified callback) settles a payout whose
 * create call had no clear reply. It is reached only through {@link PayoutOutcomes} applying a
 * {@link Outcome#FAILED} reply; no timeout, HTTP error, transport failure, "not found" or exhausted
 * query schedule ever produces it (tests in {@link Outcomes}).
 */
class PayoutStateTest {

    static Set<PayoutState> next(PayoutState from) {
        return Arrays.stream(PayoutState.values()).filter(from::canMoveTo)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(PayoutState.class)));
    }

    // ============================================================================ the table

    @Test
    void theWholeTable() {
        assertThat(next(RECEIVED)).containsExactlyInAnyOrder(SENDING, FAILED);
        assertThat(next(REJECTED)).containsExactly(RECEIVED);
        assertThat(next(SENDING)).containsExactlyInAnyOrder(RECEIVED, SUBMITTED, UNKNOWN, SUCCESS, FAILED);
        assertThat(next(SUBMITTED)).containsExactlyInAnyOrder(SUBMITTED, UNKNOWN, SUCCESS, FAILED);
        assertThat(next(UNKNOWN)).containsExactlyInAnyOrder(UNKNOWN, RECEIVED, SUBMITTED, SUCCESS, FAILED);
        assertThat(next(SUCCESS)).isEmpty();
        assertThat(next(FAILED)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = PayoutState.class, names = {"SUCCESS", "FAILED"})
    void finalStatesHaveNoWayOut(PayoutState state) {
        assertThat(state.isFinal()).isTrue();
        assertThat(state.isSettledForIntake()).isTrue();
        for (PayoutState to : PayoutState.values()) {
            assertThat(state.canMoveTo(to)).as("%s -> %s", state, to).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(value = PayoutState.class, names = {"RECEIVED", "REJECTED", "SENDING", "SUBMITTED", "UNKNOWN"})
    void otherStatesAreNotFinal(PayoutState state) {
        assertThat(state.isFinal()).isFalse();
        assertThat(state.isSettledForIntake()).isEqualTo(state == REJECTED);
    }

    @Test
    void receivedGoesToSendingOrIsCancelled() {
        // FAILED only by an operator's cancel, refused once it was ever sent (OperatorActionsTest)
        assertThat(next(RECEIVED)).containsExactlyInAnyOrder(SENDING, FAILED);
    }

    @Test
    void rejectedOnlyGoesBackToReceived() {
        // a later instruction under the same reference may replace a rejected one: nothing was sent
        assertThat(next(REJECTED)).containsExactly(RECEIVED);
    }

    @Test
    void nothingEverMovesToRejected() {
        // REJECTED is only ever written by the intake for an invalid instruction, never a transition
        for (PayoutState from : PayoutState.values()) {
            assertThat(from.canMoveTo(REJECTED)).as("%s -> REJECTED", from).isFalse();
        }
    }

    @Test
    void sendingGoesBackOnlyToReceivedNeverToRejectedOrSending() {
        assertThat(SENDING.canMoveTo(RECEIVED)).isTrue(); // only when nothing was taken (connect refused, HTTP 429)
        assertThat(SENDING.canMoveTo(REJECTED)).isFalse();
        assertThat(SENDING.canMoveTo(SENDING)).isFalse();
    }

    @Test
    void onlySendingAndUnknownLeadBackToReceived() {
        // the two ways a payout is sent again, always with the same reference
        List<PayoutState> toReceived = Arrays.stream(PayoutState.values()).filter(s -> s.canMoveTo(RECEIVED)).toList();
        assertThat(toReceived).containsExactlyInAnyOrder(REJECTED, SENDING, UNKNOWN);
        assertThat(SUBMITTED.canMoveTo(RECEIVED)).as("a payout the provider took is never sent again").isFalse();
    }

    @Test
    void unknownToFailedIsAllowedInTheTable() {
        // allowed so that a provider's own FAILED answer can settle it; see the Outcomes tests
        assertThat(UNKNOWN.canMoveTo(FAILED)).isTrue();
    }

    @Test
    void unknownNeverGoesBackToSendingDirectly() {
        assertThat(UNKNOWN.canMoveTo(SENDING)).isFalse();
    }

    @Test
    void onlyTheProvidersAnswersAndAnOperatorsCancelMoveAPayoutToFailed() throws IOException {
        // PayoutOutcomes: what the provider said; OperatorActions: a cancel before anything was sent
        // (and a settlement by hand, approved by a second client, which names its state)
        Pattern toFailed = Pattern.compile("Change\\.to\\(\\s*(PayoutState\\.)?FAILED\\s*\\)");
        Path main = Path.of("src/main/java");
        List<String> users = new ArrayList<>();
        try (Stream<Path> files = Files.walk(main)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                if (toFailed.matcher(Files.readString(f)).find()) {
                    users.add(f.getFileName().toString());
                }
            }
        }
        assertThat(users).containsExactlyInAnyOrder("PayoutOutcomes.java", "OperatorActions.java");
    }

    // ============================================================================ PayoutOutcomes

    /** Records the changes PayoutOutcomes asks for and applies the state machine's check, no database. */
    static final class RecordingStore extends PayoutStore {
        final List<Change> changes = new ArrayList<>();

        RecordingStore(Instant now) {
            super(null, Clock.fixed(now, ZoneOffset.UTC));
        }

        @Override
        public boolean[] transitionAll(List<Transition> transitions, List<ProviderCall> calls) {
            boolean[] applied = new boolean[transitions.size()];
            for (int i = 0; i < applied.length; i++) {
                changes.add(transitions.get(i).change());
                applied[i] = transitions.get(i).current().state().canMoveTo(transitions.get(i).change().target());
            }
            return applied;
        }

        Change last() {
            assertThat(changes).isNotEmpty();
            return changes.get(changes.size() - 1);
        }
    }

    /**
     * A real connector (Paypro Kenya) built from settings, for its query schedule (30s, 5m) and
     * not-found grace (10m): PayoutOutcomes reads nothing else from it.
     */
    static ProviderConnector schedule() {
        Map<String, String> m = Map.of(
                "payout.provider.accounts", "paypro-ke",
                "payout.provider.paypro-ke.base-url", "https://kenya.example.com",
                "payout.provider.paypro-ke.merchant-no", "1000000002",
                "payout.provider.paypro-ke.secret", "s",
                "payout.provider.paypro-ke.query-schedule", "30s,5m",
                "payout.provider.paypro-ke.not-found-grace", "10m");
        return new ProviderAccounts(new Settings(k -> Optional.ofNullable(m.get(k)))).get("paypro-ke");
    }

    static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");
    static final PayoutInstruction IN = new PayoutInstruction("R1", "ID", null, "100", "IDR", "n", "1", "B", null,
            "0812345678", "a@b.co", null, null, null);

    static Payout payout(PayoutState state, boolean resend, int queryCount, Instant unknownSince) {
        return new Payout("R1", IN, "test", "file", "f#1", state, null, null, null, 1, queryCount, resend, false,
                unknownSince, NOW.minusSeconds(3600), NOW.minusSeconds(60));
    }

    static PayoutState afterCreate(Outcome outcome, boolean resend) {
        RecordingStore store = new RecordingStore(NOW);
        new PayoutOutcomes(store, List.of(Duration.ofSeconds(10))).afterCreate(payout(SENDING, resend, 0, null),
                schedule(), ProviderReply.of(outcome, null, null, "m"));
        return store.last().target();
    }

    static PayoutState afterQuery(Payout p, Outcome outcome) {
        RecordingStore store = new RecordingStore(NOW);
        new PayoutOutcomes(store, List.of(Duration.ofSeconds(10))).afterQuery(p, schedule(),
                ProviderReply.of(outcome, null, null, "m"));
        return store.last().target();
    }

    @Nested
    class Outcomes {

        @Test
        void createReplies() {
            assertThat(afterCreate(Outcome.PROCESSING, false)).isEqualTo(SUBMITTED);
            assertThat(afterCreate(Outcome.SUCCESS, false)).isEqualTo(SUCCESS);
            assertThat(afterCreate(Outcome.FAILED, false)).isEqualTo(FAILED);
            assertThat(afterCreate(Outcome.UNKNOWN, false)).isEqualTo(UNKNOWN);
            assertThat(afterCreate(Outcome.NOT_FOUND, false)).isEqualTo(UNKNOWN);
            assertThat(afterCreate(Outcome.NOT_TAKEN, false)).isEqualTo(RECEIVED);
        }

        @Test
        void sendingGoesBackToReceivedOnlyWhenNothingWasTaken() {
            for (Outcome o : Outcome.values()) {
                boolean nothingSent = o == Outcome.NOT_TAKEN || o == Outcome.HELD_BACK;
                assertThat(afterCreate(o, false) == RECEIVED).as("%s", o).isEqualTo(nothingSent);
                assertThat(afterCreate(o, true) == RECEIVED).as("%s on a re-send", o).isEqualTo(nothingSent);
            }
        }

        @Test
        void aRefusedReSendIsUnknownNotFailed() {
            // the provider may be refusing a reference it already has
            assertThat(afterCreate(Outcome.FAILED, true)).isEqualTo(UNKNOWN);
        }

        @ParameterizedTest
        @EnumSource(value = Outcome.class, names = {"UNKNOWN", "NOT_TAKEN", "NOT_FOUND", "PROCESSING", "SUCCESS"})
        void unknownReachesFailedOnlyByAProviderFailedAnswer(Outcome outcome) {
            // within the grace, long after it, and with the query schedule run out
            List<Payout> unknowns = List.of(
                    payout(UNKNOWN, false, 0, NOW.minusSeconds(60)),
                    payout(UNKNOWN, false, 0, NOW.minus(Duration.ofDays(30))),
                    payout(UNKNOWN, true, 50, NOW.minus(Duration.ofDays(30))),
                    payout(UNKNOWN, false, 3, null));
            for (Payout p : unknowns) {
                assertThat(afterQuery(p, outcome)).as("%s, %s", outcome, p).isNotEqualTo(FAILED);
            }
        }

        @Test
        void unknownWithAProviderFailedAnswerFails() {
            assertThat(afterQuery(payout(UNKNOWN, false, 0, NOW.minusSeconds(60)), Outcome.FAILED)).isEqualTo(FAILED);
        }

        @Test
        void unknownStaysUnknownWhenTheAnswerSaysNothing() {
            Payout p = payout(UNKNOWN, false, 0, NOW.minusSeconds(60));
            assertThat(afterQuery(p, Outcome.UNKNOWN)).isEqualTo(UNKNOWN);
            assertThat(afterQuery(p, Outcome.NOT_TAKEN)).isEqualTo(UNKNOWN);
        }

        @Test
        void unknownNotFoundIsSentAgainOnlyAfterTheGrace() {
            assertThat(afterQuery(payout(UNKNOWN, false, 0, NOW.minusSeconds(60)), Outcome.NOT_FOUND)).isEqualTo(UNKNOWN);
            assertThat(afterQuery(payout(UNKNOWN, false, 0, NOW.minus(Duration.ofMinutes(10))), Outcome.NOT_FOUND)).isEqualTo(RECEIVED);
            assertThat(afterQuery(payout(UNKNOWN, false, 0, null), Outcome.NOT_FOUND)).isEqualTo(UNKNOWN);
        }

        @Test
        void submittedNotFoundIsNeverSentAgain() {
            Payout p = payout(SUBMITTED, false, 0, null);
            assertThat(afterQuery(p, Outcome.NOT_FOUND)).isEqualTo(SUBMITTED);
            assertThat(afterQuery(p, Outcome.UNKNOWN)).isEqualTo(SUBMITTED);
        }

        @Test
        void exhaustedScheduleFlagsAttentionButDoesNotFail() {
            RecordingStore store = new RecordingStore(NOW);
            new PayoutOutcomes(store, List.of(Duration.ofSeconds(10))).afterQuery(payout(UNKNOWN, false, 5, NOW.minusSeconds(60)),
                    schedule(), ProviderReply.unknown("HTTP 503"));
            assertThat(store.last().target()).isEqualTo(UNKNOWN);
            assertThat(store.last().needsAttention).isTrue();
        }
    }
}
