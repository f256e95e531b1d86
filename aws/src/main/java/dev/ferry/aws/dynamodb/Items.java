package dev.ferry.aws.dynamodb;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ferry.core.common.Documents;
import dev.ferry.core.deployments.Deployment;
import dev.ferry.core.pools.WorkPool;
import dev.ferry.core.pools.WorkQueue;
import dev.ferry.core.pools.Worker;
import dev.ferry.core.runs.FlowRun;
import dev.ferry.core.runs.LogLine;
import dev.ferry.core.runs.RunStore;
import dev.ferry.core.runs.StateType;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Hand-written mapping between Ferry's records and table items. An entity is kept whole as its
 * JSON document ({@code doc}, written by the one mapper); the other attributes are copies of
 * the fields that keys, indexes, conditions and filters use.
 */
final class Items {
    static final String DOC = "doc";
    static final String ID = "id";
    static final String NAME = "name";
    static final String POOL_ID = "pool_id";
    static final String FLOW_NAME = "flow_name";
    static final String VERSION = "version";
    /** A pool's, queue's or deployment's revision (N): what its conditional updates compare. */
    static final String REVISION = "revision";
    static final String STATE_TYPE = "state_type";
    static final String DEPLOYMENT_ID = "deployment_id";
    static final String WORK_POOL_NAME = "work_pool_name";
    static final String WORK_QUEUE_NAME = "work_queue_name";
    static final String LAST_POLLED = "last_polled";
    static final String RUN_ID = "run_id";
    static final String USED = "used";
    static final String SEQ = "seq";
    static final String VALUE = "value";
    static final String TIMESTAMP = "timestamp";
    static final String STREAM = "stream";
    static final String MESSAGE = "message";
    /** Epoch seconds after which DynamoDB's TTL may delete the item. */
    static final String TTL = "ttl";

    /** Copied into the list indexes so filters run there, without the documents. */
    static final String[] RUN_FILTER_ATTRIBUTES = {STATE_TYPE, DEPLOYMENT_ID, WORK_POOL_NAME, WORK_QUEUE_NAME};

    private Items() {}

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    static String string(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }

