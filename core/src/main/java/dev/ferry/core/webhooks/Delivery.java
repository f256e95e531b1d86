package dev.ferry.core.webhooks;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * One request to a webhook, as {@code ferry webhook inspect} shows it: when, what the answer was
 * and why, and the event it made.
 *
 * @param outcome accepted, duplicate, refused (a bad or missing signature, a stale timestamp), invalid (the template or
 *                the event it made), too_large, rate_limited
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Delivery(Instant at, int status, String outcome, String detail, String eventId, String deliveryId, String slug) {}
