package dev.launchkit.core.queue;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import org.junit.jupiter.api.Test;

class SpecValidatorTest {
    @Test
    void aMegabyteStringWhereAMappingBelongsGivesAShortMessageNamingTheKey() {
        ObjectNode spec = JsonNodeFactory.instance.objectNode().put("docker", "x".repeat(1 << 20));

        assertThatThrownBy(() -> SpecValidator.validate(ConfigNode.of(spec, "item.json")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("docker: expected a mapping, got 'xxxx")
                .hasMessageContaining("(1048576 characters)")
                .satisfies(e -> org.assertj.core.api.Assertions.assertThat(e.getMessage()).hasSizeLessThan(300));
    }
}
