package dev.taskapi.task;

/**
 * A task operation refused or not carried out, for a reason the caller should be told. Each kind carries only
 * what the failure is about; how a client hears of it is up to the layer that serves the client. No stack trace:
 * these are answers, not faults.
 */
public abstract sealed class TaskException extends RuntimeException
        permits InvalidTaskException, StoreFullException, StoreUnavailableException, TaskNotFoundException {

    TaskException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
