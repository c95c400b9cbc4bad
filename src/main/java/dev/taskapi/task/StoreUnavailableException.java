package dev.taskapi.task;

/** The store cannot be reached or did not answer in time: retrying later may succeed. */
public final class StoreUnavailableException extends TaskException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
