package dev.tokenlog.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every figure of one run, in the order measured, plus free-text notes per group (e.g. a count that
 * was reduced, or a step that failed). The report writer turns it into RESULTS.md and results.csv.
 */
public final class Results {
    private final List<Figure> figures = new ArrayList<>();
    private final Map<String, List<String>> notes = new LinkedHashMap<>();

    public synchronized void add(String group, String name, double value, String unit, String method) {
        figures.add(new Figure(group, name, value, unit, method));
        System.out.printf("bench: %-12s %-55s %12.2f %s%n", group, name, value, unit);
    }

    public synchronized void note(String group, String text) {
        notes.computeIfAbsent(group, g -> new ArrayList<>()).add(text);
        System.out.println("bench: " + group + ": " + text);
    }

    public synchronized List<Figure> figures() {
        return List.copyOf(figures);
    }

    public synchronized List<String> notes(String group) {
        return List.copyOf(notes.getOrDefault(group, List.of()));
    }
}
