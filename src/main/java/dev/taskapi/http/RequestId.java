package dev.taskapi.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code X-Request-Id}: the caller's, when it sent a usable one (1 to 128 visible ASCII characters), else a
 * fresh random one. It is echoed in the response and written into the access log line, so a client's report
 * can be matched to the log.
 */
public final class RequestId implements Handler<RoutingContext> {
    public static final String HEADER = "X-Request-Id";
    private static final String KEY = RequestId.class.getName();
    private static final int MAX_LENGTH = 128;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    @Override
    public void handle(RoutingContext ctx) {
        String id = ctx.request().getHeader(HEADER);
        if (!usable(id)) {
            id = generate();
        }
        ctx.put(KEY, id);
        ctx.response().putHeader(HEADER, id);
        ctx.next();
    }

    /** The request's id, or null where this handler did not run. */
    public static String of(RoutingContext ctx) {
        return ctx.get(KEY);
    }

    static boolean usable(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** 128 random bits as a UUID-shaped string (version 4 layout), without SecureRandom's cost per request. */
    static String generate() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = random.nextLong() & 0xffffffffffff0fffL | 0x0000000000004000L;
        long low = random.nextLong() & 0x3fffffffffffffffL | 0x8000000000000000L;
        char[] out = new char[36];
        int pos = 0;
        for (int i = 0; i < 32; i++) {
            if (i == 8 || i == 12 || i == 16 || i == 20) {
                out[pos++] = '-';
            }
            long word = i < 16 ? high : low;
            int shift = 60 - 4 * (i % 16);
            out[pos++] = HEX[(int) (word >>> shift) & 0xf];
        }
        return new String(out);
    }
}
