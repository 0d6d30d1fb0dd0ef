package dev.launchkit.core.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.launchkit.core.Queue;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForwardingQueueTest {
    /** A value of each parameter type the Queue methods take (null for the SPI's own value types). */
    private static Object arg(Class<?> type) {
        if (type == java.time.Duration.class) {
            return java.time.Duration.ZERO;
        }
        if (type == String.class) {
            return "x";
        }
        return null;
    }

    private static Object answer(Class<?> type) {
        if (type == boolean.class) {
            return false;
        }
        if (type == int.class) {
            return 0;
        }
        if (type == java.util.Optional.class) {
            return java.util.Optional.empty();
        }
        return type == String.class ? "delegate" : null;
    }

    @Test
    void everyQueueMethodIncludingLaterDefaultsReachesTheDelegate() throws Exception {
        List<String> reached = new ArrayList<>();
        Queue delegate = (Queue) Proxy.newProxyInstance(Queue.class.getClassLoader(), new Class<?>[] {Queue.class},
                (proxy, method, args) -> {
                    reached.add(method.getName());
                    return answer(method.getReturnType());
                });
        ForwardingQueue forwarding = new ForwardingQueue(delegate) { };
        List<String> expected = new ArrayList<>();
        for (Method m : Queue.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            assertThat(ForwardingQueue.class.getDeclaredMethod(m.getName(), m.getParameterTypes()))
                    .as("ForwardingQueue must override " + m).isNotNull();
            Object[] args = new Object[m.getParameterCount()];
            for (int i = 0; i < args.length; i++) {
                args[i] = arg(m.getParameterTypes()[i]);
            }
            m.invoke(forwarding, args);
            expected.add(m.getName());
        }
        assertThat(reached).containsExactlyElementsOf(expected);
    }
}
