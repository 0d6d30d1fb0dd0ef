package dev.launchkit.core;

import java.util.Objects;
import java.util.Optional;

/**
 * A container image reference, {@code [registry/]repository[:tag][@digest]}, parsed the way Docker does.
 *
 * @param registry   the registry host (and port), e.g. {@code 123.dkr.ecr.us-east-1.amazonaws.com};
 *                   {@code docker.io} when the reference names none
 * @param repository the repository path, e.g. {@code launch-images} or {@code library/python}
 * @param tag        the tag, empty when the reference has a digest only; {@code latest} when it has neither
 * @param digest     the digest ({@code sha256:...}), empty when absent
 */
public record ImageRef(String registry, String repository, String tag, String digest) {

    public static final String DOCKER_HUB = "docker.io";

    public ImageRef {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(repository, "repository");
        tag = tag == null ? "" : tag;
        digest = digest == null ? "" : digest;
        if (repository.isEmpty()) {
            throw new IllegalArgumentException("image reference has an empty repository");
        }
    }

    /**
     * Parses {@code python:3.11}, {@code ghcr.io/org/img:tag}, {@code localhost:5000/x@sha256:...}.
     *
     * @throws IllegalArgumentException naming the reference when it is not a valid image reference
     */
    public static ImageRef parse(String reference) {
        if (reference == null || reference.isBlank() || reference.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("'" + reference + "' is not an image reference: expected [registry/]repository[:tag][@digest]");
        }
        String rest = reference;
        String digest = "";
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
            if (!digest.matches("[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+")) {
                throw new IllegalArgumentException("'" + reference + "' has an invalid digest '" + digest + "'");
            }
        }
        String registry = DOCKER_HUB;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                registry = first;
                rest = rest.substring(slash + 1);
            }
        }
        String tag = "";
        int colon = rest.lastIndexOf(':');
        if (colon >= 0) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!tag.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")) {
                throw new IllegalArgumentException("'" + reference + "' has an invalid tag '" + tag + "'");
            }
        }
        if (!rest.matches("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*")) {
            throw new IllegalArgumentException("'" + reference + "' has an invalid repository '" + rest
                    + "': use lower-case letters, digits and . _ - separated by /");
        }
        if (registry.equals(DOCKER_HUB) && !rest.contains("/")) {
            rest = "library/" + rest;
        }
        if (tag.isEmpty() && digest.isEmpty()) {
            tag = "latest";
        }
        return new ImageRef(registry, rest, tag, digest);
    }

    /** The same repository with another tag and no digest. */
    public ImageRef withTag(String newTag) {
        return new ImageRef(registry, repository, newTag, "");
    }

    /** {@code registry/repository}, without tag or digest. */
    public String repositoryUri() {
        return registry + "/" + repository;
    }

    public Optional<String> digestIfAny() {
        return digest.isEmpty() ? Optional.empty() : Optional.of(digest);
    }

    /** The canonical reference, e.g. {@code docker.io/library/python:3.11}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(repositoryUri());
        if (!tag.isEmpty()) {
            sb.append(':').append(tag);
        }
        if (!digest.isEmpty()) {
            sb.append('@').append(digest);
        }
        return sb.toString();
    }
}
