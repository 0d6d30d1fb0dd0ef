package dev.launchkit.core.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PriorityTest {

    @Test
    void mapsWordsToWandbNumbers() {
        assertThat(Priority.parse("critical").wandbValue()).isZero();
        assertThat(Priority.parse("HIGH").wandbValue()).isEqualTo(1);
        assertThat(Priority.parse("medium")).isEqualTo(Priority.MEDIUM);
        assertThat(Priority.parse("3")).isEqualTo(Priority.LOW);
        assertThat(Priority.fromWandb(2)).isEqualTo(Priority.MEDIUM);
    }

    @Test
    void rejectsUnknownPriorityListingTheWords() {
        assertThatThrownBy(() -> Priority.parse("urgent"))
                .hasMessage("priority 'urgent' is not one of critical, high, medium, low (or 0..3)");
        assertThatThrownBy(() -> Priority.fromWandb(7)).hasMessageContaining("priority 7 is not one of");
    }

    @Test
    void parsesPrioritizationModes() {
        assertThat(PrioritizationMode.parse("V0")).isEqualTo(PrioritizationMode.V0);
        assertThat(PrioritizationMode.parse("disabled")).isEqualTo(PrioritizationMode.DISABLED);
        assertThatThrownBy(() -> PrioritizationMode.parse("V1")).hasMessageContaining("is not one of V0, disabled");
    }
}
