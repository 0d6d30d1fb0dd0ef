package dev.launchkit.testkit.cluster;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.fabric8.mockwebserver.crud.AttributeSet;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Watch events served in-process from the store's own changes, the way an API server serves them from its watch
 * cache: every change the store makes is published here (under the store's write lock, so in the store's order) and
 * handed to each matching subscription without waiting for it; a bounded history lets a watch resume from a
 * {@code resourceVersion}, and a version older than the history gets {@code 410 Expired}, as after a compaction.
 *
 * <p>fabric8's own watch path is not used: it ends a closed watch on the server's event loop by waiting for the
 * watch's sender, which can freeze the whole server for up to 30 s.
 */
final class WatchHub {
    /** One change: the object's key and JSON before and after (null when absent), and its resourceVersion. */
    private record Change(long version, AttributeSet oldKey, String oldJson, AttributeSet newKey, String newJson) {
    }

    /** A watch's view: the query it matches and where its event lines go. */
    @FunctionalInterface
    interface Subscriber {
        /** Takes one line of the watch stream ({@code {"type":..,"object":..}}); must not block. */
        void accept(String line);
    }

    private final int historySize;
    private final Deque<Change> history = new ArrayDeque<>();
    private final Map<Subscriber, AttributeSet> subscribers = new ConcurrentHashMap<>();
    /** The version of the oldest change no longer in the history; a resume from before it is too old. */
    private long compactedThrough;

    WatchHub(int historySize) {
        this.historySize = historySize;
    }

    /**
     * Publishes one change; the caller holds the store's write lock. {@code newVersion} is the resourceVersion of the
     * new state, or for a deletion the version the deletion was given (the deleted object is sent with it, as a real
     * API server does).
     */
    void publish(AttributeSet oldKey, String oldJson, AttributeSet newKey, String newJson, long newVersion) {
        String deleted = newJson == null && oldJson != null ? withVersion(oldJson, newVersion) : oldJson;
        Change c = new Change(newVersion, oldKey, deleted, newKey, newJson == null ? null : oneLine(newJson));
        synchronized (history) {
            history.addLast(c);
            while (history.size() > historySize) {
                compactedThrough = history.removeFirst().version();
            }
        }
        subscribers.forEach((s, query) -> deliver(c, query, s));
    }

    /**
     * Subscribes {@code subscriber} to changes matching {@code query}; the caller holds the store's read lock so no
     * change slips between the starting state and the first event. With no {@code resourceVersion} (or "0") it
     * first gets ADDED for every object in {@code current}; with one it gets the changes after that version, or,
     * when the history no longer reaches back that far, false and nothing else.
     */
    boolean subscribe(AttributeSet query, String resourceVersion, Set<Map.Entry<AttributeSet, String>> current,
                      Subscriber subscriber) {
        long from = version(resourceVersion);
        if (from <= 0) {
            for (Map.Entry<AttributeSet, String> e : current) {
                if (e.getKey().matches(query)) {
                    subscriber.accept(line("ADDED", oneLine(e.getValue())));
                }
            }
        } else {
            List<Change> after = new ArrayList<>();
            synchronized (history) {
                if (from < compactedThrough) {
                    return false;
                }
                for (Change c : history) {
                    if (c.version() > from) {
                        after.add(c);
                    }
                }
            }
            after.forEach(c -> deliver(c, query, subscriber));
        }
        subscribers.put(subscriber, query);
        return true;
    }

    void unsubscribe(Subscriber subscriber) {
        subscribers.remove(subscriber);
    }

    /** The same event rules as the mock: a key matching before and after is MODIFIED, only before DELETED. */
    private static void deliver(Change c, AttributeSet query, Subscriber s) {
        boolean before = c.oldKey() != null && c.oldJson() != null && c.oldKey().matches(query);
        boolean after = c.newKey() != null && c.newJson() != null && c.newKey().matches(query);
        if (before && after) {
            s.accept(line("MODIFIED", c.newJson()));
        } else if (before) {
            s.accept(line("DELETED", c.oldJson()));
        } else if (after) {
            s.accept(line("ADDED", c.newJson()));
        }
    }

    static String line(String type, String json) {
        return "{\"type\":\"" + type + "\",\"object\":" + json + "}";
    }

    static long version(String resourceVersion) {
        if (resourceVersion == null || resourceVersion.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(resourceVersion);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The resourceVersion in an object's JSON, or 0. */
    static long versionOf(String json) {
        try {
            JsonElement rv = JsonParser.parseString(json).getAsJsonObject().getAsJsonObject("metadata")
                    .get("resourceVersion");
            return rv == null ? 0 : version(rv.getAsString());
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static String withVersion(String json, long version) {
        try {
            JsonObject o = JsonParser.parseString(json).getAsJsonObject();
            JsonObject meta = o.getAsJsonObject("metadata");
            if (meta != null) {
                meta.addProperty("resourceVersion", Long.toString(version));
            }
            return o.toString();
        } catch (RuntimeException e) {
            return oneLine(json);
        }
    }

    /** A watch stream is one JSON document per line; stored JSON is compact, but make sure. */
    private static String oneLine(String json) {
        return json.indexOf('\n') < 0 ? json : JsonParser.parseString(json).toString();
    }

    /** Subscriptions open now (a test aid). */
    int subscriberCount() {
        return subscribers.size();
    }
}
