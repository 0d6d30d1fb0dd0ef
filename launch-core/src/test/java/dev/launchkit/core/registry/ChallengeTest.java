package dev.launchkit.core.registry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChallengeTest {

    @Test
    void parsesABearerChallengeWithQuotedParameters() {
        Challenge c = Challenge.parse("Bearer realm=\"https://auth.example/token\",service=\"registry.example\","
                + "scope=\"repository:team/app:pull,push\"").orElseThrow();

        assertThat(c.scheme()).isEqualTo("bearer");
        assertThat(c.param("realm")).contains("https://auth.example/token");
        assertThat(c.param("service")).contains("registry.example");
        assertThat(c.param("scope")).contains("repository:team/app:pull,push");
    }

    @Test
    void parsesABasicChallengeAndUnquotedValues() {
        Challenge c = Challenge.parse("Basic realm=basic-realm, charset=\"UTF-8\"").orElseThrow();

        assertThat(c.scheme()).isEqualTo("basic");
        assertThat(c.params()).containsEntry("realm", "basic-realm").containsEntry("charset", "UTF-8");
    }

    @Test
    void anEmptyHeaderIsNoChallenge() {
        assertThat(Challenge.parse("")).isEmpty();
        assertThat(Challenge.parse(null)).isEmpty();
    }
}
