package dev.taskapi.docs;

import dev.taskapi.http.OpenApi;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The interactive API docs, as FastAPI serves them for every app: Swagger UI at {@code /docs} and ReDoc at
 * {@code /redoc}, two small pages over {@code /openapi.json} that load the UIs' bundles from {@link DocsAssets}. The
 * pages carry no inline script (Swagger UI's init script is {@code /docs/swagger-init.js}), so each can be sent with
 * a Content-Security-Policy that allows only this service and the assets' origin. Everything is rendered once, here.
 */
public final class ApiDocs {
    static final String SPEC_URL = "/openapi.json";
    static final String SWAGGER_INIT_URL = "/docs/swagger-init.js";

    /** Swagger UI over the document; "Try it out" calls this origin (the document names no servers). */
    private static final String SWAGGER_INIT = """
      window.ui = SwaggerUIBundle({
        url: "%s",
        dom_id: "#swagger-ui",
        layout: "BaseLayout",
        deepLinking: true,
        showExtensions: true,
        showCommonExtensions: true,
        validatorUrl: null,
        presets: [SwaggerUIBundle.presets.apis],
      });
      """.formatted(SPEC_URL);

    private final Buffer swaggerUiPage;
    private final String swaggerUiPolicy;
    private final Buffer swaggerInit = Buffer.buffer(SWAGGER_INIT);
    private final Buffer redocPage;
    private final String redocPolicy;

    public ApiDocs(DocsAssets assets) {
        String title = new JsonObject(OpenApi.document()).getJsonObject("info").getString("title");
        String origin = assets.origin();
        swaggerUiPage = Buffer.buffer("""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>%s - Swagger UI</title>
        <link rel="stylesheet" href="%s">
        <link rel="icon" type="image/png" href="%s">
        </head>
        <body>
        <div id="swagger-ui"></div>
        <script src="%s"></script>
        <script src="%s"></script>
        </body>
        </html>
        """.formatted(
                        html(title),
                        html(assets.swaggerUiCss()),
                        html(assets.swaggerUiFavicon()),
                        html(assets.swaggerUiBundle()),
                        html(SWAGGER_INIT_URL)));
        // In Chromium, taking away any source below makes the page report a violation; ApiDocsBrowserIT checks that the
        // pages work with no other. What is not listed falls back to default-src 'none'.
        swaggerUiPolicy = String.join(
                "; ",
                "default-src 'none'", // nothing that is not allowed below
                "script-src 'self' " + origin, // swagger-ui-bundle.js from the assets, its init script from here
                "style-src " + origin, // swagger-ui.css; Swagger UI injects no <style>
                "img-src " + origin + " data:", // the favicon; swagger-ui.css draws its icons as data: SVGs
                "connect-src 'self'", // fetching /openapi.json, and "Try it out"
                "frame-ancestors 'none'", // no page may frame the docs (clickjacking)
                "base-uri 'none'", // no <base> may redirect the pages' relative URLs
                "object-src 'none'"); // no plugins
        redocPage = Buffer.buffer("""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>%s - ReDoc</title>
        <link rel="icon" href="data:,">
        <style>body { margin: 0; padding: 0; }</style>
        </head>
        <body>
        <noscript>ReDoc needs JavaScript to show the API documentation.</noscript>
        <redoc spec-url="%s"></redoc>
        <script src="%s"></script>
        </body>
        </html>
        """.formatted(html(title), html(SPEC_URL), html(assets.redocStandalone())));
        redocPolicy = String.join(
                "; ",
                "default-src 'none'",
                "script-src " + origin, // redoc.standalone.js; ReDoc needs no script of ours
                // ReDoc styles itself with styled-components, which inject <style> elements; hashes of their text would
                // tie the policy to one build of ReDoc, so inline styles are allowed here (and nowhere else; the page's
                // own
                // <style> only takes away the body's margin, as FastAPI's page does)
                "style-src 'unsafe-inline'",
                // its icons are data: SVGs, and so is the page's (empty) favicon. ReDoc also always asks for Redocly's
                // logo
                // from cdn.redoc.ly, which this blocks (ReDoc then hides it): the page calls no one but this service
                // and
                // the assets
                "img-src data:",
                "connect-src 'self'", // fetching /openapi.json
                "worker-src blob:", // the search index runs in a worker ReDoc starts from a blob: URL
                "frame-ancestors 'none'",
                "base-uri 'none'",
                "object-src 'none'");
    }

    /** GET /docs: Swagger UI. */
    public void swaggerUi(RoutingContext ctx) {
        page(ctx, swaggerUiPage, swaggerUiPolicy);
    }

    /** GET /docs/swagger-init.js: starts Swagger UI on /docs. */
    public void swaggerInit(RoutingContext ctx) {
        ctx.response()
                .putHeader("Content-Type", "text/javascript; charset=utf-8")
                .putHeader("X-Content-Type-Options", "nosniff")
                .end(swaggerInit);
    }

    /** GET /redoc: ReDoc. */
    public void redoc(RoutingContext ctx) {
        page(ctx, redocPage, redocPolicy);
    }

    private static void page(RoutingContext ctx, Buffer page, String policy) {
        ctx.response()
                .putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Content-Security-Policy", policy)
                .putHeader("X-Content-Type-Options", "nosniff")
                .end(page);
    }

    /** Text made safe inside an HTML element or a quoted attribute. */
    static String html(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;")
                .replace("'", "&#39;");
    }
}
