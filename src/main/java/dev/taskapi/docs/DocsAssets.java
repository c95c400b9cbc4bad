package dev.taskapi.docs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Locale;
import java.util.Properties;

/**
 * Where the docs pages load Swagger UI and ReDoc from: {@code base} (DOCS_ASSETS_URL, no trailing slash) laid out
 * as the npm CDNs are, {@code <base>/<package>@<version>/<path>}, at the versions pom.xml pins (filtered into
 * {@code /docs-assets.properties}).
 */
public record DocsAssets(URI base, String swaggerUiVersion, String redocVersion) {
    public static final String RESOURCE = "/docs-assets.properties";

    /** The assets at {@code base}, at the versions this build pins. */
    public static DocsAssets at(URI base) {
        Properties versions = new Properties();
        try (InputStream in = DocsAssets.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            versions.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new DocsAssets(base, versions.getProperty("swagger-ui-dist"), versions.getProperty("redoc"));
    }

    public String swaggerUiBundle() {
        return file("swagger-ui-dist", swaggerUiVersion, "swagger-ui-bundle.js");
    }

    public String swaggerUiCss() {
        return file("swagger-ui-dist", swaggerUiVersion, "swagger-ui.css");
    }

    public String swaggerUiFavicon() {
        return file("swagger-ui-dist", swaggerUiVersion, "favicon-32x32.png");
    }

    public String redocStandalone() {
        return file("redoc", redocVersion, "bundles/redoc.standalone.js");
    }

    /** scheme://host[:port] of {@code base}: the one source the pages' Content-Security-Policy adds to 'self'. */
    public String origin() {
        String origin = base.getScheme().toLowerCase(Locale.ROOT) + "://"
                + base.getHost().toLowerCase(Locale.ROOT);
        return base.getPort() == -1 ? origin : origin + ":" + base.getPort();
    }

    private String file(String npmPackage, String version, String path) {
        return base + "/" + npmPackage + "@" + version + "/" + path;
    }
}
