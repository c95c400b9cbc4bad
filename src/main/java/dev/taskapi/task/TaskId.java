package dev.taskapi.task;

import java.util.OptionalLong;

/** Task ids are {@code task_<n>}, n a positive number that is never reused. */
public final class TaskId {
    private static final String PREFIX = "task_";

    private TaskId() {}

    public static String format(long number) {
        return PREFIX + number;
    }

    /** The number in an id, or empty for anything that is not an id this service could have issued. */
    public static OptionalLong parse(String id) {
        if (id == null
                || !id.startsWith(PREFIX)
                || id.length() == PREFIX.length()
                || id.length() > PREFIX.length() + 18) {
            return OptionalLong.empty();
        }
        long n = 0;
        for (int i = PREFIX.length(); i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < '0' || c > '9' || (i == PREFIX.length() && c == '0')) {
                return OptionalLong.empty();
            }
            n = n * 10 + (c - '0');
        }
        return OptionalLong.of(n);
    }
}
