package dev.taskapi.http;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.function.Supplier;

/**
 * Bounds what one kind of response holds in memory at once: each request weighs some units (a listing, its page
 * size); at most {@code budget} units are in flight, each for as long as its {@link #run work} runs: the query and
 * the write of the response until it has gone out to the client. Requests beyond wait, first come first
 * served; when {@code maxWaiting} already wait, the next is refused at once with a 503. Without it, what a route
 * holds grows with the number of clients, and clients reading large responses slowly took the service past its
 * container's memory limit.
 *
 * <p>Not thread-safe: one instance per event loop (per router), touched by that event loop only.
 */
public final class InFlightLimit {
    private final int budget;
    private final int maxWaiting;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private int inFlight;

    private record Waiting(int units, Promise<Integer> admitted) {}

    /**
     * @param budget units in flight at most; a request that weighs more is admitted alone
     * @param maxWaiting requests that may wait for admission; the next one is refused
     */
    public InFlightLimit(int budget, int maxWaiting) {
        if (budget < 1 || maxWaiting < 0) {
            throw new IllegalArgumentException("budget " + budget + " and maxWaiting " + maxWaiting);
        }
        this.budget = budget;
        this.maxWaiting = maxWaiting;
    }

    /**
     * Runs {@code work} once {@code units} are admitted and releases them when its future completes, however it
     * completes (a failure thrown by {@code work} included); fails with a 503 {@link ProblemException} without
     * running it when the waiting line is full.
     */
    public <T> Future<T> run(int units, Supplier<Future<T>> work) {
        return acquire(units).compose(admitted -> {
            Future<T> done;
            try {
                done = work.get();
            } catch (RuntimeException e) {
                done = Future.failedFuture(e);
            }
            return done.onComplete(result -> release(admitted));
        });
    }

    /**
     * Admits a request of {@code units} (at least 1; more than the budget counts as the budget): the future
     * completes, with the units to {@link #release} later, once they fit; it fails with a 503
     * {@link ProblemException} when the waiting line is full.
     */
    Future<Integer> acquire(int units) {
        int weight = Math.min(Math.max(1, units), budget);
        if (waiting.isEmpty() && inFlight + weight <= budget) {
            inFlight += weight;
            return Future.succeededFuture(weight);
        }
        if (waiting.size() >= maxWaiting) {
            return Future.failedFuture(new Busy(maxWaiting));
        }
        Promise<Integer> admitted = Promise.promise();
        waiting.add(new Waiting(weight, admitted));
        return admitted.future();
    }

    /** Gives back what {@link #acquire} admitted, and admits those waiting that now fit, in order. */
    void release(int units) {
        inFlight -= units;
        while (!waiting.isEmpty() && inFlight + waiting.peek().units() <= budget) {
            Waiting next = waiting.poll();
            inFlight += next.units();
            next.admitted().complete(next.units());
        }
    }

    /** Units admitted and not yet released. */
    public int inFlight() {
        return inFlight;
    }

    /** Requests waiting for admission. */
    public int waiting() {
        return waiting.size();
    }

    /** The refusal of a full waiting line: 503, as for any server too busy to answer now. */
    static final class Busy extends ProblemException {
        Busy(int maxWaiting) {
            super(
                    503,
                    "the service is answering as many of these requests as its memory allows and " + maxWaiting
                            + " more are waiting; retry shortly");
        }
    }
}
