package dev.ferry.core.automations;

import java.time.Duration;
import java.util.List;

/** What makes an automation fire: an event trigger, or several of them composed. */
public sealed interface Trigger {

    /**
     * Prefect's event trigger. {@code expect} names the events counted; {@code after} the ones
     * that must come first (and open a proactive window); {@code match} and {@code matchRelated}
     * say which resources count; {@code forEach} keeps a separate count per value of those labels.
     *
     * @param within how long a window lasts; zero: reactive counts without end, each event on its own when threshold is 1
     */
    record Event(ResourceSpec match, List<ResourceSpec> matchRelated, List<String> after, List<String> expect,
                 List<String> forEach, Posture posture, int threshold, Duration within) implements Trigger {
        public Event {
            matchRelated = List.copyOf(matchRelated);
            after = List.copyOf(after);
            expect = List.copyOf(expect);
            forEach = List.copyOf(forEach);
        }
    }

    /** Fires when {@code require} of its triggers (all of them, any one, or a number) fired within {@code within}. */
    record Compound(List<Trigger> triggers, int require, Duration within) implements Trigger {
        public Compound {
            triggers = List.copyOf(triggers);
        }
    }

    /** Fires when its triggers fired in order, all within {@code within}. */
    record Sequence(List<Trigger> triggers, Duration within) implements Trigger {
        public Sequence {
            triggers = List.copyOf(triggers);
        }
    }
}
