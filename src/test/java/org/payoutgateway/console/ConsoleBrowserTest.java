package org.payoutgateway.console;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.support.Gateway;
import org.payoutgateway.support.StandInProviders;

/**
 * The operations console in a real browser (headless Chromium driven by Selenium): an example file
 * whose first payout ends UNKNOWN (the provider answers HTTP 500), an operator who finds it, opens
 * its story and proposes to settle it as SUCCESS, and an approver who approves it; the story then
 * shows the proposal, the approval and the state SUCCESS. Screenshots go to
 * {@code target/console-screenshots/}. Skipped only when {@code /usr/bin/chromedriver} is missing.
 */
class ConsoleBrowserTest {

    static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    static final Path BROWSER = Path.of("/usr/bin/chromium");
    static final Path SHOTS = Path.of("target", "console-screenshots");
    static final String OPS = "ops-browser-key";
    static final String CHECK = "checker-browser-key";
    static final String UNKNOWN_REF = "EX-KE-0001";

    static StandInProviders providers;
    static Gateway gateway;
    static WebDriver browser;
    static WebDriverWait wait;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(DRIVER),
                "no " + DRIVER + ": install Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver) to run the browser test");
        providers = new StandInProviders();
        Map<String, String> s = new HashMap<>(providers.settings());
        s.put("payout.api.clients", "ops,checker");
        s.put("payout.api.client.ops.keys", OPS);
        s.put("payout.api.client.ops.roles", "operator");
        s.put("payout.api.client.checker.keys", CHECK);
        s.put("payout.api.client.checker.roles", "approver");
        providers.create("paypro-ke", UNKNOWN_REF, aResponse().withStatus(500));
        providers.query("paypro-ke", UNKNOWN_REF, aResponse().withStatus(500));
        gateway = Gateway.start("console-browser", s);
        gateway.drop("payouts-kenya.json", Files.readString(Path.of("examples", "payouts-kenya.json")));
        gateway.awaitState(UNKNOWN_REF, PayoutState.UNKNOWN, Duration.ofSeconds(30));
        Gateway.await(() -> gateway.payout(UNKNOWN_REF).queryCount() >= 1, Duration.ofSeconds(30), "queried once");

        System.setProperty("webdriver.chrome.driver", DRIVER.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toString());
        Path profile = Files.createDirectories(Path.of("target", "chromium-" + UUID.randomUUID()).toAbsolutePath());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1400,1000", "--user-data-dir=" + profile);
        browser = new ChromeDriver(options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (providers != null) {
            providers.close();
        }
    }

    @Test
    void anOperatorProposesASettlementAndAnApproverApprovesIt() throws Exception {
        String base = "http://localhost:" + gateway.httpPort + "/console";
        browser.get(base + "/");
        logIn(OPS);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("overview-title")));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("state-chart")));
        assertThat(browser.findElement(By.id("whoami")).getText()).contains("ops");
        assertThat(browser.findElement(By.id("states-table")).getText()).contains("UNKNOWN");
        shot("overview");

        // find the payout by its reference
        browser.findElement(By.linkText("Payouts")).click();
        WebElement reference = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("filter-reference")));
        reference.sendKeys(UNKNOWN_REF);
        browser.findElement(By.id("search-button")).click();
        wait.until(ExpectedConditions.urlContains("reference=" + UNKNOWN_REF));
        WebElement link = wait.until(ExpectedConditions.elementToBeClickable(By.linkText(UNKNOWN_REF)));
        assertThat(browser.findElements(By.cssSelector("#payouts-table tbody tr"))).hasSize(1);
        assertThat(browser.findElement(By.id("csv-link")).getAttribute("href")).contains("format=csv").contains(UNKNOWN_REF);
        shot("payouts");
        link.click();

        // its story: masked, UNKNOWN, and the settlement form
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("story-state"), "UNKNOWN"));
        assertThat(browser.findElement(By.id("field-mobile")).getText()).isEqualTo("****5678");
        assertThat(browser.getPageSource()).doesNotContain("254712345678");
        assertThat(browser.findElement(By.id("action-query-now")).isDisplayed()).isTrue();
        new Select(browser.findElement(By.id("settle-state"))).selectByValue("SUCCESS");
        browser.findElement(By.id("settle-reason")).sendKeys("paid, per provider support");
        browser.findElement(By.id("settle-evidence")).sendKeys("ticket PP-4711");
        browser.findElement(By.id("settle-submit")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("story-actions"), "PROPOSED"));
        assertThat(browser.findElement(By.id("story-actions")).getText()).contains("ticket PP-4711").contains("ops");
        assertThat(gateway.payout(UNKNOWN_REF).state()).as("nothing changes on a proposal").isEqualTo(PayoutState.UNKNOWN);
        shot("story-proposed");

        browser.findElement(By.id("logout")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-form")));
        assertThat(browser.manage().getCookies()).as("the session cookie is gone").noneMatch(c -> c.getName().equals(ConsoleSessions.COOKIE));

        // the approver approves it from the settlements view
        logIn(CHECK);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("overview-title")));
        browser.findElement(By.linkText("Settlements")).click();
        WebElement approve = wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("#settlements-table button.approve")));
        shot("settlements");
        approve.click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("settlements-none")));

        browser.get(base + "/#/story/" + UNKNOWN_REF);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("story-state"), "SUCCESS"));
        String actions = browser.findElement(By.id("story-actions")).getText();
        assertThat(actions).contains("APPLIED").contains("checker").contains("ops").contains("ticket PP-4711");
        assertThat(browser.findElement(By.id("story-history")).getText()).contains("SUCCESS").contains("settled by hand");
        assertThat(gateway.payout(UNKNOWN_REF).state()).isEqualTo(PayoutState.SUCCESS);
        shot("story");

        for (String view : List.of("attention", "files", "erp", "audit")) {
            browser.get(base + "/#/" + view);
            wait.until(ExpectedConditions.presenceOfElementLocated(By.tagName("h1")));
            wait.until(d -> !d.findElement(By.tagName("h1")).getText().equals("Something went wrong"));
        }
        browser.get(base + "/#/files");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("files-table"), "payouts-kenya.json"));
        shot("files");
    }

    private static void logIn(String key) {
        WebElement field = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("api-key")));
        field.sendKeys(key);
        browser.findElement(By.id("login-button")).click();
    }

    private static void shot(String name) throws Exception {
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(SHOTS.resolve(name + ".png"), png);
    }
}
