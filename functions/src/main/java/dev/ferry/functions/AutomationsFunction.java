package dev.ferry.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import dev.ferry.aws.dynamodb.DynamoDbEvents;
import dev.ferry.core.Ferry;
import dev.ferry.core.automations.AutomationEngine;
import dev.ferry.core.events.Event;
import java.util.List;
import java.util.Map;

/**
 * The automation engine on the table's stream: every new event item (the event source's filter
 * lets only those through) is evaluated, in stream order. A record that fails is reported, and
 * Lambda retries the batch from it; what was evaluated before it is evaluated again, which counts
 * nothing twice (an event counts once per automation).
 */
public final class AutomationsFunction implements RequestHandler<DynamodbEvent, StreamsEventResponse> {
    private final AutomationEngine engine;

    /** Lambda's: wired from the environment once per container. */
    public AutomationsFunction() {
        this(Container.current().wiring().ferry());
    }

    /** Over given adapters (tests). */
    public AutomationsFunction(Ferry ferry) {
        this.engine = ferry.automations().engine();
    }

    @Override
    public StreamsEventResponse handleRequest(DynamodbEvent batch, Context context) {
        for (DynamodbEvent.DynamodbStreamRecord record : batch.getRecords()) {
            try {
                Event event = event(record);
                if (event != null) engine.evaluate(event);
            } catch (InterruptedException | RuntimeException e) {
                if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                if (context != null) context.getLogger().log("evaluating stream record " + record.getEventID() + " failed: " + e);
                return new StreamsEventResponse(List.of(new StreamsEventResponse.BatchItemFailure(
                        record.getDynamodb().getSequenceNumber())));
            }
        }
        return new StreamsEventResponse(List.of());
    }

    private static Event event(DynamodbEvent.DynamodbStreamRecord record) {
        if (!"INSERT".equals(record.getEventName()) || record.getDynamodb() == null) return null;
        Map<String, AttributeValue> image = record.getDynamodb().getNewImage();
        if (image == null) return null;
        AttributeValue pk = image.get("pk");
        AttributeValue doc = image.get("doc");
        return DynamoDbEvents.stored(pk == null ? null : pk.getS(), doc == null ? null : doc.getS());
    }
}
