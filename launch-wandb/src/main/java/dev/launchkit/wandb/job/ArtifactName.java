package dev.launchkit.wandb.job;

/**
 * A W&B artifact reference split into its parts: {@code entity/project/name:alias}.
 *
 * @param entity  the entity
 * @param project the project
 * @param name    the collection name (without alias)
 * @param alias   the alias or version ({@code latest}, {@code v3})
 */
public record ArtifactName(String entity, String project, String name, String alias) {

    /**
     * Parses {@code entity/project/name:alias}, {@code project/name:alias} or {@code name:alias}; missing parts come
     * from the defaults, a missing alias is {@code latest}.
     *
     * @throws IllegalArgumentException naming the reference when it has no name or too many parts
     */
    public static ArtifactName parse(String reference, String defaultEntity, String defaultProject) {
        String ref = reference.strip();
        if (ref.startsWith("wandb-artifact://")) {
            ref = ref.substring("wandb-artifact://".length());
        }
        String[] parts = ref.split("/");
        String entity = defaultEntity;
        String project = defaultProject;
        String last;
        switch (parts.length) {
            case 1 -> last = parts[0];
            case 2 -> {
                project = parts[0];
                last = parts[1];
            }
            case 3 -> {
                entity = parts[0];
                project = parts[1];
                last = parts[2];
            }
            default -> throw new IllegalArgumentException("'" + reference + "' is not an artifact name: use "
                    + "entity/project/name:alias");
        }
        int colon = last.lastIndexOf(':');
        String name = colon < 0 ? last : last.substring(0, colon);
        String alias = colon < 0 || colon == last.length() - 1 ? "latest" : last.substring(colon + 1);
        if (name.isBlank() || entity.isBlank() || project.isBlank()) {
            throw new IllegalArgumentException("'" + reference + "' is not a complete artifact name: use "
                    + "entity/project/name:alias");
        }
        return new ArtifactName(entity, project, name, alias);
    }

    /** {@code name:alias}, as {@code ArtifactMembershipByName} takes it. */
    public String nameWithAlias() {
        return name + ":" + alias;
    }

    /** {@code entity/project/name:alias}. */
    @Override
    public String toString() {
        return entity + "/" + project + "/" + nameWithAlias();
    }
}
