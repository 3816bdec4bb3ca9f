package dev.tokenlog.fanout.streams;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** CPU time per thread of this JVM between two points, grouped by thread name, for the benchmark's report. */
final class ThreadCpu {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final Map<Long, Long> startNanos = snapshot();
    private final long processStartNanos = OS.getProcessCpuTime();
    private final long gcStartMs = gcMillis();
    private final long jitStartMs = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(b -> Math.max(0, b.getCollectionTime())).sum();
    }

    private static Map<Long, Long> snapshot() {
        Map<Long, Long> cpu = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            cpu.put(id, Math.max(0, THREADS.getThreadCpuTime(id)));
        }
        return cpu;
    }

    /**
     * The busiest thread groups since creation, as "name: seconds" lines, then the whole process
     * (which also counts GC, JIT compilers and RocksDB's native threads).
     */
    String report(int top) {
        long process = OS.getProcessCpuTime() - processStartNanos;
        Map<String, Long> byGroup = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            ThreadInfo info = THREADS.getThreadInfo(id);
            long used = Math.max(0, THREADS.getThreadCpuTime(id)) - startNanos.getOrDefault(id, 0L);
            if (info != null && used > 0) {
                byGroup.merge(group(info.getThreadName()), used, Long::sum);
            }
        }
        return byGroup.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
                .map(e -> String.format("    %6.2f s  %s", e.getValue() / 1e9, e.getKey()))
                .collect(Collectors.joining("\n"))
                + String.format("%n    %6.2f s  GC (collector time), %6.2f s JIT compilation (wall, all compiler threads)"
                                + "%n    %6.2f s  whole process (Java threads above + GC, JIT, RocksDB native threads)",
                        (gcMillis() - gcStartMs) / 1e3,
                        (ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - jitStartMs) / 1e3,
                        process / 1e9);
    }

    private static String group(String name) {
        return name.replaceAll("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-?", "")
                .replaceAll("-bench-[0-9a-f]{8}", "-bench").replaceAll("[-_ ]?\\d+$", "");
    }
}
