package dev.launchkit.builder.kaniko.transport;

import dev.launchkit.core.ObjectStore;
import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Uploads contexts to {@code <build-context-store>/<run_id>.tgz} through the environment's {@link ObjectStore}
 * (S3, GCS, Azure Blob); Kaniko reads that URI with its own credentials (workload identity, or the cloud secret).
 */
public final class ObjectStoreTransport implements ContextTransport {
    private final ObjectStore store;

    public ObjectStoreTransport(ObjectStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    @Override
    public StagedContext stage(Path archive, String runId) {
        URI uri = store.upload(runId + ".tgz", archive);
        return new StagedContext(uri.toString(), uri.toString());
    }

    @Override
    public void remove(StagedContext staged) {
        store.delete(URI.create(staged.location()));
    }

    @Override
    public String describe() {
        return "object store " + store.baseUri();
    }
}
