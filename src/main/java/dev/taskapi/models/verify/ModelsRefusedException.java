package dev.taskapi.models.verify;

/** The install cannot go on; the message is the one line the installer prints, naming the cause. */
final class ModelsRefusedException extends RuntimeException {
    ModelsRefusedException(String message) {
        super(message);
    }

    ModelsRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
