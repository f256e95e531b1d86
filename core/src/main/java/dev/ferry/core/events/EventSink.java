package dev.ferry.core.events;

/** Where Ferry's own events go: the services that change things publish through it. */
@FunctionalInterface
public interface EventSink {
    /** Stores the event (once, by its id). */
    void publish(Event event);

    /**
     * Says that {@code event} was stored with another write (a run's state, in the run's own
     * write): nothing is stored, only whoever waits for new events (the in-process automation
     * engine, long polls) is woken.
     */
    default void written(Event event) {}

    EventSink NONE = event -> {};
}
