package dev.launchkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageRefTest {
    @ParameterizedTest
    @CsvSource({
        "python:3.11, docker.io, library/python, 3.11, ''",
        "ubuntu, docker.io, library/ubuntu, latest, ''",
        "ghcr.io/org/img:v1, ghcr.io, org/img, v1, ''",
        "localhost:5000/x/y, localhost:5000, x/y, latest, ''",
        "123.dkr.ecr.us-east-1.amazonaws.com/launch/images:abc, 123.dkr.ecr.us-east-1.amazonaws.com, launch/images, abc, ''",
        "reg.example:443/a@sha256:0123456789abcdef, reg.example:443, a, '', sha256:0123456789abcdef",
    })
    void parsesLikeDocker(String ref, String registry, String repo, String tag, String digest) {
        ImageRef image = ImageRef.parse(ref);
        assertThat(image.registry()).isEqualTo(registry);
        assertThat(image.repository()).isEqualTo(repo);
        assertThat(image.tag()).isEqualTo(tag);
        assertThat(image.digest()).isEqualTo(digest);
        assertThat(ImageRef.parse(image.toString())).isEqualTo(image);
    }

    @ParameterizedTest
    @CsvSource({"'Upper/Case:1'", "'a b'", "'repo:bad tag'", "'x:'", "''"})
    void refusesInvalidReferences(String ref) {
        assertThatThrownBy(() -> ImageRef.parse(ref)).isInstanceOf(IllegalArgumentException.class);
    }
}
