package dev.tokenlog.testsupport;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.utils.Exit;

/**
 * The in-JVM broker's requests to end the JVM ({@code Exit.halt}/{@code Exit.exit}, e.g. when a log
 * directory goes offline) are logged with where they came from. Once the JVM is exiting anyway (the
 * broker is closed by a shutdown hook, concurrently with other hooks), they are not carried out:
 * there a halt would only replace the test run's exit code 0 by the broker's 1, which Surefire
 * reports as "Error occurred in starting fork" after every test passed.
 */
final class BrokerHalts {
    private static final System.Logger LOG = System.getLogger(BrokerHalts.class.getName());
    private static final AtomicBoolean JVM_EXITING = new AtomicBoolean();

    private BrokerHalts() {}

    static void install() {
        Exit.setHaltProcedure((status, message) -> {
            if (ignored("halt", status, message)) {
                return;
            }
            Runtime.getRuntime().halt(status);
        });
        Exit.setExitProcedure((status, message) -> {
            if (ignored("exit", status, message)) {
                return;
            }
            System.exit(status);
        });
    }

    /** Called by the shutdown hook before it closes the broker. */
    static void jvmExiting() {
        JVM_EXITING.set(true);
    }

    private static boolean ignored(String what, int status, String message) {
        boolean exiting = JVM_EXITING.get();
        LOG.log(System.Logger.Level.ERROR, "In-JVM Kafka broker asked to " + what + " the JVM with status " + status
                + (message == null ? "" : ": " + message) + (exiting ? " (ignored: the JVM is already exiting)" : ""),
                new Throwable("requested here"));
        return exiting;
    }
}
