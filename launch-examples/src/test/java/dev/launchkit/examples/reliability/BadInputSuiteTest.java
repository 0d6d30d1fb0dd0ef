package dev.launchkit.examples.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-input suite: malformed items and queue configs among good runs, one agent. The short version runs in the
 * default build; the full one (over a thousand cases, huge strings of 1 to 5 MB) with {@code -Preliability}
 * ({@code -Dlaunchkit.seed=N} draws other cases).
 */
class BadInputSuiteTest {
    @Test
    void everyMalformedInputFailsAloneWithAClearMessageWhileGoodRunsFinishAndNoSecretLeaks(@TempDir Path work)
            throws Exception {
        check(BadInputSuite.run(BadInputSuite.Settings.quick(), work), BadInputSuite.Settings.quick());
    }

    @Test
    @EnabledIfSystemProperty(named = "launchkit.reliability", matches = "true")
    void overAThousandMalformedInputsFailAloneWithClearMessages(@TempDir Path work) throws Exception {
        BadInputSuite.Settings full = BadInputSuite.Settings.full().withSeed(Long.getLong("launchkit.seed", 9L));
        BadInputSuite.Result r = BadInputSuite.run(full, work);
        assertThat(r.cases()).isGreaterThanOrEqualTo(1_000);
        check(r, full);
    }

    private static void check(BadInputSuite.Result r, BadInputSuite.Settings s) {
        System.out.printf("bad-input figures: cases=%d categories=%d failed_clearly=%d unclear=%d runs=%d done=%d "
                        + "lost=%d duplicated=%d crashes=%d secret_leaks=%d seconds=%.1f per_category=%s%n", r.cases(),
                r.categories(), r.failedClearly(), r.unclear(), r.goodRuns(), r.goodDone(), r.lost(), r.duplicated(),
                r.crashes(), r.secretLeaks(), r.seconds(), r.perCategory());
        r.samples().forEach((category, message) -> System.out.println("  " + category + ": " + message));
        String problems = String.join("\n", r.problems());
        assertThat(r.perCategory()).as("every category is exercised").hasSize(r.categories());
        assertThat(r.cases()).isGreaterThanOrEqualTo(s.cases() * 9 / 10);
        assertThat(r.unclear()).as(problems).isZero();
        assertThat(r.failedClearly()).as(problems).isEqualTo(r.cases());
        assertThat(r.goodDone()).as(problems).isEqualTo(r.goodRuns()).isGreaterThan(r.cases() / s.goodEvery() - 2);
        assertThat(r.lost()).as(problems).isZero();
        assertThat(r.duplicated()).as(problems).isZero();
        assertThat(r.crashes()).as(problems).isZero();
        assertThat(r.secretLeaks()).as(problems).isZero();
    }
}
