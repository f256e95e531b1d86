package dev.ferry.aws.dynamodb;

import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Key and index values of the one table. docs/architecture.md ("DynamoDB table") draws the same
 * layout as a table; change both together.
 */
final class Keys {
    static final String PK = "pk";
    static final String SK = "sk";

    /** Index "kind": every run, or every deployment, in list order. */
    static final String KIND = "kind";
    /** Index "pool": runs or deployments of one work pool (by name, as the filters ask). */
    static final String POOL = "pool";
    /** Index "deployment": runs of one deployment. */
    static final String DEPLOYMENT = "deployment";
    /** Index "state": runs in one state type. */
    static final String STATE = "state";
    /** Index "active": sparse, only runs that are not terminal, by pool id then queue id. */
    static final String ACTIVE = "active";

    /**
     * Index "due": sparse, only SCHEDULED runs, by when the janitor next needs to look at them
     * ({@code RunStore.dueAt}), so a sweep reads what came due since the last one, not the backlog.
     */
    static final String DUE = "due";

    /**
     * Index "heal": sparse, deployments by when the scheduler's heal next needs to look at them
     * ({@code DeploymentStore.healAt}) and schedule cursors by the firing they expect, so a heal
     * reads what was written or went overdue since the last one, not every deployment.
     */
    static final String HEAL = "heal";

    static final String[] INDEXES = {KIND, POOL, DEPLOYMENT, STATE, ACTIVE, DUE, HEAL};

    /**
     * Between flow name and deployment name in list sort keys: lower than every character a
     * name may hold (names refuse control characters), so the pair sorts as (flow, name) does.
     */
    static final String PAIR = "\u0001";

    private Keys() {}

    static String pk(String index) {
        return index + "_pk";
    }

    static String sk(String index) {
        return index + "_sk";
    }

    static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of(PK, AttributeValue.fromS(pk), SK, AttributeValue.fromS(sk));
    }

    // --- pools: the pool lives under its name (read on every poll); a pointer under its id ---

    static Map<String, AttributeValue> pool(String name) {
        return key("POOLS", name);
    }

    static String poolsPartition() {
        return "POOLS";
    }

    static String poolPartition(String poolId) {
        return "POOL#" + poolId;
    }

    static Map<String, AttributeValue> poolPointer(String poolId) {
        return key(poolPartition(poolId), "#POOL");
    }

    // --- queues: the queue lives in its pool's partition under its name; a pointer under its id ---

    static final String QUEUE_PREFIX = "QUEUE#";

    static Map<String, AttributeValue> queue(String poolId, String name) {
        return key(poolPartition(poolId), QUEUE_PREFIX + name);
    }

    static Map<String, AttributeValue> queuePointer(String queueId) {
        return key("QUEUE#" + queueId, "#QUEUE");
    }

    // --- workers: in their pool's partition, so deleting the pool finds them ---

    static final String WORKER_PREFIX = "WORKER#";

    static Map<String, AttributeValue> worker(String poolId, String name) {
        return key(poolPartition(poolId), WORKER_PREFIX + name);
    }

    // --- deployments: the deployment lives under its id (read on every claim); a pointer under its names ---

    static Map<String, AttributeValue> deployment(String id) {
        return key("DEPLOYMENT#" + id, "#DEPLOYMENT");
    }

    static Map<String, AttributeValue> deploymentName(String flowName, String name) {
        return key("FLOW#" + flowName, "DEPLOYMENT#" + name);
    }

    static String deploymentsKind() {
        return "DEPLOYMENTS";
    }

    static String deploymentsOfPool(String poolName) {
        return "DEPLOYMENTS#POOL#" + poolName;
    }

    static String deploymentOrder(String flowName, String name) {
        return flowName + PAIR + name;
    }

    static String deploymentsToHeal() {
        return "HEAL#DEPLOYMENTS";
    }

    // --- runs, their logs and idempotency keys ---

    static String runPartition(String runId) {
        return "RUN#" + runId;
    }

    static Map<String, AttributeValue> run(String id) {
        return key(runPartition(id), "#RUN");
    }

    static Map<String, AttributeValue> idempotencyKey(String deploymentId, String key) {
        return key("RUN_KEY#" + deploymentId, key);
    }

    static Map<String, AttributeValue> logSequence(String runId) {
        return key(runPartition(runId), "LOGSEQ");
    }

    static final String LOG_PREFIX = "LOG#";

    /** Fixed width, so the sort key orders lines as their numbers do. */
    static String logLine(long seq) {
        return LOG_PREFIX + String.format("%019d", seq);
    }

    static String runsKind() {
        return "RUNS";
    }

    static String runsOfPool(String poolName) {
        return "RUNS#POOL#" + poolName;
    }

    static String runsOfDeployment(String deploymentId) {
        return "RUNS#DEPLOYMENT#" + deploymentId;
    }

    static String runsInState(String stateType) {
        return "RUNS#STATE#" + stateType;
    }

    static String runsDue() {
        return "RUNS#DUE";
    }

    static String activeInPool(String poolId) {
        return "ACTIVE#POOL#" + poolId;
    }

    /**
     * Newest-first list order: epoch nanoseconds at fixed width (ISO strings don't sort: trailing
     * zeros are dropped), then the id, so runs created in the same nanosecond still page
     * without loss or repeat.
     */
    static String runOrder(Instant created, String id) {
        long nanos = Math.addExact(Math.multiplyExact(created.getEpochSecond(), 1_000_000_000L), created.getNano());
        return String.format("%019d", nanos) + "#" + id;
    }

    static boolean isRunOrder(String value) {
        return value.length() > 20 && value.charAt(19) == '#' && value.substring(0, 19).chars().allMatch(Character::isDigit);
    }

    // --- events: one partition per UTC day of their occurrence, in time order; a marker per id ---

    static final String EVENTS_PREFIX = "EVENTS#";

    static String eventsOfDay(java.time.LocalDate day) {
        return EVENTS_PREFIX + day;
    }

    /** Fixed-width epoch nanoseconds, then the id: sorts as {@code EventPosition} does. */
    static String eventOrder(long nanos, String id) {
        return String.format("%019d", nanos) + "#" + id;
    }

    static Map<String, AttributeValue> eventId(String id) {
        return key("EVENT#" + id, "#EVENT");
    }

    // --- triggers' state: an entry per (group, item); the sparse "due" entries in the kind index ---

    static Map<String, AttributeValue> triggerEntry(String group, String item) {
        return key(triggerGroup(group), item);
    }

    static String triggerGroup(String group) {
        return "TRIG#" + group;
    }

    static String triggersDue() {
        return "TRIGGERS_DUE";
    }

    // --- concurrency counters ---

    static Map<String, AttributeValue> slot(String slotKey) {
        return key("SLOT#" + slotKey, "#SLOT");
    }

    // --- small named values ---

    static final String VALUE_PREFIX = "VALUE#";

    static Map<String, AttributeValue> namedValue(String key) {
        return key(VALUE_PREFIX + key, "#VALUE");
    }

    /** The heal index's partition of the values under {@code prefix} that are due. */
    static String valuesDue(String prefix) {
        return "HEAL#VALUES#" + prefix;
    }
}
