package dev.taskapi.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.http.ProblemHandler;
import dev.taskapi.testing.RunningService;
import dev.taskapi.testing.ServiceTest;
import dev.taskapi.testing.TestConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The API docs pages over HTTP: what they load and from where, and the Content-Security-Policy that allows exactly
 * that (ApiDocsBrowserIT shows them working in a browser).
 */
class ApiDocsTest extends ServiceTest {
    /** A mirror with a port, a path, a trailing slash and a character HTML must escape. */
    private static final String ASSETS_URL = "http://mirror.example:8081/npm&co/";

    private static final String ASSETS_IN_HTML = "http://mirror.example:8081/npm&amp;co";
    private static final Pattern VERSION = Pattern.compile("[0-9]+\\.[0-9]+\\.[0-9]+");
    private static final Pattern SCRIPT = Pattern.compile("<script([^>]*)>(.*?)</script>", Pattern.DOTALL);

    @Override
    protected Map<String, String> environment() {
        return Map.of("DOCS_ASSETS_URL", ASSETS_URL);
    }

    @Test
    void swaggerUiPageLoadsTheBundleFromTheAssetsAndItsInitScriptFromTheService() {
        HttpResponse<Buffer> page = service.get("/docs").await();
        assertEquals(200, page.statusCode());
        assertEquals("text/html; charset=utf-8", page.getHeader("Content-Type"));
        String html = page.bodyAsString();
        String base = ASSETS_IN_HTML + "/swagger-ui-dist@" + versionIn(html, "swagger-ui-dist");
        assertTrue(html.contains("<link rel=\"stylesheet\" href=\"" + base + "/swagger-ui.css\">"), html);
        assertEquals(List.of(base + "/swagger-ui-bundle.js", "/docs/swagger-init.js"), scriptSources(html));
        assertTrue(html.contains("<title>Task API - Swagger UI</title>"), html);

        HttpResponse<Buffer> init = service.get("/docs/swagger-init.js").await();
        assertEquals(200, init.statusCode());
        assertEquals("text/javascript; charset=utf-8", init.getHeader("Content-Type"));
        assertTrue(init.bodyAsString().contains("url: \"/openapi.json\""), init.bodyAsString());
        assertTrue(init.bodyAsString().contains("SwaggerUIBundle({"), init.bodyAsString());
    }

    @Test
    void redocPageLoadsTheStandaloneBundleFromTheAssetsOverTheServedDocument() {
        HttpResponse<Buffer> page = service.get("/redoc").await();
        assertEquals(200, page.statusCode());
        assertEquals("text/html; charset=utf-8", page.getHeader("Content-Type"));
        String html = page.bodyAsString();
        assertEquals(
                List.of(ASSETS_IN_HTML + "/redoc@" + versionIn(html, "redoc") + "/bundles/redoc.standalone.js"),
                scriptSources(html));
        assertTrue(html.contains("<redoc spec-url=\"/openapi.json\"></redoc>"), html);
        assertTrue(html.contains("<title>Task API - ReDoc</title>"), html);
    }

    @Test
    void contentSecurityPolicyNamesExactlyTheAssetsOrigin() {
        for (String path : List.of("/docs", "/redoc")) {
            Map<String, Set<String>> policy = policy(service.get(path).await().getHeader("Content-Security-Policy"));
            Set<String> hosts = new TreeSet<>();
            policy.values()
                    .forEach(sources ->
                            sources.stream().filter(s -> s.contains("://")).forEach(hosts::add));
            assertEquals(Set.of("http://mirror.example:8081"), hosts, path + ": " + policy);
            assertEquals(Set.of("'none'"), policy.get("default-src"), path);
            assertEquals(Set.of("'self'"), policy.get("connect-src"), path);
            assertEquals(Set.of("'none'"), policy.get("frame-ancestors"), path);
            assertEquals(Set.of("'none'"), policy.get("base-uri"), path);
            assertEquals(Set.of("'none'"), policy.get("object-src"), path);
            assertFalse(policy.get("script-src").contains("'unsafe-inline'"), path);
            assertFalse(policy.get("script-src").contains("'unsafe-eval'"), path);
        }
        assertEquals(
                Set.of("'self'", "http://mirror.example:8081"),
                policy(service.get("/docs").await().getHeader("Content-Security-Policy"))
                        .get("script-src"));
    }

    @Test
    void defaultAssetsAreThePublicCdnFastApiUses() {
        RunningService defaults = RunningService.start(TestConfig.of(models)).await();
        try {
            String html = defaults.get("/redoc").await().bodyAsString();
            assertTrue(
                    html.contains("https://cdn.jsdelivr.net/npm/redoc@" + versionIn(html, "redoc")
                            + "/bundles/redoc.standalone.js"),
                    html);
            assertTrue(defaults.get("/docs")
                    .await()
                    .getHeader("Content-Security-Policy")
                    .contains("script-src 'self' https://cdn.jsdelivr.net;"));
        } finally {
            defaults.stop().await();
        }
    }

    @Test
    void docsDisabledAnswer404AsAnyUnknownRoute() {
        RunningService disabled = RunningService.start(TestConfig.of(models, Map.of("DOCS_ENABLED", "false")))
                .await();
        try {
            for (String path : List.of("/docs", "/docs/swagger-init.js", "/redoc")) {
                HttpResponse<Buffer> r = disabled.get(path).await();
                assertEquals(404, r.statusCode(), path);
                assertEquals(ProblemHandler.PROBLEM_JSON, r.getHeader("Content-Type"), path);
                assertEquals("no resource at " + path, r.bodyAsJsonObject().getString("detail"));
            }
            assertEquals(200, disabled.get("/openapi.json").await().statusCode());
        } finally {
            disabled.stop().await();
        }
    }

    @Test
    void htmlEscapesWhatItInterpolates() {
        assertEquals("a&amp;b&lt;/script&gt;&quot;&#39;", ApiDocs.html("a&b</script>\"'"));
    }

    /** The version the page loads {@code npmPackage} at: the one pom.xml pins, filled in by the build. */
    private static String versionIn(String html, String npmPackage) {
        Matcher m =
                Pattern.compile("/" + Pattern.quote(npmPackage) + "@([^/]+)/").matcher(html);
        assertTrue(m.find(), npmPackage + " in " + html);
        assertTrue(VERSION.matcher(m.group(1)).matches(), "a pinned version, got " + m.group(1));
        return m.group(1);
    }

    /** The src of every script, asserting that none is inline. */
    private static List<String> scriptSources(String html) {
        Matcher m = SCRIPT.matcher(html);
        List<String> sources = new ArrayList<>();
        while (m.find()) {
            assertEquals("", m.group(2), "no inline script");
            Matcher src = Pattern.compile("^ src=\"([^\"]+)\"$").matcher(m.group(1));
            assertTrue(src.matches(), m.group(0));
            sources.add(src.group(1));
        }
        return sources;
    }

    private static Map<String, Set<String>> policy(String header) {
        Map<String, Set<String>> policy = new TreeMap<>();
        for (String directive : header.split(";")) {
            String[] parts = directive.trim().split("\\s+");
            policy.put(parts[0], new TreeSet<>(Arrays.asList(parts).subList(1, parts.length)));
        }
        return policy;
    }
}
