package dev.tokenlog.testsupport.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * One fault-injection scenario of the reliability suite, as the test that runs it reports it: what it
 * injects, what it asserts, and what it counted (requests sent, final answers received, chunks checked,
 * duplicates and gaps found). {@link ReliabilityReport} turns the records of a test run into
 * {@code docs/RELIABILITY.md}, so the report is produced by the run, never written by hand.
 *
 * <p>A test opens the scenario first and calls {@link #passed()} after its last assertion:
 * <pre>{@code
 * Scenario s = Scenario.start(Fault.PROVIDER, "429 with Retry-After, then success",
 *         "a 429 with Retry-After: 1, then the stream", "one attempt, full text, waited >= 1 s");
 * ... send, wait, assert ...
 * s.sent(1).answered(1).audit(expectedSeqs, receivedSeqs);
 * s.passed();
 * }</pre>
 * A record is written at the start too, so a scenario whose test failed (or crashed its JVM) shows as
 * FAILED rather than vanishing from the report. Records are properties files, one per scenario, under
 * {@code target/reliability/} of the module whose tests run it (the working directory of Surefire and
 * Failsafe); the system property {@code tokenlog.reliability.dir} moves them. Counting is thread-safe.
 */
public final class Scenario {
    /** Where the records of this JVM's scenarios go. */
    static final String DIR_PROPERTY = "tokenlog.reliability.dir";

    private final Properties record = new Properties();
    private final Path file;
    private final long startedNanos = System.nanoTime();
    private long requests;
    private long answers;
    private long chunks;
    private long duplicates;
    private long gaps;

    private Scenario(Fault fault, String name, String injects, String asserts) {
        record.setProperty("fault", fault.name());
        record.setProperty("name", name);
        record.setProperty("injects", injects);
        record.setProperty("asserts", asserts);
        record.setProperty("test", callingTest());
        record.setProperty("started", Instant.now().toString());
        record.setProperty("result", "FAILED");
        Path dir = Path.of(System.getProperty(DIR_PROPERTY, "target/reliability"));
        file = dir.resolve(fault.name().toLowerCase() + "-" + slug(name) + ".properties");
        write();
    }

    /** Opens (and records, as not yet passed) the scenario {@code name} of the kind {@code fault}. */
    public static Scenario start(Fault fault, String name, String injects, String asserts) {
        return new Scenario(fault, name, injects, asserts);
    }

    /** Adds {@code n} to the requests the scenario sent. */
    public synchronized Scenario sent(long n) {
        requests += n;
        return this;
    }

    /** Adds {@code n} to the final answers (or terminal outcomes) it received and checked. */
    public synchronized Scenario answered(long n) {
        answers += n;
        return this;
    }

    /** Adds {@code n} to the chunks (or events) it checked. */
    public synchronized Scenario checked(long n) {
        chunks += n;
        return this;
    }

    /** Adds {@code n} to the duplicates it found (the report requires 0). */
    public synchronized Scenario duplicates(long n) {
        duplicates += n;
        return this;
    }

    /** Adds {@code n} to the gaps (missing chunks) it found (the report requires 0). */
    public synchronized Scenario gaps(long n) {
        gaps += n;
        return this;
    }

    /**
     * Counts what one reader received against what it should have: every received key is a checked
     * chunk, a key received more than once is a duplicate, an expected key never received is a gap.
     * Returns this, so the test can still assert on {@link #duplicateCount()} and {@link #gapCount()}.
     */
    public synchronized <K> Scenario audit(Collection<K> expected, List<K> received) {
        Set<K> seen = new HashSet<>();
        long dup = 0;
        for (K key : received) {
            if (!seen.add(key)) {
                dup++;
            }
        }
        long missing = expected.stream().filter(k -> !seen.contains(k)).count();
        return checked(received.size()).duplicates(dup).gaps(missing);
    }

    public synchronized long duplicateCount() {
        return duplicates;
    }

    public synchronized long gapCount() {
        return gaps;
    }

    /** Records a free-text note shown under the table (e.g. a measured time). */
    public synchronized Scenario note(String text) {
        record.setProperty("note", text);
        return this;
    }

    /**
     * Marks the scenario passed: call it after the test's last assertion. It holds the scenario to the
     * report's promise first, so a test whose counts break it fails here, not only in the report: every
     * request sent has an outcome, no duplicate, no gap.
     *
     * @throws AssertionError when a request has no outcome or a duplicate or gap was counted
     */
    public synchronized void passed() {
        if (answers < requests || duplicates != 0 || gaps != 0) {
            write();
            throw new AssertionError(String.format(java.util.Locale.ROOT,
                    "scenario '%s' breaks the promise: %d requests sent, %d outcomes, %d duplicates, %d gaps",
                    record.getProperty("name"), requests, answers, duplicates, gaps));
        }
        record.setProperty("result", "PASSED");
        write();
    }

    private void write() {
        record.setProperty("seconds", String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - startedNanos) / 1e9));
        record.setProperty("requests", Long.toString(requests));
        record.setProperty("answers", Long.toString(answers));
        record.setProperty("chunks", Long.toString(chunks));
        record.setProperty("duplicates", Long.toString(duplicates));
        record.setProperty("gaps", Long.toString(gaps));
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), "scenario", ".tmp");
            try (Writer out = Files.newBufferedWriter(tmp)) {
                record.store(out, null);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the scenario record " + file, e);
        }
    }

    /** {@code Class#method} of the test method that opened the scenario. */
    private static String callingTest() {
        return StackWalker.getInstance().walk(frames -> frames
                .filter(f -> !f.getClassName().equals(Scenario.class.getName()))
                .filter(f -> f.getClassName().endsWith("Test") || f.getClassName().endsWith("IT")
                        || f.getClassName().contains("Test$"))
                .findFirst()
                .map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "#" + f.getMethodName())
                .orElse("?"));
    }

    static String slug(String name) {
        String slug = name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
        return slug.length() > 80 ? slug.substring(0, 80) : slug;
    }
}
