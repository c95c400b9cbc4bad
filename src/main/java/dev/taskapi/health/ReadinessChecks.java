package dev.taskapi.health;

import dev.taskapi.models.ModelRegistry;
import dev.taskapi.models.ModelSnapshot;
import dev.taskapi.task.TaskStore;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import java.util.List;

/**
 * The features' own answers to "can you serve?" as vertx-health-check procedures for {@link HealthHandlers}: UP
 * or DOWN, and the data readiness shows, with a {@code reason} when DOWN.
 */
public final class ReadinessChecks {
    private ReadinessChecks() {}

    /** UP while the store can serve; DOWN with the store's reason otherwise. */
    public static Handler<Promise<Status>> tasks(TaskStore store) {
        return promise -> store.checkReadiness()
                .onComplete(ready -> promise.tryComplete(
                        ready.succeeded()
                                ? Status.OK()
                                : Status.KO(new JsonObject()
                                        .put("reason", ready.cause().getMessage()))));
    }

    /**
     * UP once the last scan found nothing wrong; DOWN with the problems otherwise. The count, the time of the scan
     * and the entries it skipped (unreadable, symbolic links not followed) are shown either way.
     */
    public static Handler<Promise<Status>> models(ModelRegistry registry) {
        return promise -> promise.complete(models(registry.snapshot()));
    }

    static Status models(ModelSnapshot snapshot) {
        JsonObject data =
                new JsonObject().put("count", snapshot.models().size()).put("scanned_at", snapshot.scannedAt());
        List<String> skipped = snapshot.skipped();
        if (!skipped.isEmpty()) {
            data.put("skipped", new JsonArray(skipped));
        }
        if (snapshot.ready()) {
            return Status.OK(data);
        }
        return Status.KO(data.put("reason", String.join("; ", snapshot.problems()))
                .put("problems", new JsonArray(snapshot.problems())));
    }
}
