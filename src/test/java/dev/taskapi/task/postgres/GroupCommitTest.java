package dev.taskapi.task.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How requests are gathered into batches, bounded, answered and isolated, with a writer the test controls. */
class GroupCommitTest {
    static final long BOUND_MS = 60_000;
    final Vertx vertx = Vertx.vertx();
    /** The batches the writer was given, each with the promise that answers it. */
    final ConcurrentLinkedQueue<Batch> batches = new ConcurrentLinkedQueue<>();

    record Batch(List<String> items, Promise<List<AsyncResult<String>>> written) {
        /** Writes every item as "item!" */
        void succeed() {
            List<AsyncResult<String>> outcomes = new ArrayList<>();
            items.forEach(item -> outcomes.add(Future.succeededFuture(item + "!")));
            written.complete(outcomes);
        }
    }

    /** The failure of a future that must fail, once it has. */
    static Throwable failureOf(Future<?> future) {
        assertThrows(Throwable.class, future::await);
        assertTrue(future.failed());
        return future.cause();
    }

    @AfterEach
    void closeVertx() {
        vertx.close().await();
    }

    GroupCommit<String, String> groupCommit(int maxBatch, int maxInFlight, long boundMillis) {
        return new GroupCommit<>(vertx, maxBatch, maxInFlight, boundMillis, items -> {
            Promise<List<AsyncResult<String>>> written = Promise.promise();
            batches.add(new Batch(List.copyOf(items), written));
            return written.future();
        });
    }

    @Test
    void aLoneRequestIsSentAtOnceAndAlone() {
        GroupCommit<String, String> commit = groupCommit(64, 1, BOUND_MS);
        Future<String> a = commit.submit("a");
        assertEquals(1, batches.size(), "sent without waiting for company");
        Batch only = batches.poll();
        assertEquals(List.of("a"), only.items());
        only.succeed();
        assertEquals("a!", a.await());
    }

    @Test
    void requestsThatArriveWhileABatchIsInFlightLeaveTogetherInArrivalOrder() {
        GroupCommit<String, String> commit = groupCommit(64, 1, BOUND_MS);
        Future<String> a = commit.submit("a");
        Future<String> b = commit.submit("b");
        Future<String> c = commit.submit("c");
        Future<String> d = commit.submit("d");
        assertEquals(1, batches.size(), "b, c and d wait while a is in flight");
        batches.poll().succeed();
        assertEquals("a!", a.await());

        Batch next = batches.poll();
        assertEquals(List.of("b", "c", "d"), next.items());
        assertTrue(batches.isEmpty());
        next.written()
                .complete(List.of(
                        Future.succeededFuture("B"), Future.failedFuture("c refused"), Future.succeededFuture("D")));
        assertEquals("B", b.await());
        assertEquals("c refused", failureOf(c).getMessage());
        assertEquals("D", d.await(), "each request gets its own outcome, in the batch's order");
        assertEquals(0, commit.inFlight());
    }

    @Test
    void aBatchCarriesAtMostMaxBatchRequestsAndTheRestTakeTheNext() {
        GroupCommit<String, String> commit = groupCommit(2, 1, BOUND_MS);
        List<Future<String>> all = new ArrayList<>();
        for (String item : List.of("a", "b", "c", "d", "e")) {
            all.add(commit.submit(item));
        }
        List<List<String>> sent = new ArrayList<>();
        for (Batch batch; (batch = batches.poll()) != null; ) {
            sent.add(batch.items());
            batch.succeed();
        }
        assertEquals(List.of(List.of("a"), List.of("b", "c"), List.of("d", "e")), sent);
        assertEquals(
                List.of("a!", "b!", "c!", "d!", "e!"), Future.all(all).await().list());
    }

    @Test
    void atMostMaxInFlightBatchesAreInFlight() {
        GroupCommit<String, String> commit = groupCommit(64, 2, BOUND_MS);
        commit.submit("a");
        commit.submit("b");
        commit.submit("c");
        commit.submit("d");
        assertEquals(
                List.of(List.of("a"), List.of("b")),
                batches.stream().map(Batch::items).toList());
        assertEquals(2, commit.inFlight());
        batches.poll().succeed();
        assertEquals(
                List.of(List.of("b"), List.of("c", "d")),
                batches.stream().map(Batch::items).toList(),
                "the slot a freed takes everything that waited");
    }

