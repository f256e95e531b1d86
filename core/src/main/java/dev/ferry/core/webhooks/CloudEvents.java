package dev.ferry.core.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Json;
import java.util.Map;

/**
 * A webhook without a template takes CloudEvents (1.0) as they are: structured (the body is the
 * event: {@code specversion}, {@code id}, {@code source}, {@code type}, {@code time}, {@code data})
 * or binary (those in {@code ce-*} headers, the body the data). The type is the event's name and
 * the source its resource.
 */
final class CloudEvents {
    private CloudEvents() {}

    static ObjectNode event(Map<String, String> headers, JsonNode body) {
        String type;
        String source;
        String id;
        String time;
        JsonNode data;
        if (headers.containsKey("ce-type")) {
            type = headers.get("ce-type");
            source = headers.get("ce-source");
            id = headers.get("ce-id");
            time = headers.get("ce-time");
            data = body;
        } else if (body != null && body.isObject() && body.has("specversion")) {
            type = body.path("type").asText(null);
            source = body.path("source").asText(null);
            id = body.path("id").asText(null);
            time = body.path("time").asText(null);
            data = body.get("data");
        } else {
            throw BadInput.invalid("body", "a webhook without a template takes CloudEvents (structured, or ce-* headers); "
                    + "give the webhook a template to read other requests");
        }
        if (type == null || source == null) throw BadInput.invalid("body", "a CloudEvent needs a type and a source");
        ObjectNode event = Json.MAPPER.createObjectNode();
        if (id != null) event.put("id", id);
        if (time != null) event.put("occurred", time);
        event.put("event", type);
        event.putObject("resource").put("ferry.resource.id", source);
        if (data != null && data.isObject()) event.set("payload", data);
        else if (data != null && !data.isNull()) event.putObject("payload").set("data", data);
        return event;
    }
}
