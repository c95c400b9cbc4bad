package dev.taskapi.task.postgres;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Group commit: requests that arrive while earlier ones are being written leave together, as one batch (one
 * statement, one transaction, one WAL flush), so that concurrent writes cost about one round trip and one flush
 * per batch instead of one each.
 *
 * <p>There is no timer to gather a batch. A request that finds fewer than {@code maxInFlight} batches in flight
 * is sent at once (alone, when nothing else is waiting), so a lone request is not delayed; requests that arrive
 * while every slot is taken wait in arrival order, and the next free slot takes up to {@code maxBatch} of them.
 * Each request is answered only with its own batch's outcome, on the Vert.x context it was submitted from (the
 * SQL client answers on the context that sent the statement, which for a batch is only one of its requests'
 * event loops; an HTTP request's handlers and response belong to its own), and within {@code boundMillis} of its
 * submission whatever the database does: a request still waiting then is failed and never sent, one whose batch
 * is still in flight is failed (its batch may still commit, as a single statement that timed out may).
 *
 * <p>Safe to call from every event loop at once, without locks: a lock-free queue and a counter of batches in
 * flight, claimed with compare-and-set.
 */
final class GroupCommit<I, O> {
    /**
     * Writes one batch: the outcome of each item, in the items' order, or a failed future when the whole batch
     * failed (every item then fails with that failure).
     */
    @FunctionalInterface
    interface Writer<I, O> {
        Future<List<AsyncResult<O>>> write(List<I> items);
    }

    private final Vertx vertx;
    private final int maxBatch;
    private final int maxInFlight;
    private final long boundMillis;
    private final Writer<I, O> writer;
    private final ConcurrentLinkedQueue<Pending<I, O>> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile Throwable closed;

    GroupCommit(Vertx vertx, int maxBatch, int maxInFlight, long boundMillis, Writer<I, O> writer) {
        if (maxBatch < 1 || maxInFlight < 1 || boundMillis < 1) {
            throw new IllegalArgumentException("maxBatch, maxInFlight and boundMillis must be positive");
        }
        this.vertx = vertx;
        this.maxBatch = maxBatch;
        this.maxInFlight = maxInFlight;
        this.boundMillis = boundMillis;
        this.writer = writer;
    }

    /** Queues the item for the next batch; its outcome, on the caller's context. */
    Future<O> submit(I item) {
        Throwable refusal = closed;
        if (refusal != null) {
            return Future.failedFuture(refusal);
        }
        Pending<I, O> pending = new Pending<>(item, vertx.getOrCreateContext());
        pending.timer = vertx.setTimer(boundMillis, id -> pending.expire(boundMillis));
        queue.add(pending);
        dispatch();
        return pending.promise.future();
    }

    /** Fails every request still waiting, and every later one, with {@code reason}; batches in flight finish. */
    void close(Throwable reason) {
        closed = reason;
        for (Pending<I, O> pending; (pending = queue.poll()) != null; ) {
            if (pending.claim()) {
                pending.finish(Future.failedFuture(reason));
            }
        }
    }

    /** Batches in flight now, for tests. */
    int inFlight() {
        return inFlight.get();
    }

    /**
     * Sends batches while there are requests waiting and a free slot. A thread that takes a slot and then finds
     * the queue empty (another took the requests) gives the slot back and looks again, so that a request queued
     * meanwhile by a thread that saw no free slot is never left behind.
     */
    private void dispatch() {
        while (!queue.isEmpty()) {
            int n = inFlight.get();
            if (n >= maxInFlight) {
                return;
            }
            if (!inFlight.compareAndSet(n, n + 1)) {
                continue;
            }
            List<Pending<I, O>> batch = take();
            if (batch.isEmpty()) {
                inFlight.decrementAndGet();
            } else {
                send(batch);
            }
        }
    }

    /** Up to maxBatch waiting requests, oldest first, leaving out those already failed for their bound. */
    private List<Pending<I, O>> take() {
        List<Pending<I, O>> batch = new ArrayList<>(Math.min(maxBatch, 64));
        for (Pending<I, O> pending; batch.size() < maxBatch && (pending = queue.poll()) != null; ) {
            if (pending.claim()) {
                batch.add(pending);
            }
        }
        return batch;
    }