    @Test
    void aFailedBatchFailsEachOfItsRequestsWithItsFailure() {
        GroupCommit<String, String> commit = groupCommit(64, 1, BOUND_MS);
        Future<String> a = commit.submit("a");
        Future<String> b = commit.submit("b");
        Future<String> c = commit.submit("c");
        batches.poll().succeed();
        IllegalStateException down = new IllegalStateException("database down");
        batches.poll().written().fail(down);
        assertSame(down, failureOf(b));
        assertSame(down, failureOf(c));
        assertEquals("a!", a.await());
        Future<String> after = commit.submit("after");
        assertEquals(List.of("after"), batches.peek().items(), "a failed batch frees its slot");
    }

    @Test
    void aRequestIsAnsweredWithinItsBoundWhenItsBatchNeverReturnsAndTheSlotIsFreedForTheNext() {
        GroupCommit<String, String> commit = groupCommit(64, 1, 300);
        long started = System.nanoTime();
        Future<String> stuck = commit.submit("stuck");
        Future<String> waiting = commit.submit("waiting");
        assertInstanceOf(TimeoutException.class, failureOf(stuck));
        assertInstanceOf(TimeoutException.class, failureOf(waiting));
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(tookMillis < 5_000, "answered after " + tookMillis + " ms");
        Batch first = batches.poll();
        assertEquals(List.of("stuck"), first.items());

        Future<String> later = null;
        while (later == null || !later.isComplete()) {
            if (later == null && commit.inFlight() == 0) {
                later = commit.submit("later");
            }
            Batch batch = batches.poll();
            if (batch != null) {
                batch.succeed();
            } else {
                Thread.onSpinWait();
            }
        }
        assertEquals("later!", later.await(), "the batch that never returned does not hold its slot");
        first.succeed();
        assertTrue(stuck.failed(), "an answer after the bound changes nothing");
    }

    @Test
    void eachRequestIsAnsweredOnTheContextItCameFrom() {
        GroupCommit<String, String> commit = groupCommit(64, 1, BOUND_MS);
        Context one = vertx.getOrCreateContext();
        Context other = vertx.getOrCreateContext();
        assertNotSame(one, other);
        List<Future<Context>> answeredOn = new ArrayList<>();
        for (Context context : List.of(one, other, one)) {
            Promise<Context> on = Promise.promise();
            context.runOnContext(v -> commit.submit("x").onComplete(done -> on.complete(Vertx.currentContext())));
            answeredOn.add(on.future());
        }
        while (answeredOn.stream().anyMatch(f -> !f.isComplete())) {
            Batch batch = batches.poll();
            if (batch != null) {
                other.runOnContext(v -> batch.succeed());
            } else {
                Thread.onSpinWait();
            }
        }
        assertEquals(
                List.of(one, other, one),
                answeredOn.stream().map(Future::result).toList());
    }