    static long number(Map<String, AttributeValue> item, String name, long absent) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? absent : Long.parseLong(v.n());
    }

    // --- pools and queues ---

    static Map<String, AttributeValue> pool(WorkPool pool) {
        Map<String, AttributeValue> item = new HashMap<>(Keys.pool(pool.name()));
        item.put(ID, s(pool.id()));
        item.put(REVISION, n(pool.revision()));
        item.put(DOC, s(Documents.write(pool)));
        return item;
    }

    static Map<String, AttributeValue> poolPointer(WorkPool pool) {
        Map<String, AttributeValue> item = new HashMap<>(Keys.poolPointer(pool.id()));
        item.put(NAME, s(pool.name()));
        return item;
    }

    static Map<String, AttributeValue> queue(WorkQueue queue) {
        Map<String, AttributeValue> item = new HashMap<>(Keys.queue(queue.poolId(), queue.name()));
        item.put(ID, s(queue.id()));
        item.put(REVISION, n(queue.revision()));
        item.put(DOC, s(Documents.write(queue)));
        if (queue.lastPolled() != null) item.put(LAST_POLLED, s(queue.lastPolled().toString()));
        return item;
    }

    static Map<String, AttributeValue> queuePointer(WorkQueue queue) {
        Map<String, AttributeValue> item = new HashMap<>(Keys.queuePointer(queue.id()));
        item.put(POOL_ID, s(queue.poolId()));
        item.put(NAME, s(queue.name()));
        return item;
    }

    /** {@code last_polled} is its own attribute so a poll is one blind update, not a read-modify-write of the document. */
    static WorkQueue queue(Map<String, AttributeValue> item) {
        String polled = string(item, LAST_POLLED);
        return revised(item, WorkQueue.class).polledAt(polled == null ? null : Instant.parse(polled));
    }

    static Map<String, AttributeValue> worker(Worker worker, long ttl) {
        Map<String, AttributeValue> item = new HashMap<>(Keys.worker(worker.poolId(), worker.name()));
        item.put(DOC, s(Documents.write(worker)));
        item.put(TTL, n(ttl));
        return item;
    }

    // --- deployments ---

    static Map<String, AttributeValue> deployment(Deployment d) {
        Map<String, AttributeValue> item = new HashMap<>(Keys.deployment(d.id()));
        item.put(DOC, s(Documents.write(d)));
        item.put(REVISION, n(d.revision()));
        item.put(FLOW_NAME, s(d.flowName()));
        item.put(NAME, s(d.name()));
        String order = Keys.deploymentOrder(d.flowName(), d.name());
        index(item, Keys.KIND, Keys.deploymentsKind(), order);
        if (d.workPoolName() != null) {
            item.put(WORK_POOL_NAME, s(d.workPoolName()));
            index(item, Keys.POOL, Keys.deploymentsOfPool(d.workPoolName()), order);
        }
        java.time.Instant heal = dev.ferry.core.deployments.DeploymentStore.healAt(d);
        if (heal != null) index(item, Keys.HEAL, Keys.deploymentsToHeal(), Keys.runOrder(heal, d.id()));
        return item;
    }

    static Map<String, AttributeValue> deploymentName(Deployment d) {
        Map<String, AttributeValue> item = new HashMap<>(Keys.deploymentName(d.flowName(), d.name()));
        item.put(ID, s(d.id()));
        return item;
    }

    // --- runs ---

    static Map<String, AttributeValue> run(FlowRun run) {
        Map<String, AttributeValue> item = new HashMap<>(Keys.run(run.id()));
        StateType type = run.stateType();
        item.put(DOC, s(Documents.write(run)));
        item.put(VERSION, n(run.version()));
        item.put(STATE_TYPE, s(type.name()));
        String order = Keys.runOrder(run.created(), run.id());
        index(item, Keys.KIND, Keys.runsKind(), order);
        index(item, Keys.STATE, Keys.runsInState(type.name()), order);
        if (run.deploymentId() != null) {
            item.put(DEPLOYMENT_ID, s(run.deploymentId()));
            index(item, Keys.DEPLOYMENT, Keys.runsOfDeployment(run.deploymentId()), order);
        }
        if (run.workPoolName() != null) {
            item.put(WORK_POOL_NAME, s(run.workPoolName()));
            index(item, Keys.POOL, Keys.runsOfPool(run.workPoolName()), order);
        }
        if (run.workQueueName() != null) item.put(WORK_QUEUE_NAME, s(run.workQueueName()));
        // Sparse: a terminal run leaves the index, so counting active runs reads only active ones.
        if (type.isActive() && run.workPoolId() != null) {
            String queue = run.workQueueId() == null ? "" : run.workQueueId();
            index(item, Keys.ACTIVE, Keys.activeInPool(run.workPoolId()), queue + "#" + order);
        }
        if (type == StateType.SCHEDULED) index(item, Keys.DUE, Keys.runsDue(), Keys.runOrder(RunStore.dueAt(run), run.id()));
        return item;
    }

    // --- logs ---

    static Map<String, AttributeValue> logLine(String runId, LogLine line, long ttl) {
        Map<String, AttributeValue> item = new HashMap<>(Keys.key(Keys.runPartition(runId), Keys.logLine(line.seq())));
        item.put(SEQ, n(line.seq()));
        if (line.timestamp() != null) item.put(TIMESTAMP, s(line.timestamp().toString()));
        if (line.stream() != null) item.put(STREAM, s(line.stream()));
        if (line.message() != null) item.put(MESSAGE, s(line.message()));
        item.put(TTL, n(ttl));
        return item;
    }

    static LogLine logLine(Map<String, AttributeValue> item) {
        String ts = string(item, TIMESTAMP);
        return new LogLine(number(item, SEQ, 0), ts == null ? null : Instant.parse(ts), string(item, STREAM),
                string(item, MESSAGE));
    }

    // --- documents ---

    static <T> T read(Map<String, AttributeValue> item, Class<T> type) {
        String doc = string(item, DOC);
        if (doc == null) {
            throw new IllegalStateException("a stored " + type.getSimpleName() + " item " + item.get(Keys.PK)
                    + " has no '" + DOC + "' attribute; was the table written by another Ferry version?");
        }
        try {
            return Documents.read(doc, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored " + type.getSimpleName() + " cannot be read back ("
                    + e.getOriginalMessage() + "); was the table written by another Ferry version?", e);
        }
    }

    /**
     * A pool's, queue's or deployment's document with the revision its {@code revision} attribute
     * holds: the attribute is the revision's truth (conditions compare it), and items written before
     * revisions existed have none, which reads as revision 0.
     */
    static <T> T revised(Map<String, AttributeValue> item, Class<T> type) {
        String doc = string(item, DOC);
        if (doc == null) return read(item, type); // says what is missing
        try {
            return Documents.readRevised(doc, number(item, REVISION, 0), type);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalStateException("a stored " + type.getSimpleName() + " cannot be read back ("
                    + e.getMessage() + "); was the table written by another Ferry version?", e);
        }
    }

    static void index(Map<String, AttributeValue> item, String index, String pk, String sk) {
        item.put(Keys.pk(index), s(pk));
        item.put(Keys.sk(index), s(sk));
    }
}
