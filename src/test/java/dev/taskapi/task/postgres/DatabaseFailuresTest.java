package dev.taskapi.task.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.http.ProblemHandler;
import dev.taskapi.task.InvalidTaskException;
import dev.taskapi.task.StoreUnavailableException;
import io.vertx.core.VertxException;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one table that says what a database failure means for the request: 422, a logged 500, or 503. */
class DatabaseFailuresTest {
    static PgException error(String sqlState, String column, String constraint) {
        return new PgException(
                "the server's message, quoting (the, failing, row)",
                "ERROR",
                sqlState,
                "Failing row contains",
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                "public",
                "tasks",
                column,
                null,
                constraint);
    }

    @ParameterizedTest(name = "SQLSTATE {0} -> {1}")
    @CsvSource({
        "23514, 422",
        "23502, 422",
        "22001, 422",
        "22021, 422",
        "22P05, 422",
        "22003, 422",
        "23505, 500",
        "23503, 500",
        "42601, 500",
        "42501, 500",
        "08006, 503",
        "57P01, 503",
        "53300, 503",
        "28P01, 503",
        "40001, 503"
    })
    void eachSqlStateHasOneMeaning(String sqlState, int status) {
        Throwable problem = DatabaseFailures.toProblem(error(sqlState, null, null), 2000);
        int got = status(problem);
        assertEquals(status, got, problem.toString());
        assertEquals(status == 422, DatabaseFailures.isRefusedValue(error(sqlState, null, null)));
    }

    @Test
    void aRefusedValueIsA422NamingTheFieldAndTheRuleButNotTheRow() {
        InvalidTaskException check = assertInstanceOf(
                InvalidTaskException.class,
                DatabaseFailures.toProblem(error("23514", null, "tasks_title_check"), 2000));
        assertEquals("title", check.violations().get(0).field());
        assertTrue(check.getMessage().contains("constraint tasks_title_check"), check.getMessage());
        assertFalse(check.getMessage().contains("failing"), "the row stays out of the response: " + check.getMessage());

        InvalidTaskException notNull = assertInstanceOf(
                InvalidTaskException.class, DatabaseFailures.toProblem(error("23502", "priority", null), 2000));
        assertEquals("priority", notNull.violations().get(0).field());

        InvalidTaskException encoding = assertInstanceOf(
                InvalidTaskException.class, DatabaseFailures.toProblem(error("22021", null, null), 2000));
        assertEquals("task", encoding.violations().get(0).field());
        assertTrue(encoding.getMessage().contains("SQLSTATE 22021"), encoding.getMessage());
    }

    @Test
    void ourOwnFaultsStayAsTheyAreAndBecomeALogged500() {
        PgException syntax = error("42601", null, null);
        assertSame(syntax, DatabaseFailures.toProblem(syntax, 2000));
    }

    @Test
    void anUnavailableDatabaseIsA503ThatSaysWhatKindOfTrouble() {
        assertUnavailable(new TimeoutException("no answer"), "no answer within 2000 ms");
        assertUnavailable(new VertxException("Timeout", true), "no answer within 2000 ms");
        assertUnavailable(new VertxException("Connection refused: /127.0.0.1:5432", true), "cannot reach it");
        assertUnavailable(error("57P01", null, null), "SQLSTATE 57P01");
    }

    @Test
    void aTlsFailureIsA503AndReadinessSaysWhatFailedInWords() throws Exception {
        assertUnavailable(new VertxException("SSL handshake failed", true), "its TLS connection failed");
        assertEquals(
                "TLS: the server's certificate has expired (NotAfter: 2021)",
                DatabaseFailures.reason(
                        new SSLHandshakeException("PKIX path validation failed")
                                .initCause(new CertificateExpiredException("NotAfter: 2021")),
                        2000));
        assertEquals(
                "TLS: the server's certificate is not signed by a trusted CA (unknown CA: not in PGSSLROOTCERT)",
                DatabaseFailures.reason(
                        new CertificateException("PKIX path building failed: unable to find valid certification path to"
                                + " requested target"),
                        2000));
        assertEquals(
                "TLS: the server's certificate is for another host name (sslmode=verify-full: No subject alternative"
                        + " DNS name matching db.internal found.)",
                DatabaseFailures.reason(
                        new CertificateException("No subject alternative DNS name matching db.internal found."), 2000));
        assertEquals(
                "TLS: the server does not accept TLS connections (sslmode requires TLS; is ssl=on set?)",
                DatabaseFailures.reason(new Exception("Postgres Server does not handle SSL connection"), 2000));
        assertEquals(
                "Connection refused: /127.0.0.1:5432",
                DatabaseFailures.reason(new VertxException("Connection refused: /127.0.0.1:5432", true), 2000),
                "not about TLS");
    }

    @Test
    void aFailureThatAlreadyHasItsStatusKeepsIt() {
        StoreUnavailableException closing = new StoreUnavailableException("shutting down", null);
        assertSame(closing, DatabaseFailures.toProblem(closing, 2000));
    }

    private static void assertUnavailable(Throwable failure, String kind) {
        StoreUnavailableException problem =
                assertInstanceOf(StoreUnavailableException.class, DatabaseFailures.toProblem(failure, 2000));
        assertEquals(503, status(problem));
        assertTrue(
                problem.getMessage().contains(kind) && problem.getMessage().endsWith("retry later"),
                problem.getMessage());
        assertFalse(problem.getMessage().contains("5432"), problem.getMessage());
    }

    /** The status a client is answered with: the failure's row in the ProblemHandler's table, else a logged 500. */
    private static int status(Throwable problem) {
        JsonObject document = ProblemHandler.domainProblem(problem);
        return document == null ? 500 : document.getInteger("status");
    }
}
