package org.payoutgateway.dispatch;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.RuntimeCamelException;
import org.payoutgateway.payout.Payout;
import org.payoutgateway.payout.PayoutOutcomes;
import org.payoutgateway.payout.PayoutStore;
import org.payoutgateway.provider.AccountGuards;
import org.payoutgateway.provider.ProviderAccounts;
import org.payoutgateway.provider.ProviderConnector;
import org.payoutgateway.provider.ProviderReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lane per provider account (a bulkhead): the account's own executor, as many threads as the
 * account's {@code max-concurrent}, and its own queue of due work. Creates and status queries of
 * an account share its threads and its rate limit, creates first (the queue hands out creates
 * before queries); nothing of one account waits for another, so a slow, failing or open-circuit
 * account delays only its own payouts.
 *
 * <p>Creates: a lane claims (RECEIVED → SENDING, committed) only as many payouts as it can send now
 * plus {@code payout.dispatch.prefetch}, and claims again as their replies are committed, so a crash
 * leaves at most {@code max-concurrent + prefetch} payouts of an account SENDING (calls in flight,
 * replies read and not yet committed, claimed payouts waiting for a thread). Each claimed payout goes
 * through {@code direct:dispatch-payout} (route by account, create, record as the reply comes). The
 * account's concurrency permit is given back as soon as the reply is read, and the route hands the
 * reply to the group commit without waiting: the lane's thread makes its next call at once, while the
 * payout it has just sent stays counted in the lane until its reply is committed. Claims run on a
 * fill thread, neither on a lane's thread nor on the committer's.
 * Status queries: a lane claims the account's due SUBMITTED/UNKNOWN payouts as its threads free up
 * ({@link PayoutStore#claimForQuery}: of several gateways on one store, one asks about each payout),
 * and asks for more while there are, so due payouts are asked about at the provider's pace, not in
 * fixed batches per trigger. The dispatch timer and the status-query Quartz trigger start the
 * filling; a lane keeps itself full while work is due.
 *
 * <p>Why executors here and not Camel SEDA queues per account: an account's {@code max-concurrent}
 * may change live, and a thread pool is resized in place, where a SEDA consumer count is fixed when
 * its route starts; and one priority queue per account is what puts its creates before its queries.
 */
public class AccountLanes {

    private static final Logger LOG = LoggerFactory.getLogger(AccountLanes.class);
    static final String DISPATCH_ROUTE = "direct:dispatch-payout";
    static final String QUERY_ROUTE = "direct:provider-query";

    private final ProducerTemplate producer;
    private final PayoutStore store;
    private final ProviderAccounts accounts;
    private final AccountGuards guards;
    private final PayoutOutcomes outcomes;
    private final int prefetch;
    private final Duration queryLease;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    /**
     * Runs the fills asked for as replies are committed (claims are store transactions: neither the
     * lanes' threads, which go on with their next call, nor the committer wait for them).
     */
    private final ExecutorService fills = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "lane-fill");
        t.setDaemon(true);
        return t;
    });
    /**
     * Wakes an account's query filling when payouts it submitted become due for their first query
     * (the schedule's first step after the create's commit), rather than at the next status-query
     * trigger: due payouts are asked about at once while the account has room.
     */
    private final ScheduledExecutorService wakes = Executors
            .newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "lane-query-wake");
                t.setDaemon(true);
                return t;
            });
    /** Query wakes are rounded up to this, so that an account is woken at most once per tick. */
    static final long WAKE_TICK_MS = 100;
    private final AtomicLong sequence = new AtomicLong();
    private volatile boolean taking = true;
    private volatile boolean paused;

    /**
     * @param prefetch   payouts an account claims beyond those it can send at once (at least 1)
     * @param queryLease how long a status-query claim holds ({@link PayoutStore#claimForQuery})
     */
    public AccountLanes(ProducerTemplate producer, PayoutStore store, ProviderAccounts accounts, AccountGuards guards,
                        PayoutOutcomes outcomes, int prefetch, Duration queryLease) {
        if (prefetch < 1) {
            throw new IllegalArgumentException("payout.dispatch.prefetch must be at least 1, was " + prefetch);
        }
        this.producer = producer;
        this.store = store;
        this.accounts = accounts;
        this.guards = guards;
        this.outcomes = outcomes;
        this.prefetch = prefetch;
        this.queryLease = queryLease;
    }

    /** Tops up every configured account's lane with payouts due for dispatch. */
    public void fillCreates() {
        for (String account : accounts.names()) {
            lane(account).requestCreates();
        }
    }

    /** Tops up every configured account's lane with payouts due for a status query. */
    public void fillQueries() {
        for (String account : accounts.names()) {
            lane(account).requestQueries();
        }
    }

    /**
     * Takes no new work until {@link #resume()} (work already taken goes on): while routes are
     * replaced live, so that the old routes' calls end and no new ones start on them.
     */
    public void pause() {
        paused = true;
    }

    /** Takes work again after {@link #pause()}, at once. */
    public void resume() {
        paused = false;
        fillCreates();
        fillQueries();
    }

    /** Payouts of an account claimed and not yet recorded, queued or being sent. */
    public int createsInFlight(String account) {
        Lane l = lanes.get(account);
        return l == null ? 0 : l.creates.get();
    }

    private Lane lane(String account) {
        return lanes.computeIfAbsent(account, Lane::new);
    }

    /**
     * Stops taking work, for a stop of the gateway: payouts claimed but not yet sent go back to the
     * store (RECEIVED, due at once, the claim not counted); queued queries are dropped and their
     * claims given back (due at once); calls under way end and are recorded, for at most {@code wait}.
     */
    public void stop(Duration wait) {
        taking = false;
        List<PayoutOutcomes.CreateResult> notSent = new ArrayList<>();
        List<String> notAsked = new ArrayList<>();
        for (Lane l : lanes.values()) {
            List<Runnable> queued = new ArrayList<>();
            l.executor.getQueue().drainTo(queued);
            l.executor.shutdown();
            for (Runnable r : queued) {
                if (r instanceof Task t && t.create) {
                    notSent.add(notSent(t.payout, "the gateway stopped before the create call"));
                    l.creates.decrementAndGet();
                } else if (r instanceof Task t) {
                    notAsked.add(t.payout.reference());
                }
            }
        }
        try {
            store.releaseQueryClaims(notAsked);
        } catch (RuntimeException e) {
            LOG.warn("{} status query claim(s) not given back at the stop: asked after the lease: {}", notAsked.size(),
                    e.toString());
        }
        if (!notSent.isEmpty()) {
            try {
                outcomes.afterCreates(notSent);
                LOG.info("{} claimed payout(s) not sent before the stop: back to RECEIVED", notSent.size());
            } catch (RuntimeException e) {
                LOG.warn("{} claimed payout(s) not sent before the stop stay SENDING (queried after the sending lease): {}",
                        notSent.size(), e.toString());
            }
        }
        long deadline = System.nanoTime() + wait.toNanos();
        for (Lane l : lanes.values()) {
            try {
                l.executor.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                fills.shutdown();
                wakes.shutdownNow();
            }
        }
    }

    /**
     * Sends one payout through a route on the calling lane thread; returns the future of its reply's
     * commit (null: nothing to commit). An error that escapes the route is thrown.
     */
    private CompletableFuture<?> send(String route, Payout p) {
        Exchange done = producer.send(route, e -> e.getIn().setBody(p));
        if (done.getException() != null) {
            throw RuntimeCamelException.wrapRuntimeCamelException(done.getException());
        }
        return done.getProperty(Dispatcher.RECORDED, CompletableFuture.class);
    }

    /** Runs {@code then} once the reply's commit is over (at once when there is none); a failed commit is logged first. */
    private static void whenRecorded(CompletableFuture<?> recorded,
                                     Consumer<Throwable> failed, Runnable then) {
        if (recorded == null) {
            then.run();
            return;
        }
        recorded.whenComplete((ok, e) -> {
            try {
                if (e != null) {
                    failed.accept(e instanceof CompletionException c && c.getCause() != null ? c.getCause() : e);
                }
            } finally {
                then.run();
            }
        });
    }

    /** A fill asked for when a reply is committed: on the fill thread, not the committer's. */
    private void fillLater(Runnable fill) {
        try {
            fills.execute(fill);
        } catch (RejectedExecutionException stopped) {
            // the lanes have stopped: nothing more is claimed
        }
    }

    /** A claimed payout that was not sent: back to RECEIVED, due at once, the claim not counted. */
    private PayoutOutcomes.CreateResult notSent(Payout p, String why) {
        return new PayoutOutcomes.CreateResult(p, accounts.get(p.account()), ProviderReply.heldBack("not sent: " + why));
    }

    /** One unit of a lane's work; creates are handed out before queries, each kind in order. */
    private final class Task implements Runnable, Comparable<Task> {
        final boolean create;
        final long order = sequence.incrementAndGet();
        final Payout payout;
        final Runnable work;

        Task(boolean create, Payout payout, Runnable work) {
            this.create = create;
            this.payout = payout;
            this.work = work;
        }

        @Override
        public void run() {
            work.run();
        }

        @Override
        public int compareTo(Task o) {
            return create != o.create ? (create ? -1 : 1) : Long.compare(order, o.order);
        }
    }

    private final class Lane {
        final String account;
        final ThreadPoolExecutor executor;
        /** Claimed payouts not yet recorded: queued or being sent. */
        final AtomicInteger creates = new AtomicInteger();
        /** References queued or being asked about. */
        final Set<String> queries = ConcurrentHashMap.newKeySet();
        /**
         * References whose query has been recorded, taken out of {@link #queries} by the next fill
         * before it reads the store: a fill that read a payout as due just before its answer was
         * committed does not ask about it again.
         */
        final java.util.Queue<String> queried = new java.util.concurrent.ConcurrentLinkedQueue<>();
        final Filler createFiller = new Filler(this::claimCreates);
        final Filler queryFiller = new Filler(this::takeQueries);

        Lane(String account) {
            this.account = account;
            int threads = guards.maxConcurrent(account);
            AtomicInteger n = new AtomicInteger();
            this.executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new PriorityBlockingQueue<>(),
                    r -> {
                        Thread t = new Thread(r, "lane-" + account + "-" + n.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            executor.allowCoreThreadTimeOut(true);
        }

        void requestCreates() {
            createFiller.request();
        }

        void requestQueries() {
            queryFiller.request();
        }

        /** Claims what the lane can take now; true when the account may have more due than was claimed. */
        boolean claimCreates() {
            if (!taking || paused || accounts.find(account).isEmpty()) {
                return false;
            }
            CircuitBreaker.State circuit = guards.state(account);
            if (circuit == CircuitBreaker.State.OPEN) {
                return false; // its payouts wait in the store; the breaker's trial calls come when it half-opens
            }
            int threads = resize();
            // half-open: one payout at a time, so the trial calls are not outnumbered by payouts held back
            int capacity = circuit == CircuitBreaker.State.HALF_OPEN ? 1 : threads + prefetch;
            int free = capacity - creates.get();
            if (free <= 0) {
                return true; // full: more may be due, asked for as its calls end
            }
            List<Payout> claimed = store.claimForDispatch(account, free);
            creates.addAndGet(claimed.size());
            List<PayoutOutcomes.CreateResult> refused = new ArrayList<>();
            for (Payout p : claimed) {
                try {
                    executor.execute(createTask(p));
                } catch (RejectedExecutionException stopping) {
                    refused.add(notSent(p, "the gateway is stopping"));
                    creates.decrementAndGet();
                }
            }
            if (!refused.isEmpty()) {
                outcomes.afterCreates(refused); // claimed as the lane stopped: back to RECEIVED, not sent
            }
            return claimed.size() == free;
        }

        private Task createTask(Payout p) {
            return new Task(true, p, () -> {
                CompletableFuture<?> recorded = null;
                try {
                    recorded = send(DISPATCH_ROUTE, p);
                } catch (RuntimeException e) {
                    // the route records every outcome it reaches; one that escapes leaves the payout
                    // SENDING, to be queried after the sending lease (never sent again blindly)
                    LOG.error("Payout {} [{}]: dispatch ended without a record, left SENDING: {}", p.reference(),
                            account, e.toString());
                } finally {
                    // the lane's thread takes its next payout now; this one leaves the lane (and
                    // frees its place for a new claim) once its reply is committed
                    whenRecorded(recorded, e -> LOG.error("Payout {} [{}]: reply not recorded, left SENDING (queried after the sending lease): {}",
                            p.reference(), account, e.toString()), () -> {
                                creates.decrementAndGet();
                                if (createFiller.more) {
                                    fillLater(this::requestCreates);
                                } else if (queryFiller.more) {
                                    fillLater(this::requestQueries); // the creates are in: queries take what is left
                                }
                                wakeQueriesWhenDue();
                            });
                }
            });
        }

        /** The last query wake scheduled, in ticks of {@link #WAKE_TICK_MS} since the epoch. */
        final AtomicLong wakeTick = new AtomicLong();

        /**
         * After a create's reply is committed: its payout (if SUBMITTED) is due for its first query
         * after the first step of the account's query schedule; the lane's query filling is woken
         * then (once per tick). A wake that finds nothing due, or a payout that became final or was
         * asked about by the trigger meanwhile, costs one look at the store and nothing more.
         */
        void wakeQueriesWhenDue() {
            if (!taking) {
                return;
            }
            Optional<ProviderConnector> c = accounts.find(account);
            if (c.isEmpty() || c.get().querySchedule().isEmpty()) {
                return;
            }
            long now = System.currentTimeMillis();
            long tick = (now + c.get().querySchedule().get(0).toMillis() + WAKE_TICK_MS - 1) / WAKE_TICK_MS;
            long before = wakeTick.get();
            if (tick > before && wakeTick.compareAndSet(before, tick)) {
                try {
                    wakes.schedule(() -> fillLater(this::requestQueries), tick * WAKE_TICK_MS - now, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException stopped) {
                    // the lanes have stopped
                }
            }
        }

        /** Takes the account's due status queries the lane can ask now; true when more may be due. */
        boolean takeQueries() {
            String done;
            while ((done = queried.poll()) != null) {
                queries.remove(done);
            }
            if (!taking || paused || accounts.find(account).isEmpty()) {
                return false;
            }
            if (createFiller.more) {
                // creates first: while the account has more due for dispatch than its lane holds,
                // its rate goes to them; queries are taken once the backlog is in the lane (the
                // status-query trigger asks again every run)
                return true;
            }
            int capacity = resize() + prefetch;
            int free = capacity - queries.size();
            if (free <= 0) {
                return true;
            }
            // claimed (compare-and-set on the next query time), so that of several gateways on one
            // store only one asks about each payout; those queued here are claimed and not found again
            PayoutStore.QueryClaim claim = store.claimForQuery(account, free, queryLease);
            for (Payout p : claim.claimed()) {
                if (queries.add(p.reference())) {
                    executor.execute(new Task(false, p, () -> {
                        CompletableFuture<?> recorded = null;
                        try {
                            recorded = send(QUERY_ROUTE, p);
                        } catch (RuntimeException e) {
                            LOG.warn("Payout {} [{}]: status query ended in error, asked again later: {}", p.reference(),
                                    account, e.toString());
                        } finally {
                            // not asked about again by this lane before its answer is committed
                            whenRecorded(recorded, e -> LOG.warn("Payout {} [{}]: status answer not recorded, asked again later: {}",
                                    p.reference(), account, e.toString()), () -> {
                                        queried.add(p.reference());
                                        if (queryFiller.more) {
                                            fillLater(this::requestQueries);
                                        }
                                    });
                        }
                    }));
                }
            }
            return claim.found() == free;
        }

        /** The lane's threads follow the account's max-concurrent, which may change live. */
        int resize() {
            int threads = guards.maxConcurrent(account);
            if (executor.getMaximumPoolSize() != threads) {
                if (threads > executor.getMaximumPoolSize()) {
                    executor.setMaximumPoolSize(threads);
                    executor.setCorePoolSize(threads);
                } else {
                    executor.setCorePoolSize(threads);
                    executor.setMaximumPoolSize(threads);
                }
            }
            return threads;
        }
    }

    /**
     * Runs a fill on the thread that asks for it, one at a time: a request made while another fill
     * runs makes that one go round again, so no request is lost and no two fills of a lane claim at
     * once. A failed fill (the store away) is logged; the next trigger tries again. {@link #more}:
     * the last fill found more due than it took, so the lane asks again as its work ends.
     */
    private static final class Filler {
        private final BooleanSupplier fill;
        private final AtomicBoolean requested = new AtomicBoolean();
        private final AtomicBoolean running = new AtomicBoolean();
        volatile boolean more;

        Filler(BooleanSupplier fill) {
            this.fill = fill;
        }

        void request() {
            requested.set(true);
            while (requested.get() && running.compareAndSet(false, true)) {
                try {
                    while (requested.getAndSet(false)) {
                        more = fill.getAsBoolean();
                    }
                } catch (RuntimeException e) {
                    LOG.warn("Lane fill failed, tried again at the next trigger: {}", e.toString());
                } finally {
                    running.set(false);
                }
            }
        }
    }
}
