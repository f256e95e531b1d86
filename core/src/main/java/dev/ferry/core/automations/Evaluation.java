package dev.ferry.core.automations;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * One line of an automation's history, what {@code ferry automation inspect} shows: an event
 * counted or not (and why not: the near miss names the label that differed), a window opened or
 * closed, a firing, an action's outcome, a firing the circuit breaker stopped.
 *
 * @param outcome counted, fired, near_miss, waiting, window_opened, window_met, window_missed, action_ok, action_failed,
 *                circuit_broken (the firing one too many: not made, the automation paused), held (not made: the breaker is open)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Evaluation(Instant at, String eventId, String event, String trigger, String outcome, String detail,
                         Integer count, Integer threshold, Instant windowStart, Instant windowEnd, String firing) {}
