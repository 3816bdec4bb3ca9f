package dev.tokenlog.bench;

/**
 * One reported number: its group (a table of RESULTS.md), name, value, unit and how it was measured.
 *
 * @param group  figure group, e.g. {@code latency}
 * @param name   what the value is, e.g. {@code p99 at 100 streams}
 * @param value  the number ({@code NaN} when it could not be measured)
 * @param unit   e.g. {@code ms}, {@code chunks/s}
 * @param method how it was measured, in one sentence
 */
public record Figure(String group, String name, double value, String unit, String method) {
}
