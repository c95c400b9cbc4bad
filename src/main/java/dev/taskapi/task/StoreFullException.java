package dev.taskapi.task;

/** The store cannot take more: the operation changed nothing. */
public final class StoreFullException extends TaskException {
    public StoreFullException(String message) {
        super(message, null);
    }
}
