package dev.ferry.core.events;

import java.util.List;

/**
 * Whom a batch of events is emitted for when that is not a key holder but a Ferry resource (a
 * flow run, with its run token): its events are about it unless they say otherwise, carry its
 * related resources, and name no other Ferry resource. Their ids live in the poster's own
 * {@code scope}, so an id a poster picks can't take the place of an event of Ferry's own.
 */
public record Poster(String scope, Resource self, String role, List<Resource> related) {
    public Poster {
        related = List.copyOf(related);
    }
}
