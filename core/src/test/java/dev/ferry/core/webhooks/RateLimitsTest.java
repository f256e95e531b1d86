package dev.ferry.core.webhooks;

import static dev.ferry.core.testing.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A flood at one webhook is cut to its rate after a burst; another webhook is not touched by it. */
class RateLimitsTest {

    @Test
    void aBurstPasses_thenTheRate_perWebhook() {
        RateLimits limits = new RateLimits();
        int passed = 0;
        for (int i = 0; i < 100; i++) if (limits.take("a", T0)) passed++;

        assertThat(passed).isEqualTo((int) RateLimits.BURST);
        assertThat(limits.take("b", T0)).as("another webhook has its own bucket").isTrue();
        assertThat(limits.take("a", T0.plusMillis(49))).as("less than a token's time later").isFalse();
        assertThat(limits.take("a", T0.plusMillis(50))).as("one token every 50 ms at 20/s").isTrue();
        assertThat(limits.take("a", T0.plusMillis(51))).isFalse();
    }
}
