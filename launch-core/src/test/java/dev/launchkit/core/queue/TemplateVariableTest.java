package dev.launchkit.core.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class TemplateVariableTest {

    @Test
    void acceptsIntegerWithinRangeAndCastsNumericText() {
        TemplateVariable gpus = TemplateVariable.integer("gpus").minimum(1).maximum(4);

        assertThat(gpus.validate(2).intValue()).isEqualTo(2);
        assertThat(gpus.validate("3").isIntegralNumber()).isTrue();
        assertThat(gpus.validate("3").intValue()).isEqualTo(3);
        assertThat(gpus.validate(4.0).intValue()).isEqualTo(4);
    }

    @Test
    void rejectsValueOfWrongTypeNamingTheVariable() {
        TemplateVariable gpus = TemplateVariable.integer("gpus");

        assertThatThrownBy(() -> gpus.validate("two"))
                .isInstanceOf(TemplateVariableException.class)
                .hasMessage("template variable 'gpus': value must be an integer, got 'two'")
                .extracting(e -> ((TemplateVariableException) e).variable()).isEqualTo("gpus");
        assertThatThrownBy(() -> gpus.validate(1.5)).hasMessageContaining("must be an integer, got 1.5");
        assertThatThrownBy(() -> TemplateVariable.number("lr").validate(true))
                .hasMessage("template variable 'lr': value must be a number, got true");
        assertThatThrownBy(() -> TemplateVariable.string("tier").validate(java.util.List.of("a")))
                .hasMessage("template variable 'tier': value must be a string, got [\"a\"]");
    }

    @Test
    void rejectsValuesOutsideMinimumAndMaximum() {
        TemplateVariable cpu = TemplateVariable.number("cpu").minimum(0.5).maximum(8);

        assertThatThrownBy(() -> cpu.validate(9))
                .hasMessage("template variable 'cpu': 9 is above the maximum 8");
        assertThatThrownBy(() -> cpu.validate(0.25))
                .hasMessage("template variable 'cpu': 0.25 is below the minimum 0.5");
        assertThat(cpu.validate(0.5).decimalValue()).isEqualByComparingTo(new BigDecimal("0.5"));
    }

    @Test
    void rejectsValueNotInEnum() {
        TemplateVariable tier = TemplateVariable.string("tier").allowed("small", "large");

        assertThat(tier.validate("large").asText()).isEqualTo("large");
        assertThatThrownBy(() -> tier.validate("medium"))
                .hasMessage("template variable 'tier': 'medium' is not one of 'small', 'large'");
    }

    @Test
    void comparesIntegerEnumValuesNumerically() {
        TemplateVariable gpus = TemplateVariable.integer("gpus").allowed(1, 2, 4);

        assertThat(gpus.validate("4").intValue()).isEqualTo(4);
        assertThatThrownBy(() -> gpus.validate(3)).hasMessageContaining("3 is not one of 1, 2, 4");
    }

    @Test
    void refusesDefaultThatBreaksItsOwnSchema() {
        assertThatThrownBy(() -> TemplateVariable.integer("gpus").maximum(4).defaultValue(8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("template variable 'gpus': the default does not satisfy the schema")
                .hasMessageContaining("8 is above the maximum 4");
        assertThatThrownBy(() -> TemplateVariable.string("tier").minimum(1))
                .hasMessageContaining("minimum and maximum apply to integer and number variables");
    }

    @Test
    void readsWandbSchemaStringsAndWritesThemBack() {
        TemplateVariable v = TemplateVariable.fromSchema("gpus",
                "{\"type\":\"integer\",\"minimum\":1,\"maximum\":4,\"default\":1,\"description\":\"GPUs\"}");

        assertThat(v.type()).isEqualTo(TemplateVariable.Type.INTEGER);
        assertThat(v.minimum()).contains(new BigDecimal("1"));
        assertThat(v.maximum()).contains(new BigDecimal("4"));
        assertThat(v.defaultValue()).contains(JsonNodeFactory.instance.numberNode(1));
        assertThat(TemplateVariable.fromSchema("gpus", v.schema())).isEqualTo(v);
    }

    @Test
    void rejectsSchemaWithUnknownTypeOrKey() {
        assertThatThrownBy(() -> TemplateVariable.fromSchema("x", "{\"type\":\"boolean\"}"))
                .hasMessageContaining("type: 'boolean' is not one of string, integer, number");
        assertThatThrownBy(() -> TemplateVariable.fromSchema("x", "{\"type\":\"integer\",\"maximun\":3}"))
                .hasMessageContaining("'maximun' is not a supported schema key");
        assertThatThrownBy(() -> TemplateVariable.fromSchema("x", "{\"minimum\":1}"))
                .hasMessageContaining("template variable 'x' needs a type");
    }

    @Test
    void rejectsNamesThatCannotStandInAPlaceholder() {
        assertThatThrownBy(() -> TemplateVariable.string("two words"))
                .hasMessageContaining("template variable name 'two words'");
    }
}
