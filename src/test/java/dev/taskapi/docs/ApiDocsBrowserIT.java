package dev.taskapi.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.testing.FreePort;
import dev.taskapi.testing.Prerequisites;
import dev.taskapi.testing.RunningService;
import dev.taskapi.testing.TestConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.bidi.module.Network;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * /docs and /redoc in a real browser: Debian's headless Chromium, driven through Debian's chromedriver by Selenium.
 * The UIs' files come from their webjars (the versions pom.xml pins), laid out as an npm CDN lays them out by a
 * second server on another loopback port: another origin, so only the pages' Content-Security-Policy lets them load.
 * After each test, the console has no policy violation and no error, and every load the browser made succeeded.
 */
class ApiDocsBrowserIT {
    /** Found on PATH, as a shell finds them (Debian installs both in /usr/bin). */
    private static final Path CHROMIUM = onPath("chromium");

    private static final Path CHROMEDRIVER = onPath("chromedriver");
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** ReDoc's sidebar always asks for Redocly's logo from Redocly's CDN; the policy blocks it on purpose. */
    private static final String REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg";

    @TempDir
    static Path models;

    private static Vertx assetsVertx;
    private static RunningService service;
    private static Path profile;
    private static ChromeDriverService driverService;
    private static WebDriver browser;
    private static Network network;
    /** Every load of the current test: its URL, and its status or the browser's error. */
    private static final Map<String, String> loads = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws IOException {
        Prerequisites.require(
                CHROMIUM != null && CHROMEDRIVER != null,
                "chromium or chromedriver is not on PATH: apt-get install chromium chromium-driver");
        assetsVertx = Vertx.vertx();
        int assetsPort = assetsVertx
                .createHttpServer()
                .requestHandler(npmCdn(assetsVertx))
                .listen(FreePort.pick(), "127.0.0.1")
                .await()
                .actualPort();
        service = RunningService.start(
                        TestConfig.of(models, Map.of("DOCS_ASSETS_URL", "http://127.0.0.1:" + assetsPort + "/npm/")))
                .await();

        profile = Files.createTempDirectory("taskapi-chromium");
        // The driver and the browser named, so Selenium Manager never looks for (or downloads) either.
        driverService = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM.toFile())
                .addArguments(
                        "--headless=new",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-quic",
                        "--no-first-run",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--window-size=1280,1024",
                        "--user-data-dir=" + profile);
        options.setCapability(ChromeOptions.LOGGING_PREFS, logs);
        // WebDriver BiDi's network events: Chromium no longer writes failed loads to the console log.
        browser = new ChromeDriver(driverService, options.enableBiDi());
        network = new Network(browser);
        network.onResponseCompleted(r -> loads.put(
                r.getRequest().getUrl(), Integer.toString(r.getResponseData().getStatus())));
        network.onFetchError(e -> loads.put(e.getRequest().getUrl(), "failed: " + e.getErrorText()));
    }

    private static Path onPath(String program) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, program))
                .filter(Files::isExecutable)
                .findFirst()
                .orElse(null);
    }

    /** {@code /npm/<package>@<version>/<path>} from the webjar's {@code META-INF/resources/webjars/<package>/<version>/}. */
    private static Router npmCdn(Vertx vertx) {
        Router router = Router.router(vertx);
        router.getWithRegex("/npm/(?<package>[^/@]+)@(?<version>[^/]+)/(?<path>.+)")
                .handler(ctx -> ctx.reroute("/webjars/" + ctx.pathParam("package") + "/" + ctx.pathParam("version")
                        + "/" + ctx.pathParam("path")));
        router.get("/webjars/*").handler(StaticHandler.create("META-INF/resources/webjars"));
        return router;
    }

    @AfterAll
    static void stop() throws IOException {
        if (network != null) {
            network.close();
        }
        if (browser != null) {
            browser.quit();
        }
        if (driverService != null) {
            driverService.stop();
        }
        if (service != null) {
            service.stop().await();
        }
        if (assetsVertx != null) {
            assetsVertx.close().await();
        }
        if (profile != null) {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @BeforeEach
    void forgetEarlierPages() {
        browser.manage().logs().get(LogType.BROWSER);
        loads.clear();
    }

    @Test
    void swaggerUiShowsEveryOperationOfTheDocument() {
        open("/docs");
        Set<String> documented = documentedOperations().keySet();
        new WebDriverWait(browser, TIMEOUT)
                .until(ExpectedConditions.numberOfElementsToBe(By.cssSelector(".opblock"), documented.size()));
        Set<String> shown = new TreeSet<>();
        for (WebElement operation : browser.findElements(By.cssSelector(".opblock"))) {
            shown.add(operation
                            .findElement(By.cssSelector(".opblock-summary-method"))
                            .getText() + " "
                    + operation
                            .findElement(By.cssSelector(".opblock-summary-path"))
                            .getAttribute("data-path"));
        }
        assertEquals(documented, shown);
    }

    @Test
    void tryItOutCreatesATaskAndReadsItBack() {
        open("/docs");
        WebElement create = tryOut("createTask");
        replaceText(
                create.findElement(By.cssSelector("textarea.body-param__text")),
                "{\"title\": \"Typed into Swagger UI\", \"priority\": 4}");
        JsonObject created = execute(create, "201");
        assertEquals("Typed into Swagger UI", created.getString("title"));
        assertEquals(4, created.getInteger("priority"));
        String id = created.getString("id");
        assertTrue(id.matches("task_[0-9]+"), id);

        WebElement get = tryOut("getTask");
        replaceText(get.findElement(By.cssSelector(".parameters input[placeholder='id']")), id);
        assertEquals(created, execute(get, "200"));
    }

    @Test
    void redocShowsEveryOperationSummary() {
        open("/redoc");
        Set<String> summaries = new TreeSet<>(documentedOperations().values());
        new WebDriverWait(browser, TIMEOUT)
                .until(d -> d.findElements(By.cssSelector("h2")).stream()
                        .map(WebElement::getText)
                        .collect(Collectors.toSet())
                        .containsAll(summaries));
    }

    /** Nothing the policy blocked (but Redocly's logo), no script error, every load answered 2xx. */
    @AfterEach
    void browserReportsNoPolicyViolationNorFailedLoad() {
        if (browser == null) {
            return;
        }
        List<String> problems = new ArrayList<>();
        for (LogEntry entry : browser.manage().logs().get(LogType.BROWSER)) {
            String message = entry.getMessage();
            boolean problem = entry.getLevel().intValue() >= Level.SEVERE.intValue()
                    || message.contains("Content Security Policy")
                    || message.contains("Failed to load");
            if (problem && !message.contains("Loading the image '" + REDOCLY_LOGO + "'")) {
                problems.add("console: " + entry.getLevel() + " " + message);
            }
        }
        // The network events arrive on their own: wait for one of every load the page itself counts.
        @SuppressWarnings("unchecked")
        List<String> pageLoads = (List<String>)
                ((JavascriptExecutor) browser)
                        .executeScript(
                                "return performance"
                                        + ".getEntries().filter(e => e.entryType === 'navigation' || e.entryType === 'resource').map(e => e.name)");
        new WebDriverWait(browser, TIMEOUT).until(d -> loads.keySet().containsAll(pageLoads));
        loads.forEach((url, outcome) -> {
            if (!outcome.matches("2[0-9][0-9]") && !url.equals(REDOCLY_LOGO)) {
                problems.add("load: " + outcome + " " + url);
            }
        });
        assertEquals(List.of(), problems, "what the browser reported");
    }

    private static void open(String path) {
        browser.get("http://127.0.0.1:" + service.port() + path);
    }

    /** The operation's block in Swagger UI, expanded, "Try it out" clicked. */
    private static WebElement tryOut(String operationId) {
        WebElement block = new WebDriverWait(browser, TIMEOUT)
                .until(ExpectedConditions.presenceOfElementLocated(By.id("operations-default-" + operationId)));
        block.findElement(By.cssSelector(".opblock-summary-control")).click();
        new WebDriverWait(browser, TIMEOUT)
                .until(d -> !block.findElements(By.cssSelector(".try-out__btn")).isEmpty());
        block.findElement(By.cssSelector(".try-out__btn")).click();
        return block;
    }

    /** Types {@code text} over what Swagger UI filled in (the document's example). */
    private static void replaceText(WebElement field, String text) {
        field.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
        field.sendKeys(text);
    }

    /** Clicks Execute in {@code block}; the response's body, once Swagger UI shows {@code status}. */
    private static JsonObject execute(WebElement block, String status) {
        block.findElement(By.cssSelector("button.execute")).click();
        By liveStatus = By.cssSelector(".live-responses-table .response .response-col_status");
        new WebDriverWait(browser, TIMEOUT)
                .until(d -> block.findElements(liveStatus).stream()
                        .anyMatch(e -> e.getText().equals(status)));
        return new JsonObject(block.findElement(By.cssSelector(".live-responses-table .response-col_description pre"))
                .getText());
    }

    /** "METHOD /path" of every operation of the served document, with its summary. */
    private static Map<String, String> documentedOperations() {
        Map<String, String> operations = new TreeMap<>();
        JsonObject paths =
                service.get("/openapi.json").await().bodyAsJsonObject().getJsonObject("paths");
        for (String path : paths.fieldNames()) {
            JsonObject item = paths.getJsonObject(path);
            for (String key : item.fieldNames()) {
                if (!key.equals("parameters")) {
                    operations.put(
                            key.toUpperCase() + " " + path,
                            item.getJsonObject(key).getString("summary"));
                }
            }
        }
        return operations;
    }
}
