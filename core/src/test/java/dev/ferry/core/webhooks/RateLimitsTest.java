package dev.ferry.core.webhooks;

import static dev.ferry.core.testing.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.triggers.InMemoryTriggerStore;
import org.junit.jupiter.api.Test;

/** A flood at one webhook is cut to its rate after a burst, in each process and across all of them. */
class RateLimitsTest {

    @Test
    void aBurstPasses_thenTheRate_perWebhook() {
        RateLimits limits = new RateLimits(new InMemoryTriggerStore());
        int passed = 0;
        for (int i = 0; i < 100; i++) if (limits.take("a", T0)) passed++;

        assertThat(passed).isEqualTo((int) RateLimits.BURST);
        assertThat(limits.take("b", T0)).as("another webhook has its own bucket").isTrue();
        assertThat(limits.take("a", T0.plusMillis(49))).as("less than a token's time later").isFalse();
        assertThat(limits.take("a", T0.plusMillis(50))).as("one token every 50 ms at 20/s").isTrue();
        assertThat(limits.take("a", T0.plusMillis(51))).isFalse();
    }

    @Test
    void processesSharingTheStore_takeTheWindowsCountTogether_notEachTheirOwn() {
        InMemoryTriggerStore store = new InMemoryTriggerStore();
        int passed = 0;
        // five processes (Lambda containers), each with its full burst at the start of one window
        for (int process = 0; process < 5; process++) {
            RateLimits limits = new RateLimits(store);
            for (int i = 0; i < 100; i++) if (limits.take("a", T0)) passed++;
        }

        assertThat(passed).isEqualTo(RateLimits.PER_WINDOW);
        assertThat(new RateLimits(store).take("a", T0.plusSeconds(RateLimits.WINDOW_SECONDS)))
                .as("the next window counts afresh").isTrue();
        assertThat(new RateLimits(store).take("b", T0)).as("another webhook has its own count").isTrue();
    }
}
