package dev.ferry.core.events;

/** Where Ferry's own events go: the services that change things publish through it. */
@FunctionalInterface
public interface EventSink {
    /** Stores the event (once, by its id). */
    void publish(Event event);

    EventSink NONE = event -> {};
}
