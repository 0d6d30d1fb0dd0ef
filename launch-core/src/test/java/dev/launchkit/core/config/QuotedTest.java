package dev.launchkit.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QuotedTest {
    @Test
    void quotesAShortValueWhole() {
        assertThat(Quoted.of("kube-system")).isEqualTo("'kube-system'");
    }

    @Test
    void cutsAHugeValueAndSaysHowLongItWas() {
        String q = Quoted.of("a".repeat(5_000_000));

        assertThat(q).startsWith("'" + "a".repeat(Quoted.MAX) + "…'").endsWith("(5000000 characters)");
        assertThat(q.length()).isLessThan(Quoted.MAX + 40);
    }
}
