package dev.tokenlog.testsupport.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReliabilityReportTest {
    @TempDir
    Path root;

    @AfterEach
    void restore() {
        System.clearProperty(Scenario.DIR_PROPERTY);
    }

    @Test
    void auditCountsDuplicatesAndGapsAgainstTheExpectedKeys() {
        inModule("a");
        Scenario s = Scenario.start(Fault.CLIENT, "audit", "nothing", "counts");

        s.audit(List.of(0L, 1L, 2L, 3L), List.of(0L, 1L, 1L, 3L));

        assertThat(s.duplicateCount()).isEqualTo(1);
        assertThat(s.gapCount()).isEqualTo(1);
    }

    @Test
    void aPassedScenarioIsAReportRowWithItsCountsAndTheTestThatRanIt() throws Exception {
        inModule("worker");
        Scenario s = Scenario.start(Fault.PROVIDER, "429 then success", "a 429", "one attempt");
        s.sent(3).answered(3).audit(List.of(0L, 1L), List.of(0L, 1L));
        s.passed();

        List<ReliabilityReport.Row> rows = ReliabilityReport.read(root);

        assertThat(rows).singleElement().satisfies(r -> {
            assertThat(r.fault()).isEqualTo(Fault.PROVIDER);
            assertThat(r.passed()).isTrue();
            assertThat(r.requests()).isEqualTo(3);
            assertThat(r.chunks()).isEqualTo(2);
            assertThat(r.test()).isEqualTo("ReliabilityReportTest#aPassedScenarioIsAReportRowWithItsCountsAndTheTestThatRanIt");
        });
        String md = ReliabilityReport.render(rows, "abc123", 2);
        assertThat(md).contains("## Provider faults (1)", "| 429 then success | a 429 | one attempt | 3 | 3 | 2 | 0 | 0 | passed",
                "commit `abc123`", "2 cores");
    }

    @Test
    void aScenarioThatNeverPassedOrLostARequestIsNotPassed() throws Exception {
        inModule("gateway");
        Scenario.start(Fault.CLIENT, "crashed midway", "x", "y");
        Scenario lost = Scenario.start(Fault.PROCESS, "lost one", "x", "y").sent(2).answered(1);
        assertThatThrownBy(lost::passed).as("passed() holds the scenario to the promise")
                .hasMessageContaining("'lost one' breaks the promise: 2 requests sent, 1 outcomes");

        List<ReliabilityReport.Row> rows = ReliabilityReport.read(root);

        assertThat(rows).extracting(ReliabilityReport.Row::name).containsExactly("lost one", "crashed midway");
        assertThat(rows).noneMatch(ReliabilityReport.Row::passed);
        assertThat(rows).extracting(ReliabilityReport.Row::requests).containsExactly(2L, 0L);
        assertThat(ReliabilityReport.render(rows, "", 2)).contains("**FAILED**");
    }

    @Test
    void aRecordMarkedPassedWithADuplicateIsStillNotPassed() {
        var row = new ReliabilityReport.Row(Fault.CLIENT, "hand-edited", "x", "y", "T#t", "PASSED",
                "2026-12-02T00:00:00Z", 1.0, 1, 1, 5, 1, 0, "");

        assertThat(row.passed()).isFalse();
        assertThat(ReliabilityReport.render(List.of(row), "", 2)).contains("**FAILED (lost, duplicates or gaps)**");
    }

    private void inModule(String module) {
        System.setProperty(Scenario.DIR_PROPERTY, root.resolve(module).resolve("target/reliability").toString());
    }
}
