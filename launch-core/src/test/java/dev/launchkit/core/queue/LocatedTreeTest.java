package dev.launchkit.core.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.testutil.Seed;
import org.junit.jupiter.api.Test;

class LocatedTreeTest {
    private final LocatedTree parser = new LocatedTree();

    @Test
    void remembersTheLineOfEveryKey() {
        ConfigNode root = parser.parse("{\n  \"docker\": {\n    \"docker_image\": 5\n  }\n}", "a.json",
                LocatedTree.Format.JSON);

        assertThat(root.child("docker").child("docker_image").location()).isEqualTo("a.json:3");
    }

    @Test
    void reportsBrokenJsonWithLine() {
        assertThatThrownBy(() -> parser.parse("{\n  \"entity\": \"a\"\n  \"project\": \"b\"\n}", "a.json",
                LocatedTree.Format.JSON))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("a.json:3: invalid JSON:")
                .hasMessageContaining("check for a missing comma");
    }

    @Test
    void reportsTabIndentedYamlWithLineAndFix() {
        assertThatThrownBy(() -> parser.parse(Seed.text("launch-config.yaml"), "launch-config.yaml",
                LocatedTree.Format.YAML))
                .hasMessageMatching("launch-config\\.yaml:\\d+: the line is indented with a tab, and YAML allows only "
                        + "spaces for indentation; replace the tab with spaces");
    }

    @Test
    void reportsDuplicateKeysWithBothLines() {
        assertThatThrownBy(() -> parser.parse("entity: a\nproject: p\nentity: b\n", "a.yaml", LocatedTree.Format.YAML))
                .hasMessage("a.yaml:3: entity: duplicate key; the first one is on line 1 — remove one of them");
    }

    @Test
    void reportsEmptyFiles() {
        assertThatThrownBy(() -> parser.parse("  \n", "a.yaml", LocatedTree.Format.YAML))
                .hasMessageStartingWith("a.yaml: the file is empty");
    }

    @Test
    void reportsSecondYamlDocument() {
        assertThatThrownBy(() -> parser.parse("entity: a\n---\nentity: b\n", "a.yaml", LocatedTree.Format.YAML))
                .hasMessageContaining("a file holds exactly one launch spec");
    }
}
