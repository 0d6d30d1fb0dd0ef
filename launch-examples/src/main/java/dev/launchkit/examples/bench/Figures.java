package dev.launchkit.examples.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Benchmark figures: printed as a table and written as JSON, never compared with a fixed time in a test. */
public final class Figures {
    private final Map<String, Map<String, Object>> rows = new LinkedHashMap<>();

    /** Adds one figure to a row (a benchmark), e.g. {@code ("pickup directory", "p50_ms", 3.2)}. */
    public Figures put(String row, String column, Object value) {
        rows.computeIfAbsent(row, r -> new LinkedHashMap<>()).put(column, value);
        return this;
    }

    public Map<String, Map<String, Object>> rows() {
        return rows;
    }

    /** Percentile of sorted-or-not samples in nanoseconds, as milliseconds. */
    public static double percentileMillis(long[] nanos, double p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))] / 1e6;
    }

    public void print(PrintStream out) {
        for (Map.Entry<String, Map<String, Object>> row : rows.entrySet()) {
            StringBuilder sb = new StringBuilder(String.format("%-28s", row.getKey()));
            row.getValue().forEach((k, v) -> sb.append(String.format("  %s=%s", k,
                    v instanceof Double d ? String.format("%.2f", d) : v)));
            out.println(sb);
        }
    }

    public void writeJson(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.valueToTree(rows);
        Files.createDirectories(file.toAbsolutePath().getParent());
        json.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
    }
}
