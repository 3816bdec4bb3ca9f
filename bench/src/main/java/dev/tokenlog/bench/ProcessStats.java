package dev.tokenlog.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CPU time and resident memory of one process, read from Linux's {@code /proc}: {@code utime + stime}
 * of {@code /proc/<pid>/stat} (in clock ticks, {@code getconf CLK_TCK}) and {@code VmRSS} of
 * {@code /proc/<pid>/status}.
 *
 * @param cpuSeconds user plus system CPU time since the process started
 * @param rssBytes   resident set size now
 */
record ProcessStats(double cpuSeconds, long rssBytes) {
    private static final double TICKS_PER_SECOND = clockTicks();

    static ProcessStats of(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        // Fields after the command name (which may contain spaces) start at field 3, "state".
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime: fields 14 and 15
        long rssKb = Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status")).stream()
                .filter(l -> l.startsWith("VmRSS:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
                .findFirst().orElseThrow(() -> new IOException("no VmRSS for pid " + pid));
        return new ProcessStats(ticks / TICKS_PER_SECOND, rssKb * 1024);
    }

    /**
     * Heap in use by the JVM {@code pid} right after a full collection ({@code jcmd <pid> GC.run}, then
     * the "used" of {@code GC.heap_info}): its live objects, which RSS cannot show once the heap is
     * committed.
     */
    static long liveHeapBytes(long pid) throws IOException, InterruptedException {
        jcmd(pid, "GC.run");
        Matcher used = Pattern.compile("used (\\d+)K").matcher(jcmd(pid, "GC.heap_info"));
        if (!used.find()) {
            throw new IOException("jcmd " + pid + " GC.heap_info shows no 'used'");
        }
        return Long.parseLong(used.group(1)) * 1024;
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Path java = Path.of(ProcessHandle.current().info().command().orElse("java"));
        Path jcmd = java.resolveSibling("jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(jcmd + " " + pid + " " + command + " failed: " + out);
        }
        return out;
    }

    /** CPU seconds of the stack's processes ({@link Stack#PROCESSES}) together. */
    static double stackCpuSeconds(Stack stack) throws IOException {
        double total = 0;
        for (String process : Stack.PROCESSES) {
            total += of(stack.pid(process)).cpuSeconds();
        }
        return total;
    }

    /**
     * Waits until the stack is idle again after a load (the fold may still be folding, the broker
     * flushing): until its processes together use under a tenth of a core over half a second, or 30 s.
     * So CPU measured "over a run" includes the work the run left behind, not just what happened while
     * the clients were reading.
     */
    static void settle(Stack stack) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        double last = stackCpuSeconds(stack);
        while (System.nanoTime() < deadline) {
            Thread.sleep(500);
            double now = stackCpuSeconds(stack);
            if (now - last < 0.05) {
                return;
            }
            last = now;
        }
    }

    static ProcessStats self() throws IOException {
        return of(ProcessHandle.current().pid());
    }

    private static double clockTicks() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").start();
            return Double.parseDouble(new String(getconf.getInputStream().readAllBytes()).trim());
        } catch (IOException | NumberFormatException e) {
            return 100; // the value on every common Linux
        }
    }
}
