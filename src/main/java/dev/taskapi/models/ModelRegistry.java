package dev.taskapi.models;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The models under MODELS_DIR, kept current without a restart. All file work runs on one dedicated worker
 * thread, never on an event loop. Every poll interval the directory is listed (names, sizes, modification
 * times); a change is applied only once the listing has stayed the same for one more interval, so a file
 * still being copied is not hashed half-written. Readers always see the last complete scan.
 */
public final class ModelRegistry {
    private static final Logger LOG = Logger.getLogger(ModelRegistry.class.getName());

    private final Vertx vertx;
    private final ModelScanner scanner;
    private final Duration pollInterval;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final Queue<Promise<ModelSnapshot>> pollWatchers = new ConcurrentLinkedQueue<>();
    private volatile ModelSnapshot snapshot = ModelSnapshot.NOT_SCANNED;
    // Worker-thread state. applied is null until a listing has been applied: a failed first listing applies
    // nothing, so the next good listing replaces it even when it is empty.
    private Map<String, ModelScanner.Entry> applied;
    private Map<String, ModelScanner.Entry> lastSeen = Map.of();
    private String listingFailure;
    private WorkerExecutor worker;
    private volatile Future<?> inFlight = Future.succeededFuture();
    private long timerId = -1;

    public ModelRegistry(Vertx vertx, ModelScanner scanner, Duration pollInterval) {
        this.vertx = vertx;
        this.scanner = scanner;
        this.pollInterval = pollInterval;
    }

    /**
     * Starts the first scan and the polling; the future completes when the first scan has. A first scan that
     * fails is logged and reported by readiness here, whether or not the caller looks at the future.
     */
    public Future<ModelSnapshot> start() {
        worker = vertx.createSharedWorkerExecutor("models-" + System.identityHashCode(this), 1, 24, TimeUnit.HOURS);
        busy.set(true);
        Future<ModelSnapshot> first = worker.executeBlocking(this::firstScan)
                .onFailure(e -> LOG.log(Level.SEVERE, "the first scan of MODELS_DIR " + scanner.root() + " failed", e))
                .onComplete(done -> busy.set(false));
        inFlight = first;
        timerId = vertx.setPeriodic(pollInterval.toMillis(), id -> poll());
        return first;
    }

    /** The last completed scan; readiness is {@link ModelSnapshot#ready()}, its problems say why not. */
    public ModelSnapshot snapshot() {
        return snapshot;
    }

    /**
     * Completes when a poll of the directory has finished after this call (the one under way, if any, or the
     * next): it has listed the directory and, if the listing changed and settled, scanned it. Completes with the
     * snapshot then current, whether that poll succeeded or not (a failure is logged); never completes once the
     * registry is stopped.
     */
    public Future<ModelSnapshot> nextPoll() {
        Promise<ModelSnapshot> polled = Promise.promise();
        pollWatchers.add(polled);
        return polled.future();
    }

    /** Stops polling; completes once the scan under way, if any, has finished and the worker is closed. */
    public Future<Void> stop() {
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
        }
        return worker == null ? Future.succeededFuture() : inFlight.transform(scanned -> worker.close());
    }

    private ModelSnapshot firstScan() {
        try {
            Map<String, ModelScanner.Entry> listing = tryList();
            if (listing == null) {
                snapshot = ModelSnapshot.failed("cannot list MODELS_DIR " + scanner.root() + ": " + listingFailure);
                return snapshot;
            }
            return apply(listing);
        } catch (RuntimeException e) {
            snapshot = ModelSnapshot.failed("cannot scan MODELS_DIR " + scanner.root() + ": " + e);
            throw e;
        }
    }

    private void poll() {
        if (!busy.compareAndSet(false, true)) {
            return;
        }
        inFlight = worker.executeBlocking(() -> {
                    Map<String, ModelScanner.Entry> listing = tryList();
                    if (listing == null) {
                        return null;
                    }
                    boolean changed = !listing.equals(applied);
                    boolean settled = listing.equals(lastSeen);
                    lastSeen = listing;
                    return changed && settled ? apply(listing) : null;
                })
                .onComplete(done -> {
                    busy.set(false);
                    if (done.failed()) {
                        LOG.log(Level.WARNING, "models rescan failed", done.cause());
                    }
                    for (Promise<ModelSnapshot> watcher; (watcher = pollWatchers.poll()) != null; ) {
                        watcher.complete(snapshot);
                    }
                });
    }

    private ModelSnapshot apply(Map<String, ModelScanner.Entry> listing) {
        ModelSnapshot next = scanner.scan(listing, snapshot, applied == null ? Map.of() : applied);
        applied = listing;
        lastSeen = listing;
        snapshot = next;
        LOG.info(() -> "models: " + next.models().size() + " file(s) in " + scanner.root()
                + (next.problems().isEmpty() ? "" : "; problems: " + String.join("; ", next.problems()))
                + (next.skipped().isEmpty() ? "" : "; skipped: " + String.join("; ", next.skipped())));
        return next;
    }

    /**
     * The listing, or null when the directory cannot be read; the last snapshot then stands. A failure is
     * logged when it starts or changes, not at every poll.
     */
    private Map<String, ModelScanner.Entry> tryList() {
        try {
            Map<String, ModelScanner.Entry> listing = scanner.list();
            if (listingFailure != null) {
                LOG.info(() -> "MODELS_DIR " + scanner.root() + " can be listed again");
                listingFailure = null;
            }
            return listing;
        } catch (UncheckedIOException e) {
            String failure = e.getCause().toString();
            if (!failure.equals(listingFailure)) {
                LOG.log(Level.WARNING, e.getMessage() + ": " + failure);
            }
            listingFailure = failure;
            return null;
        }
    }
}
