package dev.launchkit.core.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.launchkit.core.AgentListener;
import dev.launchkit.core.LaunchContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Each answered poll reaches the listeners (metrics count queue polls from it). */
class PollEventsTest {

    @Test
    void listenersHearEmptyPollsAndThePollThatYieldedAnItem() {
        RecordingQueue q = new RecordingQueue("q");
        List<String> polls = new CopyOnWriteArrayList<>();
        LaunchAgent agent = LaunchAgent.builder().runner(new ScriptedRunner()).pollWait(Duration.ofMillis(20))
                .context(LaunchContext.basic(Map.of())).defaultResource("scripted").queue(q)
                .listener(new AgentListener() {
                    @Override
                    public void polled(String queueName, boolean gotItem) {
                        polls.add(queueName + ":" + gotItem);
                    }
                }).build();
        try {
            agent.start();
            Await.until(() -> polls.contains("q:false"), () -> "an empty poll, got " + polls);
            q.push("{\"entity\":\"team\",\"project\":\"p\",\"resource\":\"scripted\","
                    + "\"docker\":{\"docker_image\":\"python:3.11\"}}");
            Await.until(() -> polls.contains("q:true"), () -> "the poll with the item, got " + polls);
        } finally {
            agent.stop(Duration.ofSeconds(5));
        }
        assertThat(polls).allMatch(p -> p.startsWith("q:"));
    }
}
