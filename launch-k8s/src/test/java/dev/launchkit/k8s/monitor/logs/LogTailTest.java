package dev.launchkit.k8s.monitor.logs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTailTest {

    @Test
    void keepsTheLastLinesWithinTheCapacity() {
        LogTail tail = new LogTail(12);
        tail.append("first");
        tail.append("second");
        tail.append("third");
        assertThat(tail.text()).isEqualTo("third\n");
        tail.append("x");
        assertThat(tail.text()).isEqualTo("third\nx\n");
        assertThat(tail.truncated()).isTrue();
    }

    @Test
    void aHugeLineKeepsItsEnd() {
        LogTail tail = new LogTail(8);
        tail.append("0123456789ERROR");
        assertThat(tail.text()).isEqualTo("789ERROR\n".substring(1));
        assertThat(tail.truncated()).isTrue();
    }

    @Test
    void countsBytesNotCharacters() {
        LogTail tail = new LogTail(10);
        tail.append("ééé");
        tail.append("ab");
        assertThat(tail.text()).isEqualTo("ééé\nab\n");
        tail.append("c");
        assertThat(tail.text()).isEqualTo("ab\nc\n");
    }

    @Test
    void replaceTakesAWholeTextWithoutAnEmptyLastLine() {
        LogTail tail = new LogTail(1024);
        tail.append("old");
        tail.replace("a\nb\r\nc\n");
        assertThat(tail.text()).isEqualTo("a\nb\nc\n");
        assertThat(tail.truncated()).isFalse();
        tail.replace("");
        assertThat(tail.isEmpty()).isTrue();
    }
}
