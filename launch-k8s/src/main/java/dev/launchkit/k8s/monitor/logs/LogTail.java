package dev.launchkit.k8s.monitor.logs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The last {@code capacity} bytes (UTF-8) of a log, kept as whole lines: what a failure message quotes after the
 * pod itself is gone. Thread-safe.
 */
public final class LogTail {
    private final int capacity;
    private final Deque<String> lines = new ArrayDeque<>();
    private int size;
    private boolean truncated;

    /** @param capacity bytes to keep; at least 1 */
    public LogTail(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1 byte, got " + capacity);
        }
        this.capacity = capacity;
    }

    /** Appends one line (without its line break); drops the oldest lines beyond the capacity. */
    public synchronized void append(String line) {
        String l = line;
        int bytes = bytes(l) + 1;
        while (bytes > capacity) {
            // A single huge line keeps its end, which is where errors usually are.
            l = l.substring(Math.max(1, l.length() - capacity + 1));
            bytes = bytes(l) + 1;
            truncated = true;
        }
        lines.addLast(l);
        size += bytes;
        while (size > capacity && !lines.isEmpty()) {
            size -= bytes(lines.removeFirst()) + 1;
            truncated = true;
        }
    }

    /** Replaces the content with a whole text (the result of a tail request). */
    public synchronized void replace(String text) {
        lines.clear();
        size = 0;
        truncated = false;
        if (text == null || text.isEmpty()) {
            return;
        }
        for (String line : text.split("\r?\n", -1)) {
            append(line);
        }
        if (!lines.isEmpty() && lines.peekLast().isEmpty()) {
            size -= 1;
            lines.removeLast();
        }
    }

    /** Whether older content was dropped. */
    public synchronized boolean truncated() {
        return truncated;
    }

    public synchronized boolean isEmpty() {
        return lines.isEmpty();
    }

    /** The kept lines, each ending with a line break. */
    public synchronized String text() {
        StringBuilder sb = new StringBuilder(size);
        for (String l : lines) {
            sb.append(l).append('\n');
        }
        return sb.toString();
    }

    private static int bytes(String s) {
        int n = s.length();
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return s.getBytes(StandardCharsets.UTF_8).length;
            }
        }
        return n;
    }
}
