package dev.launchkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretMaskerTest {
    @Test
    void masksEveryRegisteredSecretLongestFirst() {
        SecretMasker m = new SecretMasker();
        m.register("abcd1234");
        m.register("abcd1234-extended");
        m.register("a");
        assertThat(m.mask("k=abcd1234-extended v=abcd1234 a")).isEqualTo("k=**** v=**** a");
    }

    @Test
    void credentialsNeverPrintTheirPassword() {
        RegistryCredentials c = new RegistryCredentials("reg.example", "AWS", "tok-secret", null);
        assertThat(c.toString()).doesNotContain("tok-secret");
        assertThat(c.toDockerConfigJson()).contains("\"reg.example\"").contains(c.basicAuth());
    }
}
