package dev.ferry.core.automations;

/** Reactive: fire when enough events came. Proactive: fire when too few came within the window. */
public enum Posture {
    REACTIVE("Reactive"),
    PROACTIVE("Proactive");

    private final String wire;

    Posture(String wire) {
        this.wire = wire;
    }

    /** As Prefect writes it. */
    public String wire() {
        return wire;
    }
}
