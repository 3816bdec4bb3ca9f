package dev.tokenlog.testsupport.reliability;

/** The kinds of fault the reliability suite injects, in the order {@code docs/RELIABILITY.md} lists them. */
public enum Fault {
    PROVIDER("Provider faults", "a local fault-injecting HTTP server speaking the providers' wire formats"),
    PROCESS("Process faults", "workers and gateways as separate JVMs, a real KRaft broker, a real registry process"),
    CLIENT("Client faults", "SSE subscribers that reconnect, disconnect, never read or ask for the wrong thing"),
    INPUT("Input faults", "bad HTTP bodies and poison records on every input topic"),
    SECURITY("Security", "hostile requests: unbounded sizes, forged or missing credentials, other tenants' streams,"
            + " quotas, cross-site posts, plaintext clients on a secured broker"),
    FUZZ("Fuzzing", "Jazzer, for a bounded time per target; crashes become regression inputs");

    final String title;
    final String how;

    Fault(String title, String how) {
        this.title = title;
        this.how = how;
    }
}
