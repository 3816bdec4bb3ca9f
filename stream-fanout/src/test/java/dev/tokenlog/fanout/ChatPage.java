package dev.tokenlog.fanout;

import java.time.Duration;
import java.util.function.Predicate;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The gateway's chat page (stream-fanout's META-INF/resources) as a test drives it, by its stable element ids. */
final class ChatPage {
    private final ChromeDriver driver;
    private final Duration wait;

    ChatPage(ChromeDriver driver, Duration wait) {
        this.driver = driver;
        this.wait = wait;
    }

    /** Opens the page with an empty sessionStorage, so no earlier stream is resumed. */
    ChatPage open(String url) {
        driver.get(url);
        driver.executeScript("sessionStorage.clear()");
        driver.navigate().refresh();
        return this;
    }

    /** Fills the form and presses Send; waits until the gateway accepted the request; its stream id. */
    String send(String prompt, String model, int maxTokens, String metadata) {
        submit(prompt, model, maxTokens, metadata);
        await("the gateway to accept the request", page -> page.streamId().matches("[0-9a-f-]{36}"));
        return streamId();
    }

    /** Fills the form and presses Send, without waiting for the gateway's answer. */
    void submit(String prompt, String model, int maxTokens, String metadata) {
        type("prompt", prompt);
        type("model", model);
        type("max-tokens", String.valueOf(maxTokens));
        type("metadata", metadata);
        element("send").click();
    }

    /** Types {@code key} into the API key field (the page keeps it in sessionStorage). */
    void apiKey(String key) {
        type("api-key", key);
    }

    /** The API key field's current value. */
    String apiKey() {
        return element("api-key").getDomProperty("value");
    }

    /** {@code storage.getItem(name)} of the page, {@code storage} being sessionStorage or localStorage. */
    Object storageItem(String storage, String name) {
        return driver.executeScript("return window[arguments[0]].getItem(arguments[1])", storage, name);
    }

    /** Everything the page keeps in {@code storage} (sessionStorage or localStorage), as one JSON-ish text. */
    String storageDump(String storage) {
        return String.valueOf(driver.executeScript("return JSON.stringify(Object.entries(window[arguments[0]]))", storage));
    }

    /** The page's address, as the browser shows it. */
    String currentUrl() {
        return driver.getCurrentUrl();
    }

    void cancel() {
        element("cancel").click();
    }

    void drop() {
        element("drop").click();
    }

    void reload() {
        driver.navigate().refresh();
    }

    /** The answer as shown: the text of #output, exactly (no whitespace normalisation). */
    String output() {
        return text("output");
    }

    int outputWords() {
        String output = output().strip();
        return output.isEmpty() ? 0 : output.split("\\s+").length;
    }

    String status() {
        return text("status");
    }

    /** The error or cancel reason shown under the status. */
    String error() {
        return text("error");
    }

    String streamId() {
        return text("stream-id");
    }

    String ttft() {
        return text("ttft");
    }

    String tokensPerSecond() {
        return text("tps");
    }

    /** How many EventSource connections the page opened since it loaded. */
    int connections() {
        return Integer.parseInt(text("connections"));
    }

    /** The {@code ?after=} event id of the page's latest connection; empty when it read from the start. */
    String connectedAfter() {
        return element("connections").getDomAttribute("data-after");
    }

    void await(String what, Predicate<ChatPage> condition) {
        new WebDriverWait(driver, wait).withMessage(() -> "waiting for " + what + "; status " + status()
                + ", output '" + output() + "'").until(d -> condition.test(this));
    }

    private String text(String id) {
        return element(id).getDomProperty("textContent");
    }

    private void type(String id, String value) {
        WebElement field = element(id);
        field.clear();
        field.sendKeys(value);
    }

    private WebElement element(String id) {
        return driver.findElement(By.id(id));
    }
}
