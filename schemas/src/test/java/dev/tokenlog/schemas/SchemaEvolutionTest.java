package dev.tokenlog.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenlog.registry.RegistryConfig;
import dev.tokenlog.registry.SchemaRegistryClient;
import dev.tokenlog.serde.Schemas;
import dev.tokenlog.testsupport.TestRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fails the build when a schema change is not BACKWARD compatible with the last released version:
 * consumers built from the current schemas must read everything already in the topics.
 *
 * <p>Released versions live in {@code src/test/resources/released/<Name>.avsc}, self-contained (the
 * shared types inlined). When a version is released, overwrite the file with the current
 * {@code <Name>.getClassSchema().toString(true)}.
 */
class SchemaEvolutionTest {
    private static final Path SOURCES = Path.of("src", "main", "avro");
    private static SchemaRegistryClient registry;

    @BeforeAll
    static void connect() {
        registry = new SchemaRegistryClient(RegistryConfig.of(TestRegistry.shared().ccompatUrl()));
    }

    @AfterAll
    static void disconnect() {
        registry.close();
    }

    /** Names of the top-level schemas (the records on topics); shared types live in a subdirectory. */
    static Stream<String> recordTypes() throws IOException {
        try (Stream<Path> files = Files.list(SOURCES)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".avsc"))
                    .map(n -> n.substring(0, n.length() - ".avsc".length())).sorted().toList().stream();
        }
    }

    @Test
    void everyTopLevelSchemaIsCovered() throws IOException {
        assertThat(recordTypes().toList())
                .containsExactly("ChunkRecord", "ControlCommand", "FinalAnswer", "LlmRequest", "StreamIndexEntry",
                        "ThroughputWindow");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recordTypes")
    void currentSchemaReadsDataOfTheReleasedVersion(String name) throws Exception {
        Schema current = current(name);
        Schema released = released(name);

        SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(current, released);
        assertThat(result.getType())
                .as("%s is not BACKWARD compatible with released/%s.avsc: %s. Add new fields with defaults, never "
                        + "remove or retype a field without a default; for a deliberate break, use a new topic.",
                        name, name, describe(result))
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recordTypes")
    void registryAcceptsTheCurrentSchemaAfterTheReleasedOneUnderBackward(String name) throws Exception {
        String subject = "evolution." + name + "." + UUID.randomUUID() + "-value";
        registry.register(subject, released(name));
        registry.setCompatibility(subject, "BACKWARD");

        assertThat(registry.isCompatible(subject, current(name)))
                .as("registry says %s is not BACKWARD compatible with released/%s.avsc", name, name)
                .isTrue();
    }

    @Test
    void addingARequiredFieldWithoutDefaultIsCaughtLocallyAndByTheRegistry() throws Exception {
        Schema released = released("ControlCommand");
        Schema broken = Schemas.with(current("ControlCommand"),
                new Schema.Field("negativeControlField", Schema.create(Schema.Type.INT), "No default: old data lacks it.",
                        null));

        SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(broken, released);
        assertThat(result.getType()).isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
        assertThat(result.getResult().getIncompatibilities())
                .anySatisfy(i -> assertThat(i.getMessage()).contains("negativeControlField"));

        String subject = "evolution.negative." + UUID.randomUUID() + "-value";
        registry.register(subject, released);
        registry.setCompatibility(subject, "BACKWARD");
        assertThat(registry.isCompatible(subject, broken)).isFalse();
    }

    @Test
    void retypingAFieldIsCaughtLocally() throws Exception {
        Schema retyped = Schemas.with(Schemas.without(current("ThroughputWindow"), "outputTokens"),
                new Schema.Field("outputTokens", Schema.create(Schema.Type.STRING), "was long", null));

        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(retyped, released("ThroughputWindow")).getType())
                .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }

    private static String describe(SchemaPairCompatibility result) {
        return result.getResult().getIncompatibilities().stream()
                .map(i -> i.getType() + " at " + i.getLocation() + " (" + i.getMessage() + ")")
                .toList().toString();
    }

    private static Schema current(String name) throws ReflectiveOperationException {
        return (Schema) Class.forName("dev.tokenlog.avro." + name).getMethod("getClassSchema").invoke(null);
    }

    private static Schema released(String name) throws IOException {
        try (InputStream in = SchemaEvolutionTest.class.getResourceAsStream("/released/" + name + ".avsc")) {
            assertThat(in).as("released/%s.avsc is missing: copy the current schema there as its first release", name)
                    .isNotNull();
            return new Schema.Parser().parse(in);
        }
    }
}
