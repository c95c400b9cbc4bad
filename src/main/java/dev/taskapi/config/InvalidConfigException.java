package dev.taskapi.config;

/** A configuration value breaks its rule; the message starts with the variable's name. */
public final class InvalidConfigException extends IllegalArgumentException {
    public InvalidConfigException(String message) {
        super(message);
    }
}
