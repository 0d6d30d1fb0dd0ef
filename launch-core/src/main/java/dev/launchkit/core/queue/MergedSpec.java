package dev.launchkit.core.queue;

import dev.launchkit.core.LaunchSpec;
import java.util.List;
import java.util.Objects;

/**
 * A launch spec after its queue's configuration was merged in, with what the merge has to tell the submitter.
 *
 * @param spec     the spec with {@code resource} and {@code resource_args} set
 * @param warnings things worth telling the user (e.g. {@code resource_args} dropped in favour of template values)
 */
public record MergedSpec(LaunchSpec spec, List<String> warnings) {
    public MergedSpec {
        Objects.requireNonNull(spec, "spec");
        warnings = List.copyOf(warnings == null ? List.of() : warnings);
    }
}
