package dev.taskapi.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;

class InFlightLimitTest {
    @Test
    void requestsWithinTheBudgetAreAdmittedAtOnce() {
        InFlightLimit limit = new InFlightLimit(3, 1);
        assertEquals(1, limit.acquire(1).result());
        assertEquals(2, limit.acquire(2).result());
        assertEquals(3, limit.inFlight());
    }

    @Test
    void aRequestBeyondTheBudgetWaitsUntilAnEarlierOneIsReleased() {
        InFlightLimit limit = new InFlightLimit(2, 4);
        limit.acquire(2);
        Future<Integer> waiting = limit.acquire(1);
        assertFalse(waiting.isComplete());
        assertEquals(1, limit.waiting());

        limit.release(2);
        assertEquals(1, waiting.result());
        assertEquals(1, limit.inFlight());
        assertEquals(0, limit.waiting());
    }

    @Test
    void waitingRequestsAreAdmittedInOrderEvenWhenALaterOneWouldFit() {
        InFlightLimit limit = new InFlightLimit(3, 4);
        limit.acquire(2);
        Future<Integer> large = limit.acquire(3);
        Future<Integer> small = limit.acquire(1); // would fit beside the first, but waits behind the large one
        assertFalse(small.isComplete());

        limit.release(2);
        assertTrue(large.succeeded());
        assertFalse(small.isComplete());
        limit.release(3);
        assertTrue(small.succeeded());
    }

    @Test
    void oneHeavierThanTheBudgetIsAdmittedAloneAsTheWholeBudget() {
        InFlightLimit limit = new InFlightLimit(3, 4);
        assertEquals(3, limit.acquire(1000).result());
        Future<Integer> next = limit.acquire(1);
        assertFalse(next.isComplete());
        limit.release(3);
        assertTrue(next.succeeded());
        assertEquals(1, limit.acquire(0).result(), "every request weighs at least 1");
    }

    @Test
    void aFullWaitingLineRefusesTheNextWithA503() {
        InFlightLimit limit = new InFlightLimit(1, 1);
        limit.acquire(1);
        limit.acquire(1);
        Future<Integer> refused = limit.acquire(1);
        assertTrue(refused.failed());
        ProblemException problem = assertInstanceOf(ProblemException.class, refused.cause());
        assertEquals(503, problem.status());
        assertTrue(problem.getMessage().contains("1 more are waiting"), problem.getMessage());
        assertEquals(1, limit.waiting(), "the refused one does not wait");
    }

    @Test
    void workHoldsItsUnitsUntilItsFutureCompletesHoweverItEnds() {
        InFlightLimit limit = new InFlightLimit(2, 4);
        Promise<String> slow = Promise.promise();
        Future<String> running = limit.run(2, slow::future);
        assertEquals(2, limit.inFlight());
        slow.complete("page");
        assertEquals("page", running.result());
        assertEquals(0, limit.inFlight());

        Future<String> failed = limit.run(2, () -> Future.failedFuture(new IllegalStateException("query failed")));
        assertEquals("query failed", failed.cause().getMessage());
        Future<String> threw = limit.run(2, () -> {
            throw new IllegalStateException("thrown");
        });
        assertEquals("thrown", threw.cause().getMessage());
        assertEquals(0, limit.inFlight(), "nothing is held after failures");
    }

    @Test
    void refusedWorkIsNeverRun() {
        InFlightLimit limit = new InFlightLimit(1, 0);
        limit.acquire(1);
        Future<String> refused = limit.run(1, () -> {
            throw new AssertionError("ran although refused");
        });
        assertEquals(
                503, assertInstanceOf(ProblemException.class, refused.cause()).status());
    }

    @Test
    void aBudgetOrLineThatCannotAdmitAnythingIsRefusedAtConstruction() {
        assertThrows(IllegalArgumentException.class, () -> new InFlightLimit(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new InFlightLimit(1, -1));
    }
}
