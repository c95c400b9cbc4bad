package dev.taskapi.config;

import static dev.taskapi.config.EnvVariables.parse;
import static dev.taskapi.config.EnvVariables.string;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;

/**
 * The service's configuration, read once at startup from environment variables (README: "Configuration").
 * Every value has a default in code, so an empty environment runs the service. Every rule is checked here,
 * in the constructor, and a broken one names its variable.
 */
public record AppConfig(
        String host,
        int port,
        int instances,
        Path modelsDir,
        boolean modelsRequired,
        Duration modelsPollInterval,
        Duration shutdownDelay,
        Duration shutdownTimeout,
        int maxTasks,
        int memoryStoreHeapPercent,
        boolean accessLog,
        LogFormat logFormat,
        Level logLevel,
        Store store,
        Database database,
        Docs docs) {

    /** Where tasks live: {@code STORE}. */
    public enum Store {
        MEMORY,
        POSTGRES
    }

    /**
     * The PostgreSQL connection ({@code DATABASE_URL} and the {@code PG*} variables) and the client's bounds:
     * pool size, how long connecting may take, and how long a statement (or waiting for a pooled connection)
     * may take before the request fails with 503; and how creates are batched: at most {@code createBatchSize}
     * tasks a statement, at most {@code createBatches} such statements in flight at once; TLS ({@code PGSSLMODE} and
     * the certificates); and whether a pooler in transaction mode ({@code DB_TRANSACTION_POOLER}, e.g. PgBouncer
     * with {@code pool_mode=transaction}) stands between the service and the server.
     */
    public record Database(
            String host,
            int port,
            String name,
            String user,
            String password,
            int poolSize,
            Duration connectTimeout,
            Duration queryTimeout,
            int createBatchSize,
            int createBatches,
            DatabaseTls tls,
            boolean transactionPooler) {
        /**
         * Tasks one create statement may carry. Only a load of more concurrent creates than this reaches it; at 256
         * connections, 32, 128 and 512 measured alike, and 128 keeps even a batch of the longest tasks near 1 MB.
         */
        public static final int DEFAULT_CREATE_BATCH_SIZE = 128;
        /**
         * Create statements in flight at once, when DB_POOL_SIZE allows it: the next batch is on its way while the
         * previous one commits. At 64 connections 2 measured about twice the creates/s of 1, and 4 far fewer
         * (smaller batches, more commits).
         */
        public static final int DEFAULT_CREATE_BATCHES = 2;

        /** The connection and bounds, with creates batched as by default. */
        public Database(
                String host,
                int port,
                String name,
                String user,
                String password,
                int poolSize,
                Duration connectTimeout,
                Duration queryTimeout) {
            this(
                    host,
                    port,
                    name,
                    user,
                    password,
                    poolSize,
                    connectTimeout,
                    queryTimeout,
                    DEFAULT_CREATE_BATCH_SIZE,
                    Math.min(DEFAULT_CREATE_BATCHES, poolSize),
                    DatabaseTls.DEFAULT,
                    false);
        }

        public Database {
            require(!host.isBlank(), "PGHOST", "must not be empty");
            require(port >= 1 && port <= 65535, "PGPORT", "must be 1..65535, got " + port);
            require(!name.isBlank(), "PGDATABASE", "must not be empty");
            require(!user.isBlank(), "PGUSER", "must not be empty");
            require(poolSize >= 1 && poolSize <= 1000, "DB_POOL_SIZE", "must be 1..1000, got " + poolSize);
            require(
                    isPositive(connectTimeout),
                    "DB_CONNECT_TIMEOUT_MS",
                    "must be positive, got " + connectTimeout.toMillis());
            require(
                    isPositive(queryTimeout),
                    "DB_QUERY_TIMEOUT_MS",
                    "must be positive, got " + queryTimeout.toMillis());
            require(
                    createBatchSize >= 1 && createBatchSize <= 1000,
                    "DB_CREATE_BATCH_SIZE",
                    "must be 1..1000, got " + createBatchSize);
            require(
                    createBatches >= 1 && createBatches <= poolSize,
                    "DB_CREATE_BATCHES",
                    "must be 1..DB_POOL_SIZE (" + poolSize + "), got " + createBatches);
        }

        /** Without the password, which must never reach a log. */
        @Override
        public String toString() {
            return "postgresql://" + user + "@" + host + ":" + port + "/" + name + " (" + tls
                    + (transactionPooler ? ", through a transaction pooler" : "") + ")";
        }
    }

    /**
     * The interactive API docs, Swagger UI at {@code /docs} and ReDoc at {@code /redoc} ({@code DOCS_ENABLED}), and
     * where their pages load the UI's scripts and styles from ({@code DOCS_ASSETS_URL}: an absolute http(s) base laid
     * out as the npm CDNs are, {@code <base>/<package>@<version>/<path>}; kept without a trailing slash).
     */
    public record Docs(boolean enabled, URI assetsUrl) {
        /** The public CDN FastAPI loads the same two packages from. */
        public static final String DEFAULT_ASSETS_URL = "https://cdn.jsdelivr.net/npm";

        public Docs {
            String scheme =
                    assetsUrl.getScheme() == null ? "" : assetsUrl.getScheme().toLowerCase(Locale.ROOT);
            // no echo of a URL with credentials: they would reach the log
            require(
                    assetsUrl.getRawUserInfo() == null,
                    "DOCS_ASSETS_URL",
                    "must not carry user:password@ (every browser that opens the docs would see it)");
            require(
                    (scheme.equals("http") || scheme.equals("https")) && assetsUrl.getHost() != null,
                    "DOCS_ASSETS_URL",
                    "must be an absolute http:// or https:// URL such as " + DEFAULT_ASSETS_URL + ", got '" + assetsUrl
                            + "'");
            require(
                    assetsUrl.getRawQuery() == null && assetsUrl.getRawFragment() == null,
                    "DOCS_ASSETS_URL",
                    "must be a base URL that paths are appended to, without ?query or #fragment, got '" + assetsUrl
                            + "'");
        }
    }

    public AppConfig {
        require(!host.isBlank(), "HOST", "must not be empty");
        require(port >= 0 && port <= 65535, "PORT", "must be 0..65535, got " + port);
        require(instances >= 1 && instances <= 1024, "INSTANCES", "must be 1..1024, got " + instances);
        require(
                isPositive(modelsPollInterval),
                "MODELS_POLL_INTERVAL_MS",
                "must be positive, got " + modelsPollInterval.toMillis());
        require(!shutdownDelay.isNegative(), "SHUTDOWN_DELAY_MS", "must be 0 or more, got " + shutdownDelay.toMillis());
        require(
                !shutdownTimeout.isNegative(),
                "SHUTDOWN_TIMEOUT_MS",
                "must be 0 or more, got " + shutdownTimeout.toMillis());
        require(maxTasks >= 1, "MAX_TASKS", "must be at least 1, got " + maxTasks);
        require(
                memoryStoreHeapPercent >= 1 && memoryStoreHeapPercent <= 90,
                "MEMORY_STORE_HEAP_PERCENT",
                "must be 1..90, got " + memoryStoreHeapPercent);
    }

    public static AppConfig fromEnvironment() {
        return from(System.getenv());
    }

    public static AppConfig from(Map<String, String> env) {
        return new AppConfig(
                string(env, "HOST", "0.0.0.0"),
                parse(env, "PORT", 8080, Integer::parseInt),
                parse(env, "INSTANCES", Runtime.getRuntime().availableProcessors(), Integer::parseInt),
                Path.of(string(env, "MODELS_DIR", "models")),
                parse(env, "MODELS_REQUIRED", false, EnvVariables::parseBoolean),
                parse(env, "MODELS_POLL_INTERVAL_MS", Duration.ofSeconds(2), AppConfig::parseMillis),
                parse(env, "SHUTDOWN_DELAY_MS", Duration.ZERO, AppConfig::parseMillis),
                parse(env, "SHUTDOWN_TIMEOUT_MS", Duration.ofSeconds(10), AppConfig::parseMillis),
                parse(env, "MAX_TASKS", 100_000, Integer::parseInt),
                parse(env, "MEMORY_STORE_HEAP_PERCENT", 40, Integer::parseInt),
                parse(env, "ACCESS_LOG", false, EnvVariables::parseBoolean),
                parse(env, "LOG_FORMAT", LogFormat.TEXT, AppConfig::parseLogFormat),
                parse(env, "TASK_API_LOG_LEVEL", Level.INFO, AppConfig::parseLevel),
                parse(env, "STORE", Store.MEMORY, AppConfig::parseStore),
                database(env),
                new Docs(
                        parse(env, "DOCS_ENABLED", true, EnvVariables::parseBoolean),
                        docsAssetsUrl(string(env, "DOCS_ASSETS_URL", Docs.DEFAULT_ASSETS_URL))));
    }

    /** DOCS_ASSETS_URL as a URI, trailing slashes dropped; its rules are {@link Docs}'s. */
    private static URI docsAssetsUrl(String value) {
        try {
            return new URI(value.replaceAll("/+$", ""));
        } catch (URISyntaxException e) {
            throw new InvalidConfigException("DOCS_ASSETS_URL is not a URL (" + e.getReason() + ")");
        }
    }

    /**
     * The {@code PG*} variables as libpq reads them, with libpq's defaults; {@code DATABASE_URL}
     * ({@code postgresql://user:password@host:port/database}) overrides each part it gives.
     */
    private static Database database(Map<String, String> env) {
        String host = string(env, "PGHOST", "localhost");
        int port = parse(env, "PGPORT", 5432, Integer::parseInt);
        String user = string(env, "PGUSER", "postgres");
        String password = env.getOrDefault("PGPASSWORD", "");
        String name = env.get("PGDATABASE");
        String url = env.get("DATABASE_URL");
        Map<String, String> parameters = Map.of();
        if (url != null && !url.isBlank()) {
            URI uri = databaseUri(url.trim());
            parameters = urlParameters(uri);
            host = uri.getHost() != null ? uri.getHost().replaceAll("^\\[(.*)\\]$", "$1") : host;
            port = uri.getPort() != -1 ? uri.getPort() : port;
            if (uri.getRawUserInfo() != null) {
                String[] userInfo = uri.getRawUserInfo().split(":", 2);
                user = userInfo[0].isEmpty() ? user : decode(userInfo[0]);
                password = userInfo.length == 2 ? decode(userInfo[1]) : password;
            }
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            name = path.length() > 1 ? decode(path.substring(1)) : name;
        }
        int poolSize = parse(env, "DB_POOL_SIZE", 8, Integer::parseInt);
        return new Database(
                host,
                port,
                name == null || name.isBlank() ? user : name.trim(),
                user,
                password,
                poolSize,
                parse(env, "DB_CONNECT_TIMEOUT_MS", Duration.ofSeconds(2), AppConfig::parseMillis),
                parse(env, "DB_QUERY_TIMEOUT_MS", Duration.ofSeconds(2), AppConfig::parseMillis),
                parse(env, "DB_CREATE_BATCH_SIZE", Database.DEFAULT_CREATE_BATCH_SIZE, Integer::parseInt),
                parse(
                        env,
                        "DB_CREATE_BATCHES",
                        Math.min(Database.DEFAULT_CREATE_BATCHES, Math.max(1, poolSize)),
                        Integer::parseInt),
                DatabaseTls.of(
                        tlsSetting(env, parameters, "PGSSLMODE", "sslmode"),
                        tlsSetting(env, parameters, "PGSSLROOTCERT", "sslrootcert"),
                        tlsSetting(env, parameters, "PGSSLCERT", "sslcert"),
                        tlsSetting(env, parameters, "PGSSLKEY", "sslkey")),
                parse(env, "DB_TRANSACTION_POOLER", false, EnvVariables::parseBoolean));
    }

    /** The libpq connection parameters DATABASE_URL may carry after {@code ?}; each overrides its PG* variable. */
    static final List<String> URL_PARAMETERS = List.of("sslmode", "sslrootcert", "sslcert", "sslkey");

    /** A TLS setting from DATABASE_URL's parameter if it has it, else from its variable; named for messages. */
    private static DatabaseTls.Setting tlsSetting(
            Map<String, String> env, Map<String, String> parameters, String variable, String parameter) {
        String fromUrl = parameters.get(parameter);
        return fromUrl != null
                ? new DatabaseTls.Setting("DATABASE_URL's " + parameter, fromUrl)
                : new DatabaseTls.Setting(variable, string(env, variable, null));
    }

    /** DATABASE_URL's {@code ?name=value&...}, decoded; a parameter this service does not take is refused. */
    private static Map<String, String> urlParameters(URI uri) {
        Map<String, String> parameters = new HashMap<>();
        if (uri.getRawQuery() == null || uri.getRawQuery().isEmpty()) {
            return parameters;
        }
        for (String pair : uri.getRawQuery().split("&")) {
            String[] nameValue = pair.split("=", 2);
            String name = decode(nameValue[0]);
            require(
                    URL_PARAMETERS.contains(name),
                    "DATABASE_URL",
                    "parameter '" + name + "' is not supported (supported: " + String.join(", ", URL_PARAMETERS) + ")");
            String value = nameValue.length == 2 ? decode(nameValue[1]).trim() : "";
            require(!value.isEmpty(), "DATABASE_URL", "parameter '" + name + "' has no value");
            parameters.put(name, value);
        }
        return parameters;
    }

    /** The URL checked; messages leave out the URL itself, which may hold a password. */
    private static URI databaseUri(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new InvalidConfigException("DATABASE_URL is not a URL (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        require(
                scheme.equals("postgresql") || scheme.equals("postgres"),
                "DATABASE_URL",
                "must start with postgresql://, got scheme '" + scheme + "'");
        require(uri.getRawAuthority() != null, "DATABASE_URL", "must be postgresql://user:password@host:port/database");
        require(
                uri.getHost() != null
                        || uri.getRawAuthority().endsWith("@")
                        || !uri.getRawAuthority().contains(":"),
                "DATABASE_URL",
                "has a host or port that cannot be read");
        require(uri.getRawFragment() == null, "DATABASE_URL", "must not have a #fragment");
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        require(
                path.lastIndexOf('/') <= 0,
                "DATABASE_URL",
                "must name one database after the host, got path '" + path + "'");
        return uri;
    }

    private static String decode(String part) {
        return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** How many bytes of tasks the in-memory store may hold: its share of the JVM's maximum heap. */
    public long memoryStoreBudgetBytes() {
        return Runtime.getRuntime().maxMemory() / 100 * memoryStoreHeapPercent;
    }

    private static boolean isPositive(Duration d) {
        return !d.isNegative() && !d.isZero();
    }

    private static void require(boolean rule, String variable, String message) {
        if (!rule) {
            throw new InvalidConfigException(variable + " " + message);
        }
    }

    private static Duration parseMillis(String value) {
        return Duration.ofMillis(Long.parseLong(value));
    }

    private static LogFormat parseLogFormat(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "text" -> LogFormat.TEXT;
            case "json" -> LogFormat.JSON;
            default -> throw new IllegalArgumentException("expected text or json");
        };
    }

    private static Store parseStore(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "memory" -> Store.MEMORY;
            case "postgres", "postgresql" -> Store.POSTGRES;
            default -> throw new IllegalArgumentException("expected memory or postgres");
        };
    }

    private static Level parseLevel(String value) {
        try {
            return Level.parse(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "expected SEVERE, WARNING, INFO, CONFIG, FINE, FINER, FINEST, ALL or OFF");
        }
    }
}
