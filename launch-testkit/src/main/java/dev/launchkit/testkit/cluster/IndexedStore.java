package dev.launchkit.testkit.cluster;

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
import java.util.Set;

/**
 * fabric8's CRUD store with an index by namespace and name. The mock finds an object for a create, update or patch
 * by scanning every stored object; with thousands of Jobs and pods that scan is what makes a simulated cluster slow.
 * The index turns those lookups into a hash lookup. Lists and watches still scan, as in the mock.
 *
 * <p>The mock changes its store only through {@code put}, {@code remove} and {@code clear} (fabric8 8.0.0), which
 * the index follows. Should the store not be replaceable, lookups fall back to the mock's scan.
 */
final class IndexedStore extends KubernetesCrudDispatcher {
    private final Index index = new Index();
    private final Map<AttributeSet, String> store = Collections.synchronizedMap(index);
    private final boolean indexed;

    IndexedStore() {
        boolean replaced;
        try {
            Field map = CrudDispatcher.class.getDeclaredField("map");
            map.setAccessible(true);
            map.set(this, store);
            replaced = map.get(this) == store;
        } catch (ReflectiveOperationException | RuntimeException e) {
            replaced = false; // the mock's own map stays: correct, only slower
        }
        indexed = replaced;
    }

    @Override
    public Map.Entry<AttributeSet, String> findResource(AttributeSet query) {
        String name = value(query, "name");
        String namespace = value(query, "namespace");
        if (!indexed || name == null || namespace == null) {
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
