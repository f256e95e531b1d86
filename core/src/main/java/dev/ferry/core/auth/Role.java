package dev.ferry.core.auth;

/**
 * What an API key may do. {@link Access} holds the route table; these are the four kinds of
 * caller it knows.
 */
public enum Role {
    /** Every route, API keys included. */
    ADMIN,
    /** Deployments and their runs: deploy, update, delete, create/cancel/retry runs; reads everything but keys. */
    DEPLOYER,
    /** A worker for the pools named on the key: heartbeat, claim, report state and logs of those pools' runs. */
    WORKER,
    /** Reads everything but keys. */
    READER;

    /** Only a worker's reach is cut down to the pools named on its key. */
    public boolean confinedToPools() {
        return this == WORKER;
    }
}
