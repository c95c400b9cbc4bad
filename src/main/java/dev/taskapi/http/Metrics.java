package dev.taskapi.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;
import java.util.EnumSet;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Prometheus metrics: Vert.x HTTP server metrics labelled by route, method and status, plus JVM metrics. */
public final class Metrics {
    /**
     * Micrometer (1.13.9 and later) warns the first time any gauge is registered a second time. Vert.x's metrics
     * register their connection gauges again for every new connection, on purpose: each registration returns the
     * one counter kept per meter id, so the gauge stays right (MetricsTest counts connections through it). The
     * warning is known upstream (github.com/vert-x3/vertx-micrometer-metrics/issues/259,
     * github.com/micrometer-metrics/micrometer/issues/6931) and says nothing an operator can act on, so this
     * logger drops exactly that message for Vert.x's own meters; every other message of Micrometer's registry,
     * gauges of other names included, still reaches the log.
     */
    private static final Logger MICROMETER_REGISTRY = Logger.getLogger("io.micrometer.core.instrument.MeterRegistry");

    private static final String VERTX_GAUGE_REREGISTERED =
            "This Gauge has been already registered (MeterId{name='vertx.";

    private Metrics() {}

    public static VertxOptions vertxOptions() {
        MICROMETER_REGISTRY.setFilter(Metrics::isNotVertxGaugeReRegistration);
        return new VertxOptions()
                .setMetricsOptions(new MicrometerMetricsOptions()
                        .setEnabled(true)
                        .setJvmMetricsEnabled(true)
                        .setLabels(EnumSet.of(
                                Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE, Label.POOL_TYPE, Label.POOL_NAME))
                        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));
    }

    static boolean isNotVertxGaugeReRegistration(LogRecord record) {
        String message = record.getMessage();
        return message == null || !message.startsWith(VERTX_GAUGE_REREGISTERED);
    }

    /** The scraping handler of this Vert.x instance's Prometheus registry, resolved once, when routes are built. */
    public static Handler<RoutingContext> scrapingHandler() {
        MeterRegistry registry = BackendRegistries.getDefaultNow();
        if (registry instanceof PrometheusMeterRegistry prometheus) {
            return PrometheusScrapingHandler.create(prometheus);
        }
        return ctx -> ctx.fail(new ProblemException(503, "metrics are not enabled in this Vert.x instance"));
    }
}
