package dev.launchkit.core.plugin;

import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.Provider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;

/**
 * The providers of one SPI found on a class loader, by type word.
 *
 * <pre>{@code
 * Plugins<BuilderProvider> builders = Plugins.load(BuilderProvider.class, "builder");
 * BuilderProvider p = builders.require("kaniko", config.child("type"));
 * }</pre>
 *
 * <p>Immutable once loaded; no static caches, so two agents with different class loaders see their own plugins.
 */
public final class Plugins<P extends Provider> {
    private final String what;
    private final Map<String, P> byType;

    private Plugins(String what, Map<String, P> byType) {
        this.what = what;
        this.byType = byType;
    }

    /** Discovers the providers of {@code spi} with the thread's context class loader. */
    public static <P extends Provider> Plugins<P> load(Class<P> spi, String what) {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return load(spi, what, cl == null ? Plugins.class.getClassLoader() : cl);
    }

    /**
     * Discovers the providers of {@code spi} with the given class loader.
     *
     * @param what the word used in error messages, e.g. {@code builder}
     * @throws ConfigException when two providers claim the same type
     */
    public static <P extends Provider> Plugins<P> load(Class<P> spi, String what, ClassLoader loader) {
        List<P> found = new ArrayList<>();
        ServiceLoader.load(spi, loader).forEach(found::add);
        return of(what, found);
    }

    /** Providers given in code (embedding, tests). */
    public static <P extends Provider> Plugins<P> of(String what, List<P> providers) {
        Map<String, P> byType = new LinkedHashMap<>();
        for (P p : providers) {
            P previous = byType.putIfAbsent(p.type(), p);
            if (previous != null && previous.getClass() != p.getClass()) {
                throw new ConfigException("two " + what + " plugins claim the type '" + p.type() + "': "
                        + previous.getClass().getName() + " and " + p.getClass().getName()
                        + "; remove one of them from the classpath");
            }
        }
        return new Plugins<>(what, Map.copyOf(byType));
    }

    /** The types found, sorted. */
    public Set<String> types() {
        return new TreeSet<>(byType.keySet());
    }

    public Optional<P> find(String type) {
        return Optional.ofNullable(byType.get(type));
    }

    /** All providers, in type order. */
    public List<P> all() {
        return byType.values().stream().sorted(Comparator.comparing(Provider::type)).toList();
    }

    /**
     * The provider for {@code type}.
     *
     * @param where the config node that named the type, for the error location
     * @throws ConfigException listing the types on the classpath and the nearest one
     */
    public P require(String type, ConfigNode where) {
        P p = byType.get(type);
        if (p != null) {
            return p;
        }
        throw where.error(unknownMessage(type));
    }

    /** Like {@link #require(String, ConfigNode)} for types that do not come from a file. */
    public P require(String type) {
        P p = byType.get(type);
        if (p != null) {
            return p;
        }
        throw new ConfigException(what + " type " + unknownMessage(type));
    }

    private String unknownMessage(String type) {
        StringBuilder sb = new StringBuilder("'").append(type).append("' is not one of ");
        sb.append(byType.isEmpty() ? "(no " + what + " plugins on the classpath)" : String.join(", ", types()));
        nearest(type).ifPresent(n -> sb.append(" — did you mean '").append(n).append("'?"));
        if (!byType.isEmpty() && nearest(type).isEmpty()) {
            sb.append(" — add the module that provides '").append(type).append("' to the classpath, or use one of these");
        }
        return sb.toString();
    }

    /** The known type closest to {@code type} by edit distance, if it is close enough to be a typo. */
    Optional<String> nearest(String type) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : types()) {
            int d = Levenshtein.distance(type.toLowerCase(java.util.Locale.ROOT), candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        int allowed = Math.max(2, Math.max(best.length(), type.length()) / 3);
        return bestDistance <= allowed ? Optional.of(best) : Optional.empty();
    }
}
