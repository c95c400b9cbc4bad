package dev.taskapi.task.postgres;

import dev.taskapi.task.InvalidTaskException;
import dev.taskapi.task.StoreUnavailableException;
import dev.taskapi.task.TaskException;
import io.vertx.pgclient.PgException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * What a database failure means for the request that met it, from one table of SQLSTATEs: a value the
 * database refuses (422, that request's own fault: the validator normally stops it first, but the database's
 * constraints are the last word), a statement this service got wrong (left as it is, so it becomes a logged 500),
 * or the database being down, restarting, overloaded, slow or refusing us (503).
 */
final class DatabaseFailures {
    enum Meaning {
        /** The request's data breaks a rule of the table: 422 for that request alone (a batch isolates it). */
        REFUSED_VALUE,
        /** A statement this service got wrong: a 500, with the failure in the log. */
        OWN_FAULT
    }

    /**
     * SQLSTATEs, exact codes first, then two-character classes; any other database error means unavailable.
     * 23502 not-null and 23514 check violations and class 22 data exceptions (a value too long, out of range or
     * not valid in the encoding) come from a row's values; the other integrity violations (the only unique key
     * is the generated id), syntax and access rules (42) are ours.
     */
    private static final Map<String, Meaning> BY_SQLSTATE = Map.of(
            "23502", Meaning.REFUSED_VALUE,
            "23514", Meaning.REFUSED_VALUE,
            "22", Meaning.REFUSED_VALUE,
            "23", Meaning.OWN_FAULT,
            "42", Meaning.OWN_FAULT);
    /** PostgreSQL's name for a column's CHECK constraint: {@code <table>_<column>_check}. */
    private static final Pattern COLUMN_CHECK = Pattern.compile("tasks_([a-z_]+)_check");

    private DatabaseFailures() {}

    /** The meaning of a database error; null when it means the database is unavailable. */
    static Meaning meaning(Throwable failure) {
        if (!(failure instanceof PgException pg) || pg.getSqlState() == null) {
            return null;
        }
        String state = pg.getSqlState();
        Meaning exact = BY_SQLSTATE.get(state);
        return exact != null ? exact : BY_SQLSTATE.get(state.length() < 2 ? "" : state.substring(0, 2));
    }

    /** True if one request's values caused the failure, so that a batch should find that request and go on. */
    static boolean isRefusedValue(Throwable failure) {
        return meaning(failure) == Meaning.REFUSED_VALUE;
    }

    /**
     * The failure as clients should see it: an invalid task naming the field (422), the store unavailable (503)
     * with a message that says what kind of trouble, without the database's address or messages (those are for
     * readiness and the log), the failure itself if it is ours (500), and a failure that already is a task
     * failure as it is.
     */
    static Throwable toProblem(Throwable failure, long boundMillis) {
        if (failure instanceof TaskException) {
            return failure;
        }
        Meaning meaning = meaning(failure);
        if (meaning == Meaning.OWN_FAULT) {
            return failure;
        }
        if (meaning == Meaning.REFUSED_VALUE) {
            PgException pg = (PgException) failure;
            return new InvalidTaskException(List.of(new InvalidTaskException.Violation(
                    field(pg), "the task database refused the value (" + rule(pg) + ")")));
        }
        String kind = failure instanceof PgException pg
                ? "it refused the request, SQLSTATE " + pg.getSqlState()
                : isTimeout(failure)
                        ? "no answer within " + boundMillis + " ms"
                        : tlsReason(failure) != null ? "its TLS connection failed" : "cannot reach it";
        return new StoreUnavailableException("the task database is unavailable (" + kind + "); retry later", failure);
    }

    /** A short reason for readiness and the log. */
    static String reason(Throwable failure, long boundMillis) {
        if (failure instanceof PgException pg) {
            return pg.getErrorMessage() + " [SQLSTATE " + pg.getSqlState() + "]";
        }
        if (isTimeout(failure)) {
            return "no answer within " + boundMillis + " ms";
        }
        String tls = tlsReason(failure);
        if (tls != null) {
            return tls;
        }
        String message = failure.getMessage();
        return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
    }

    /**
     * What failed in connecting with TLS, in words, from the JDK's and the client's exceptions (their chain): the
     * server's certificate expired or not yet valid, signed by a CA not in PGSSLROOTCERT, issued for another host,
     * or the server not speaking TLS at all; null when the failure is not about TLS.
     */
    static String tlsReason(Throwable failure) {
        boolean handshake = false;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage() == null ? "" : t.getMessage();
            if (t instanceof CertificateExpiredException) {
                return "TLS: the server's certificate has expired (" + message + ")";
            }
            if (t instanceof CertificateNotYetValidException) {
                return "TLS: the server's certificate is not valid yet (" + message + ")";
            }
            if (t instanceof CertPathBuilderException || message.contains("unable to find valid certification path")) {
                return "TLS: the server's certificate is not signed by a trusted CA (unknown CA: not in PGSSLROOTCERT)";
            }
            if (message.startsWith("No subject alternative") || message.startsWith("No name matching")) {
                return "TLS: the server's certificate is for another host name (sslmode=verify-full: " + message + ")";
            }
            if (message.equals("Postgres Server does not handle SSL connection")) {
                return "TLS: the server does not accept TLS connections (sslmode requires TLS; is ssl=on set?)";
            }
            handshake |= t instanceof SSLException || message.equals("SSL handshake failed");
        }
        return handshake ? "TLS: the handshake failed (" + failure.getMessage() + ")" : null;
    }

    /** The column the database names, or the one its CHECK constraint is named after, else the whole task. */
    private static String field(PgException pg) {
        if (pg.getColumn() != null) {
            return pg.getColumn();
        }
        Matcher check = pg.getConstraint() == null ? null : COLUMN_CHECK.matcher(pg.getConstraint());
        return check != null && check.matches() ? check.group(1) : "task";
    }

    /** The rule by name (the constraint) or kind (the SQLSTATE), never the database's message, which quotes the row. */
    private static String rule(PgException pg) {
        return pg.getConstraint() != null ? "constraint " + pg.getConstraint() : "SQLSTATE " + pg.getSqlState();
    }

    /** Our own bound ({@code Future.timeout}, a request's bound) or the pool's wait for a connection ("Timeout"). */
    private static boolean isTimeout(Throwable failure) {
        return failure instanceof TimeoutException
                || failure.getClass().getSimpleName().contains("Timeout")
                || "Timeout".equals(failure.getMessage());
    }
}
