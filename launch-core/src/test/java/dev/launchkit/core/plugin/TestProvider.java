package dev.launchkit.core.plugin;

import dev.launchkit.core.Provider;

/** A test SPI registered in META-INF/services of the test resources. */
public interface TestProvider extends Provider {
    final class Alpha implements TestProvider {
        @Override
        public String type() {
            return "alpha";
        }
    }

    final class Beta implements TestProvider {
        @Override
        public String type() {
            return "beta";
        }
    }
}
