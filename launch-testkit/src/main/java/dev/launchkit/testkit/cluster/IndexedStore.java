package dev.launchkit.testkit.cluster;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.CrudDispatcher;
import java.lang.reflect.Field;
import java.util.AbstractMap;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;

/**
 * fabric8's CRUD store with an index by namespace and name. The mock finds an object for a create, update or patch
 * by scanning every stored object; with thousands of Jobs and pods that scan is what makes a simulated cluster slow.
 * The index turns those lookups into a hash lookup. Lists still scan, as in the mock.
 *
 * <p>The mock changes its store only through {@code put}, {@code remove} and {@code clear} (fabric8 8.0.0), which
 * the index follows, and every change of an object goes through {@link #processEvent}, which also publishes it to
 * the {@link WatchHub} that serves watches in-process. Both need the mock's private store map and lock; the
 * constructor fails when a mock version no longer has them.
 */
final class IndexedStore extends KubernetesCrudDispatcher {
    private final Index index = new Index();
    private final Map<AttributeSet, String> store = Collections.synchronizedMap(index);
    private final ReadWriteLock lock;
    private final WatchHub watches;

    IndexedStore(WatchHub watches) {
        this.watches = watches;
        try {
            Field map = CrudDispatcher.class.getDeclaredField("map");
            map.setAccessible(true);
            map.set(this, store);
            Field rw = KubernetesCrudDispatcher.class.getDeclaredField("lock");
            rw.setAccessible(true);
            lock = (ReadWriteLock) rw.get(this);
            if (map.get(this) != store || lock == null) {
                throw new IllegalStateException("the store map was not replaced");
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("this fabric8 kubernetes-server-mock version does not keep its store in a"
                    + " 'map' field and its lock in a 'lock' field as 8.0.0 does; pin 8.0.0 for the launch-testkit",
                    e);
        }
    }

    /** Every change of a stored object passes here under the write lock; watches hear of it in that order. */
    @Override
    public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
                             GenericKubernetesResource resource, String newState) {
        String existing = oldAttributes == null ? null : store.get(oldAttributes);
        index.lastPut = null;
        super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
        if (Objects.equals(existing, newState)) {
            return;
        }
        if (newState == null) {
            watches.publish(oldAttributes, existing, null, null, requestResourceVersion());
            return;
        }
        long version = WatchHub.versionOf(newState);
        watches.publish(oldAttributes, existing, index.lastPut, newState,
                version > 0 ? version : requestResourceVersion());
    }

    /**
     * Opens a watch on {@code path} (its query, plus the name a {@code metadata.name} field selector gives) from
     * {@code resourceVersion}; false when that version is older than the watch history.
     */
    boolean watch(String path, String name, String resourceVersion, WatchHub.Subscriber subscriber) {
        AttributeSet query = getAttributeExtractor().fromPath(path);
        if (name != null) {
            query = query.add(new Attribute("name", name));
        }
        Lock read = lock.readLock();
        read.lock();
        try {
            synchronized (store) {
                return watches.subscribe(query, resourceVersion, index.entrySet(), subscriber);
            }
        } finally {
            read.unlock();
        }
    }

    @Override
    public Map.Entry<AttributeSet, String> findResource(AttributeSet query) {
        String name = value(query, "name");
        String namespace = value(query, "namespace");
        if (name == null || namespace == null) {
            return super.findResource(query);
        }
        synchronized (store) {
            Set<AttributeSet> candidates = index.byName.get(namespace + "/" + name);
            if (candidates != null) {
                for (AttributeSet key : candidates) {
                    if (key.matches(query)) {
                        return new AbstractMap.SimpleImmutableEntry<>(key, index.get(key));
                    }
                }
            }
            return null;
        }
    }

    private static String value(AttributeSet set, String key) {
        Attribute attribute = set.getAttribute(key);
        return attribute == null || attribute.getValues().size() != 1 ? null
                : attribute.getValues().get(0).toString();
    }

    /** The store's map plus namespace/name → keys; objects without a namespace are indexed under "". */
    private static final class Index extends LinkedHashMap<AttributeSet, String> {
        private final Map<String, Set<AttributeSet>> byName = new HashMap<>();
        /** The key of the last put: the new state's key, for the event {@link #processEvent} publishes. */
        private AttributeSet lastPut;

        private static String id(AttributeSet key) {
            String name = value(key, "name");
            if (name == null) {
                return null;
            }
            String namespace = value(key, "namespace");
            return (namespace == null ? "" : namespace) + "/" + name;
        }

        @Override
        public String put(AttributeSet key, String value) {
            String old = super.put(key, value);
            lastPut = key;
            String id = id(key);
            if (id != null) {
                byName.computeIfAbsent(id, k -> new HashSet<>(2)).add(key);
            }
            return old;
        }

        @Override
        public String remove(Object key) {
            String old = super.remove(key);
            if (old != null && key instanceof AttributeSet set) {
                String id = id(set);
                Set<AttributeSet> keys = id == null ? null : byName.get(id);
                if (keys != null) {
                    keys.remove(set);
                    if (keys.isEmpty()) {
                        byName.remove(id);
                    }
                }
            }
            return old;
        }

        @Override
        public void clear() {
            super.clear();
            byName.clear();
        }
    }
}