    private void send(List<Pending<I, O>> batch) {
        List<I> items = new ArrayList<>(batch.size());
        batch.forEach(pending -> items.add(pending.item));
        Future<List<AsyncResult<O>>> written;
        try {
            written = writer.write(items);
        } catch (RuntimeException e) {
            written = Future.failedFuture(e);
        }
        written.timeout(boundMillis, TimeUnit.MILLISECONDS).onComplete(outcome -> {
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i)
                        .finish(outcome.succeeded() ? outcome.result().get(i) : Future.failedFuture(outcome.cause()));
            }
            inFlight.decrementAndGet();
            dispatch();
        });
    }

    /**
     * A writer that isolates the items the database refuses: when a batch fails with a failure that one item's
     * data can cause ({@code itemFault}), it writes the two halves again, first then second (so ids still follow
     * the items' order), down to the single item at fault, which alone gets the failure; the others are written.
     * k bad items among n cost about 2k·log2(n) more statements. Any other failure fails the whole batch, or,
     * met while isolating, the part it was writing (the parts written before stay written and acknowledged).
     */
    static <I, O> Writer<I, O> isolating(Function<List<I>, Future<List<O>>> write, Predicate<Throwable> itemFault) {
        return new Writer<>() {
            @Override
            public Future<List<AsyncResult<O>>> write(List<I> items) {
                return write.apply(items).transform(written -> {
                    if (written.succeeded()) {
                        if (written.result().size() != items.size()) {
                            return Future.failedFuture(new IllegalStateException("a batch of " + items.size()
                                    + " was written as " + written.result().size()));
                        }
                        List<AsyncResult<O>> outcomes = new ArrayList<>(items.size());
                        written.result().forEach(o -> outcomes.add(Future.succeededFuture(o)));
                        return Future.succeededFuture(outcomes);
                    }
                    if (!itemFault.test(written.cause())) {
                        return Future.failedFuture(written.cause());
                    }
                    if (items.size() == 1) {
                        return Future.succeededFuture(List.of(Future.failedFuture(written.cause())));
                    }
                    int half = items.size() / 2;
                    return part(items.subList(0, half))
                            .compose(first -> part(items.subList(half, items.size()))
                                    .map(second -> {
                                        List<AsyncResult<O>> both = new ArrayList<>(first);
                                        both.addAll(second);
                                        return both;
                                    }));
                });
            }

            /** One half: a failure of the whole half fails its items only, not the other half's, already written. */
            private Future<List<AsyncResult<O>>> part(List<I> items) {
                return write(items).recover(e -> {
                    List<AsyncResult<O>> failed = new ArrayList<>(items.size());
                    items.forEach(item -> failed.add(Future.failedFuture(e)));
                    return Future.succeededFuture(failed);
                });
            }
        };
    }

    private static final class Pending<I, O> {
        private static final int WAITING = 0;
        private static final int SENT = 1;
        private static final int EXPIRED = 2;

        final I item;
        final Context context;
        final Promise<O> promise = Promise.promise();
        final AtomicInteger state = new AtomicInteger(WAITING);
        volatile long timer = -1;

        Pending(I item, Context context) {
            this.item = item;
            this.context = context;
        }

        /** True if this request is still waiting; it is then the caller's to send or fail. */
        boolean claim() {
            return state.compareAndSet(WAITING, SENT);
        }

        /** The bound passed: a waiting request is never sent; one in flight is answered now all the same. */
        void expire(long boundMillis) {
            state.compareAndSet(WAITING, EXPIRED);
            promise.tryFail(new TimeoutException("no answer within " + boundMillis + " ms"));
        }

        /** Completes the request on its own context (the event loop of the HTTP request that made it). */
        void finish(AsyncResult<O> outcome) {
            context.owner().cancelTimer(timer);
            if (Vertx.currentContext() == context) {
                settle(outcome);
            } else {
                context.runOnContext(v -> settle(outcome));
            }
        }

        private void settle(AsyncResult<O> outcome) {
            if (outcome.succeeded()) {
                promise.tryComplete(outcome.result());
            } else {
                promise.tryFail(outcome.cause());
            }
        }
    }
}