    @Test
    void requestsFromManyEventLoopsAreEachWrittenOnceInBatchesWithinTheBounds() {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger mostInFlight = new AtomicInteger();
        AtomicInteger largest = new AtomicInteger();
        List<String> written = Collections.synchronizedList(new ArrayList<>());
        GroupCommit<String, String> commit = new GroupCommit<>(vertx, 16, 3, BOUND_MS, items -> {
            mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            largest.accumulateAndGet(items.size(), Math::max);
            written.addAll(items);
            Promise<List<AsyncResult<String>>> done = Promise.promise();
            vertx.setTimer(1, id -> {
                inFlight.decrementAndGet();
                done.complete(items.stream()
                        .map(item -> (AsyncResult<String>) Future.succeededFuture(item + "!"))
                        .toList());
            });
            return done.future();
        });
        List<Future<String>> answers = Collections.synchronizedList(new ArrayList<>());
        List<String> sent = new ArrayList<>();
        List<Future<Void>> loops = new ArrayList<>();
        for (int loop = 0; loop < 8; loop++) {
            Context context = vertx.getOrCreateContext();
            List<String> items = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                items.add(loop + "-" + i);
            }
            sent.addAll(items);
            Promise<Void> submitted = Promise.promise();
            context.runOnContext(v -> {
                items.forEach(item -> answers.add(commit.submit(item)));
                submitted.complete();
            });
            loops.add(submitted.future());
        }
        Future.all(loops).await();
        List<String> results = Future.all(new ArrayList<>(answers)).await().list();
        assertEquals(sent.size(), results.size());
        assertEquals(new HashSet<>(sent.stream().map(s -> s + "!").toList()), new HashSet<>(results));
        assertEquals(sent.size(), written.size(), "nothing written twice");
        assertEquals(new HashSet<>(sent), new HashSet<>(written));
        assertTrue(mostInFlight.get() <= 3, "batches in flight at once: " + mostInFlight.get());
        assertTrue(largest.get() <= 16 && largest.get() > 1, "largest batch: " + largest.get());
    }

    @Test
    void closingFailsTheWaitingRequestsAndEveryLaterOne() {
        GroupCommit<String, String> commit = groupCommit(64, 1, BOUND_MS);
        Future<String> inFlight = commit.submit("a");
        Future<String> waiting = commit.submit("b");
        IllegalStateException closing = new IllegalStateException("closing");
        commit.close(closing);
        assertSame(closing, failureOf(waiting));
        assertSame(closing, failureOf(commit.submit("c")));
        batches.poll().succeed();
        assertEquals("a!", inFlight.await(), "a batch in flight still finishes");
        assertTrue(batches.isEmpty());
    }

    @Test
    void anIsolatingWriterStoresTheGoodItemsOfARefusedBatchInOrderAndFailsOnlyTheBadOne() {
        List<List<String>> statements = new ArrayList<>();
        List<String> stored = new ArrayList<>();
        Function<List<String>, Future<List<String>>> insert = items -> {
            statements.add(List.copyOf(items));
            if (items.stream().anyMatch(item -> item.startsWith("bad"))) {
                return Future.failedFuture(new IllegalArgumentException("refused"));
            }
            stored.addAll(items);
            return Future.succeededFuture(
                    items.stream().map(String::toUpperCase).toList());
        };
        GroupCommit.Writer<String, String> writer =
                GroupCommit.isolating(insert, e -> e instanceof IllegalArgumentException);
        List<String> items = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            items.add(i == 37 ? "bad" : "t" + i);
        }
        List<AsyncResult<String>> outcomes = writer.write(items).await();

        assertEquals(64, outcomes.size());
        for (int i = 0; i < 64; i++) {
            if (i == 37) {
                assertEquals("refused", outcomes.get(i).cause().getMessage());
            } else {
                assertEquals("T" + i, outcomes.get(i).result(), "item " + i);
            }
        }
        List<String> good = new ArrayList<>(items);
        good.remove("bad");
        assertEquals(good, stored, "the good items are stored, in the batch's order");
        assertTrue(statements.size() <= 1 + 2 * 6, "halving: " + statements.size() + " statements");
    }

    @Test
    void anIsolatingWriterFailsTheWholeBatchForAFailureThatIsNoItemsFault() {
        AtomicInteger statements = new AtomicInteger();
        GroupCommit.Writer<String, String> writer = GroupCommit.isolating(
                items -> {
                    statements.incrementAndGet();
                    return Future.failedFuture(new IllegalStateException("connection closed"));
                },
                e -> e instanceof IllegalArgumentException);
        Throwable failure = failureOf(writer.write(List.of("a", "b", "c")));
        assertEquals("connection closed", failure.getMessage());
        assertEquals(1, statements.get(), "no retry when the database itself failed");
    }

    @Test
    void anOutageWhileIsolatingFailsOnlyTheItemsNotYetWritten() {
        List<String> stored = new ArrayList<>();
        Function<List<String>, Future<List<String>>> insert = items -> {
            if (items.contains("bad")) {
                return Future.failedFuture(new IllegalArgumentException("refused"));
            }
            if (items.contains("c")) {
                return Future.failedFuture(new IllegalStateException("connection closed"));
            }
            stored.addAll(items);
            return Future.succeededFuture(items);
        };
        List<AsyncResult<String>> outcomes = GroupCommit.isolating(insert, e -> e instanceof IllegalArgumentException)
                .write(List.of("a", "bad", "c", "d"))
                .await();
        assertEquals(List.of("a"), stored);
        assertEquals("a", outcomes.get(0).result(), "written before the outage, so acknowledged");
        assertEquals("refused", outcomes.get(1).cause().getMessage());
        assertEquals("connection closed", outcomes.get(2).cause().getMessage());
        assertEquals("connection closed", outcomes.get(3).cause().getMessage());
    }

    @Test
    void aBatchOfOneThatIsRefusedFailsThatRequest() {
        GroupCommit.Writer<String, String> writer = GroupCommit.isolating(
                items -> Future.failedFuture(new IllegalArgumentException("refused")),
                e -> e instanceof IllegalArgumentException);
        List<AsyncResult<String>> outcomes = writer.write(List.of("bad")).await();
        assertEquals("refused", outcomes.get(0).cause().getMessage());
    }
}
