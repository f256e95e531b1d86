package dev.ferry.core.deployments;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.Json;
import dev.ferry.core.events.Event;
import dev.ferry.core.events.Resource;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The events a stored change of a deployment makes: {@code ferry.deployment.created}, {@code .updated},
 * {@code .paused}, {@code .resumed} or {@code .deleted}. The id comes from the deployment and the
 * revision the write stored, so the same change always makes the same event.
 */
public final class DeploymentEvents {
    public static final String PREFIX = "ferry.deployment.";

    private DeploymentEvents() {}

    /** @param before what the write replaced, null when new; @param after what it stored, null when deleted */
    public static Event changed(Deployment before, Deployment after, Instant now) {
        Deployment d = after != null ? after : before;
        String kind;
        if (before == null) kind = "created";
        else if (after == null) kind = "deleted";
        else if (!before.paused() && after.paused()) kind = "paused";
        else if (before.paused() && !after.paused()) kind = "resumed";
        else kind = "updated";
        long revision = after != null ? after.revision() : before.revision();
        String id = UUID.nameUUIDFromBytes(("ferry.deployment/" + d.id() + "/" + revision + "/" + kind)
                .getBytes(StandardCharsets.UTF_8)).toString();
        List<Resource> related = new ArrayList<>();
        related.add(Resource.related("ferry.flow." + d.flowName(), d.flowName(), "flow"));
        for (String tag : d.tags()) related.add(Resource.related("ferry.tag." + tag, tag, "tag"));
        ObjectNode payload = Json.MAPPER.createObjectNode().put("revision", revision)
                .put("work_pool_name", d.workPoolName()).put("work_queue_name", d.workQueueName());
        if (after != null && after.paused() && after.pauseNote() != null) payload.put("pause_note", after.pauseNote());
        Instant occurred = after != null && after.updated() != null ? after.updated() : now;
        return new Event(id, occurred, PREFIX + kind, Resource.of(PREFIX + d.id(), d.flowName() + "/" + d.name()),
                related, payload, null, null);
    }
}
