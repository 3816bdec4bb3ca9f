package dev.tokenlog.registry;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A schema-registry call failed. Every subtype says what was wrong and what to do about it; messages
 * carry the registry URL without credentials and never contain passwords or tokens.
 *
 * <p>Extends Kafka's {@link SerializationException} so that a failure inside a serializer surfaces to
 * producers and consumers the way Kafka reports any (de)serialisation problem.
 */
public abstract sealed class SchemaRegistryException extends SerializationException {

    private SchemaRegistryException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Whether the registry itself failed (unreachable, 408, 429 or 5xx) rather than the record or the
     * schema: the same call may succeed later, so a consumer must wait and retry the record, never
     * skip or dead-letter it.
     */
    public boolean isTransient() {
        return false;
    }

    /** Whether {@code failure}, or any of its causes, is a {@linkplain #isTransient() transient} registry failure. */
    public static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SchemaRegistryException e && e.isTransient()) {
                return true;
            }
        }
        return false;
    }

    /** The registry did not answer: connection refused, DNS failure or timeout. Usually transient. */
    public static final class Unreachable extends SchemaRegistryException {
        Unreachable(String url, String what, Throwable cause) {
            super("Schema registry at " + url + " is unreachable (" + what + "). Check that it is running and "
                    + "that tokenlog.registry.url points at its Confluent-compatible API; the call can be retried.", cause);
        }

        @Override
        public boolean isTransient() {
            return true;
        }
    }

    /** The registry refused a schema because it breaks the subject's compatibility rule (HTTP 409). */
    public static final class IncompatibleSchema extends SchemaRegistryException {
        private final String subject;

        IncompatibleSchema(String subject, String registryMessage) {
            super("Schema for subject '" + subject + "' is not compatible with the versions already registered: "
                    + registryMessage + ". Evolve the schema compatibly (add fields with defaults, do not remove "
                    + "fields without defaults) or change the subject's compatibility level.", null);
            this.subject = subject;
        }

        /** The subject the schema was refused for. */
        public String subject() {
            return subject;
        }
    }

    /** A record names a schema id the registry does not know (HTTP 404 on an id). */
    public static final class UnknownSchemaId extends SchemaRegistryException {
        private final int id;

        UnknownSchemaId(int id, String url) {
            super("Schema id " + id + " is not known to the schema registry at " + url + ". The record was written "
                    + "against a different registry, or the registry lost its data; point tokenlog.registry.url at "
                    + "the registry the producer used.", null);
            this.id = id;
        }

        /** The id that was not found. */
        public int id() {
            return id;
        }
    }

    /** The schema (or its whole subject) is not registered and auto-registration is off. */
    public static final class NotRegistered extends SchemaRegistryException {
        private final String subject;

        NotRegistered(String subject, String url, String registryMessage) {
            super("Schema is not registered under subject '" + subject + "' at " + url + " (" + registryMessage
                    + ") and auto-registration is off (tokenlog.registry.auto-register=false). Register the schema "
                    + "first, or enable auto-registration.", null);
            this.subject = subject;
        }

        /** The subject that was looked up. */
        public String subject() {
            return subject;
        }
    }

    /** The registry rejected the credentials (HTTP 401) or the permission (HTTP 403). */
    public static final class AuthFailed extends SchemaRegistryException {
        private final int status;

        AuthFailed(int status, String url) {
            super("Schema registry at " + url + " answered HTTP " + status + (status == 401
                    ? " (unauthenticated): check tokenlog.registry.basic-auth or tokenlog.registry.bearer-token."
                    : " (forbidden): the configured principal lacks permission for this operation."), null);
            this.status = status;
        }

        /** 401 or 403. */
        public int status() {
            return status;
        }
    }

    /** Any other unexpected answer (4xx/5xx, malformed body). */
    public static final class HttpError extends SchemaRegistryException {
        private final int status;

        HttpError(String operation, int status, String registryMessage, String url) {
            super("Schema registry at " + url + " failed to " + operation + ": HTTP " + status + ": " + registryMessage,
                    null);
            this.status = status;
        }

        /** The HTTP status, or 0 when the answer could not be parsed. */
        public int status() {
            return status;
        }

        @Override
        public boolean isTransient() {
            return status == 408 || status == 429 || status >= 500;
        }
    }
}
