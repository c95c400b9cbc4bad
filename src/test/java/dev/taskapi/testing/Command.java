package dev.taskapi.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs an external program (podman, kubectl, scripts) for the tests, with a time limit. */
public final class Command {
    private Command() {}

    public record Result(int code, String out, String err) {
        /** This result, or an assertion failure naming {@code what} with the program's output. */
        public Result check(String what) {
            if (code != 0) {
                throw new AssertionError(what + " failed (exit " + code + "): " + err.strip() + " " + out.strip());
            }
            return this;
        }
    }

    /** Runs {@code command} in {@code dir} (null: the current one) with {@code env} added to the environment. */
    public static Result exec(File dir, Map<String, String> env, Duration timeout, List<String> command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir);
            builder.environment().putAll(env);
            Process p = builder.start();
            p.getOutputStream().close();
            CompletableFuture<String> out = drain(p.getInputStream());
            CompletableFuture<String> err = drain(p.getErrorStream());
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout);
            }
            return new Result(p.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    public static Result exec(Duration timeout, List<String> command) {
        return exec(null, Map.of(), timeout, command);
    }

    /** Whether the program exists and exits 0 within a minute. */
    public static boolean works(String... command) {
        try {
            return exec(Duration.ofSeconds(60), List.of(command)).code() == 0;
        } catch (AssertionError e) {
            return false;
        }
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }
}
