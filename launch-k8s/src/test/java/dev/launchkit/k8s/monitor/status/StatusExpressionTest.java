package dev.launchkit.k8s.monitor.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class StatusExpressionTest {
    private static final JsonNode OBJECT = json("""
            {"metadata": {"name": "t1", "labels": {"example.com/done": "yes"}},
             "status": {"phase": "Succeeded", "failed": 3, "succeeded": "2", "active": 0, "message": "ok",
                        "completionTime": "2026-01-01T00:00:00Z", "startTime": null,
                        "conditions": [{"type": "Running", "status": "False"},
                                       {"type": "Complete", "status": "True", "reason": "Done"}],
                        "replicas": [{"name": "a", "ready": 1}, {"name": "b", "ready": 0}]}}
            """);

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = ';', value = {
            "status.phase == Succeeded; true",
            "status.phase = Succeeded; true",
            "status.phase == succeeded; false",
            "status.phase != Succeeded; false",
            "status.phase != Failed; true",
            "status.failed > 2; true",
            "status.failed > 3; false",
            "status.failed >= 3; true",
            "status.failed < 10; true",
            "status.failed <= 2; false",
            "status.succeeded == 2; true",
            "status.succeeded > 1.5; true",
            "status.phase in (Failed, Error); false",
            "status.phase in (Failed, Succeeded); true",
            "status.phase notin (Failed, Error); true",
            "status.succeeded >= 1, status.active == 0; true",
            "status.succeeded >= 1 && status.active > 0; false",
            "status.phase == Failed || status.failed > 2; true",
            "!(status.phase == Failed); true",
            "status.completionTime; true",
            "status.startTime; false",
            "status.missing; false",
            "!status.missing; true",
            "status.missing != x; true",
            "status.conditions[type==Complete].status == True; true",
            "status.conditions[type==Running].status == True; false",
            "status.conditions[?(@.type=='Complete')].reason == \"Done\"; true",
            "status.conditions[*].status == True; true",
            "status.conditions[0].type == Running; true",
            "status.conditions[-1].type == Complete; true",
            "status.replicas[*].ready > 0; true",
            "metadata.labels[\"example.com/done\"] == yes; true",
            "$.status.message == 'ok'; true",
            "status.message == \"ok, fine\"; false",
    })
    void evaluatesExpressionsOverTheResource(String expression, boolean expected) {
        assertThat(StatusExpression.parse(expression).test(OBJECT)).isEqualTo(expected);
    }

    @Test
    void numbersCompareNumericallyAndWordsAsText() {
        JsonNode o = json("{\"v\": 10, \"w\": \"abc\"}");
        assertThat(StatusExpression.parse("v > 9").test(o)).isTrue();
        assertThat(StatusExpression.parse("w > abb").test(o)).isTrue();
        assertThat(StatusExpression.parse("w > 5").test(o)).isTrue();
    }

    @Test
    void containersNeverEqualAValue() {
        assertThat(StatusExpression.parse("status == x").test(OBJECT)).isFalse();
    }

    @Test
    void rejectsMalformedExpressionsWithThePosition() {
        assertThatThrownBy(() -> StatusExpression.parse("status.phase =="))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected a value");
        assertThatThrownBy(() -> StatusExpression.parse("status.phase == a b"))
                .hasMessageContaining("column 19").hasMessageContaining("unexpected 'b'");
        assertThatThrownBy(() -> StatusExpression.parse("(status.phase == a"))
                .hasMessageContaining("expected ')'");
        assertThatThrownBy(() -> StatusExpression.parse("status.conditions[type].x == 1"))
                .hasMessageContaining("[type==Complete]");
        assertThatThrownBy(() -> StatusExpression.parse("   ")).hasMessageContaining("empty");
        assertThatThrownBy(() -> StatusExpression.parse("status.phase in Failed"))
                .hasMessageContaining("expected '('");
        assertThatThrownBy(() -> StatusExpression.parse("== 3")).hasMessageContaining("field path");
        assertThatThrownBy(() -> StatusExpression.parse("a == 'open")).hasMessageContaining("unterminated");
    }

    @Test
    void keepsItsTextForMessages() {
        assertThat(StatusExpression.parse("status.failed > 2")).hasToString("status.failed > 2");
    }

    private static JsonNode json(String text) {
        return dev.launchkit.k8s.monitor.Json.json(text);
    }
}
