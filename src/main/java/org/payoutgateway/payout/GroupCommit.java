package org.payoutgateway.payout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records provider replies as they come, grouped: {@link #record} hands one reply to a single
 * committer thread and returns once the reply is committed ({@link #submit}: returns at once, with a
 * future completed by the commit). The committer takes the first reply
 * waiting, gathers those that arrive within {@code interval} (at most {@code maxSize} in all) and
 * commits them together with one call of the given recorder (one transaction). So a reply is in
 * the store a few milliseconds after it was read, whatever the other calls of its account or of
 * other accounts are doing, and a busy gateway still commits many replies at once.
 *
 * <p>Should the commit fail (the store is away), every caller of that group gets the exception:
 * their payouts keep the state they had (SENDING after a create: they become UNKNOWN after the
 * sending lease and are queried; SUBMITTED or UNKNOWN after a query: asked again later).
 *
 * @param <T> a reply as its recorder takes it ({@link PayoutOutcomes.CreateResult}, {@link PayoutOutcomes.QueryResult})
 */
public final class GroupCommit<T> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

    private record Waiting<T>(T reply, CompletableFuture<Void> committed) {
    }

    private final BlockingQueue<Waiting<T>> queue = new LinkedBlockingQueue<>();
    private final Consumer<List<T>> recorder;
    private final long intervalNanos;
    private final int maxSize;
    private final Thread committer;
    private volatile boolean closed;

    /**
     * @param name     names the committer thread ({@code group-commit-<name>})
     * @param recorder commits a group of replies in one transaction
     * @param interval how long the first reply of a group waits for others (a few milliseconds)
     * @param maxSize  the most replies committed together (at least 1)
     */
    public GroupCommit(String name, Consumer<List<T>> recorder, Duration interval, int maxSize) {
        if (maxSize < 1) {
            throw new IllegalArgumentException("the group size must be at least 1, was " + maxSize);
        }
        this.recorder = recorder;
        this.intervalNanos = interval.toNanos();
        this.maxSize = maxSize;
        this.committer = new Thread(this::run, "group-commit-" + name);
        this.committer.setDaemon(true);
        this.committer.start();
    }

    /**
     * Records one reply and returns once it is committed.
     *
     * @throws PayoutStoreException when its group's commit failed, or the committer is closed
     */
    public void record(T reply) {
        CompletableFuture<Void> committed = submit(reply);
        try {
            committed.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PayoutStoreException("interrupted while the reply was being recorded", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new PayoutStoreException("reply not recorded", e.getCause());
        }
    }

    /**
     * Hands one reply to the committer and returns at once: the future completes when the reply is
     * committed, or exceptionally when its group's commit failed or the committer is closed (the
     * payout then keeps the state it had in the store). Whoever does anything further with that
     * payout waits for the future first.
     */
    public CompletableFuture<Void> submit(T reply) {
        if (closed) {
            return CompletableFuture.failedFuture(new PayoutStoreException("the reply recorder is closed: reply not recorded", null));
        }
        Waiting<T> w = new Waiting<>(reply, new CompletableFuture<>());
        queue.add(w);
        return w.committed();
    }

    private void run() {
        List<Waiting<T>> group = new ArrayList<>(maxSize);
        while (!closed || !queue.isEmpty()) {
            try {
                Waiting<T> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
                long deadline = System.nanoTime() + intervalNanos;
                while (group.size() < maxSize) {
                    long left = deadline - System.nanoTime();
                    Waiting<T> next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
                    if (next == null) {
                        break;
                    }
                    group.add(next);
                }
                commit(group);
            } catch (InterruptedException e) {
                if (!group.isEmpty()) {
                    commit(group);
                }
                if (closed) {
                    break;
                }
            }
            group.clear();
        }
    }

    private void commit(List<Waiting<T>> group) {
        try {
            recorder.accept(group.stream().map(Waiting::reply).toList());
            group.forEach(w -> w.committed().complete(null));
        } catch (RuntimeException e) {
            LOG.error("{} provider replies could not be recorded: {}", group.size(), e.toString());
            group.forEach(w -> w.committed().completeExceptionally(e));
        } finally {
            group.clear();
        }
    }

    /** Commits what is waiting, then stops the committer; later {@link #record} calls fail. */
    @Override
    public void close() {
        closed = true;
        try {
            committer.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // a reply handed over as the committer ended: its caller must not wait for ever
        Waiting<T> late;
        while ((late = queue.poll()) != null) {
            late.committed().completeExceptionally(new PayoutStoreException("the reply recorder closed: reply not recorded", null));
        }
    }
}
