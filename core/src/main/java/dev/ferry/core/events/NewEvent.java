package dev.ferry.core.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;

/**
 * An event as a client sends it: label maps still as JSON, so a value of the wrong type is named
 * rather than coerced. {@code id} and {@code occurred} may be left out (a new id, now).
 */
public record NewEvent(String id, Instant occurred, String event, ObjectNode resource, List<JsonNode> related,
                       ObjectNode payload, String follows) {}
