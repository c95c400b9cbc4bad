package dev.taskapi.config;

import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Reading one environment variable the way every command of the image does: blank means unset (the fallback), a
 * value is trimmed, and one that cannot be read is an {@link InvalidConfigException} naming the variable.
 */
public final class EnvVariables {
    private EnvVariables() {}

    public static String string(Map<String, String> env, String name, String fallback) {
        String value = env.get(name);
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    public static <T> T parse(Map<String, String> env, String name, T fallback, Function<String, T> parser) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return parser.apply(value.trim());
        } catch (RuntimeException e) {
            throw new InvalidConfigException(name + ": cannot read '" + value + "' (" + e.getMessage() + ")");
        }
    }

    public static boolean parseBoolean(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new IllegalArgumentException("expected true or false");
        };
    }
}
