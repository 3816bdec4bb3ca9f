package dev.tokenlog.worker.fuzz;

import dev.tokenlog.testsupport.reliability.Fault;
import dev.tokenlog.testsupport.reliability.Scenario;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The reliability record of one Jazzer fuzz target: counts the inputs its {@code @FuzzTest} method
 * ran and the ones that failed, and reports them as one {@link Scenario} of {@link Fault#FUZZ}.
 *
 * <p>Jazzer calls a {@code @FuzzTest} method once per input, in two modes: fuzzing (environment
 * variable {@code JAZZER_FUZZ} set; generated inputs for {@code jazzer.max_duration}) and regression
 * (otherwise; only the seeds and the inputs kept under {@code <Class>Inputs/<method>/}). So a fuzz test
 * class opens its run in {@code @BeforeAll}, passes every input's check through {@link #check}, and
 * closes the run in {@code @AfterAll}; the scenario passes only if inputs ran and none failed.
 */
public final class FuzzRun {
    /** The fuzzing time of a target when {@code jazzer.max_duration} is not set (the build sets it). */
    public static final String DURATION = "15s";

    /** One input's check; any exception or assertion error it throws is a finding. */
    @FunctionalInterface
    public interface Check {
        void run() throws Exception;
    }

    private final Scenario scenario;
    private final boolean fuzzing = !System.getenv().getOrDefault("JAZZER_FUZZ", "").isEmpty();
    /** When the first and the last input ran: the rate leaves out the JVM's and Jazzer's start-up. */
    private long firstInputNanos;
    private long lastInputNanos;
    private final int seeds;
    private final long keptCrashes;
    private long inputs;
    private long failures;

    private FuzzRun(String target, String asserts, int seeds, long keptCrashes) {
        this.seeds = seeds;
        this.keptCrashes = keptCrashes;
        String injects = fuzzing
                ? System.getProperty("jazzer.max_duration", DURATION) + " of Jazzer-generated inputs, seeded with the "
                        + "recorded fixtures"
                : "the recorded fixtures and the kept crash inputs only (regression mode: JAZZER_FUZZ not set)";
        this.scenario = Scenario.start(Fault.FUZZ, "fuzz " + target, injects, asserts);
    }

    /**
     * Opens the run of {@code target} (the class under test), whose {@code @FuzzTest} is
     * {@code testClass#method} with {@code seeds} seeds from its method source.
     */
    public static FuzzRun start(String target, String asserts, Class<?> testClass, String method, int seeds) {
        return new FuzzRun(target, asserts, seeds, keptInputs(testClass, method));
    }

    /** Runs one input's check, counting it and, if it throws, the failure. */
    public void check(Check check) throws Exception {
        if (inputs++ == 0) {
            firstInputNanos = System.nanoTime();
        }
        try {
            check.run();
        } catch (Exception | Error e) {
            failures++;
            throw e;
        } finally {
            lastInputNanos = System.nanoTime();
        }
    }

    /** Marks the scenario passed when inputs ran and none failed; otherwise its record stays FAILED. */
    public void close() {
        double seconds = Math.max(1e-3, (lastInputNanos - firstInputNanos) / 1e9);
        String counts = fuzzing
                ? String.format(Locale.ROOT, "%,d executions in %.0f s of fuzzing (%,.0f/s)", inputs, seconds,
                        inputs / seconds)
                : String.format(Locale.ROOT, "%,d inputs (%d fixture seeds)", inputs, seeds);
        scenario.note(String.format(Locale.ROOT,
                "%s; %d failed in this run; %d crash inputs found by earlier runs, fixed and kept as regression inputs",
                counts, failures, keptCrashes));
        if (inputs > 0 && failures == 0) {
            scenario.passed();
        }
    }

    /** The crash inputs kept in Jazzer's inputs directory of the test method, from the test classpath. */
    private static long keptInputs(Class<?> testClass, String method) {
        URL dir = testClass.getResource(testClass.getSimpleName() + "Inputs/" + method);
        if (dir == null) {
            return 0;
        }
        try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
            return files.filter(Files::isRegularFile).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
