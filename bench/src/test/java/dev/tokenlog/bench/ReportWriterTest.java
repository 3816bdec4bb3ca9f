package dev.tokenlog.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {

    @Test
    void csvQuotesFieldsWithCommasAndQuotes() {
        Results r = new Results();
        r.add("latency", "p50, at 1", 1.5, "ms", "said \"hi\"");
        assertThat(ReportWriter.csv(r)).isEqualTo("group,name,value,unit,method\n"
                + "latency,\"p50, at 1\",1.500,ms,\"said \"\"hi\"\"\"\n");
    }

    @Test
    void latencyFiguresBecomeOneRowPerStreamCount(@TempDir Path dir) throws Exception {
        Results r = new Results();
        for (int streams : new int[] {1, 100}) {
            String at = " at " + streams + (streams == 1 ? " stream" : " streams");
            for (String p : new String[] {"p50", "p95", "p99"}) {
                r.add("latency", "tokenlog " + p + at, 20, "ms", "m");
                r.add("latency", "baseline " + p + at, 0.5, "ms", "m");
                r.add("latency", "ratio " + p + at, 40, "x", "m");
            }
        }
        r.add("fold", "chunks folded per second", 12345.6, "chunks/s", "how");

        ReportWriter.write(r, Map.of("cores", "2"), dir);

        String md = Files.readString(dir.resolve("RESULTS.md"));
        assertThat(md).contains("- cores: 2\n")
                .contains("| 1 | 20.0 ms | 20.0 ms | 20.0 ms | 0.50 ms | 0.50 ms | 0.50 ms | 40.0x | 40.0x | 40.0x |\n")
                .contains("| 100 | 20.0 ms |")
                .contains("| chunks folded per second | 12,346 | chunks/s |\n")
                .contains("Method: how.");
        assertThat(Files.readAllLines(dir.resolve("results.csv"))).hasSize(1 + 18 + 1);
    }
}
