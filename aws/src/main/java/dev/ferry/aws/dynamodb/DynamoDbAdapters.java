package dev.ferry.aws.dynamodb;

import dev.ferry.core.Ports;
import dev.ferry.core.common.Clock;
import dev.ferry.core.events.EventService;
import dev.ferry.core.events.EventStore;
import dev.ferry.core.pools.WorkQueues;
import dev.ferry.core.scheduler.ScheduleTimer;
import java.time.Duration;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * The adapter set on Ferry's one DynamoDB table: every store in it, with the work queues and timer given.
 * No event feed: the table's stream feeds the automation engine.
 */
public final class DynamoDbAdapters {
    private DynamoDbAdapters() {}

    /** Run logs kept {@link DynamoDbRunLogs#DEFAULT_RETENTION}, by the system clock. */
    public static Ports ports(DynamoDbClient client, String tableName, WorkQueues workQueues, ScheduleTimer timer) {
        return ports(client, tableName, DynamoDbRunLogs.DEFAULT_RETENTION, Clock.SYSTEM, workQueues, timer);
    }

    /** Events kept {@link EventService#DEFAULT_RETENTION}. */
    public static Ports ports(DynamoDbClient client, String tableName, Duration runLogRetention, Clock clock,
                              WorkQueues workQueues, ScheduleTimer timer) {
        return ports(client, tableName, runLogRetention, EventService.DEFAULT_RETENTION, clock, workQueues, timer);
    }

    /**
     * @param eventRetention how long after it occurred an event's {@code ttl} lets DynamoDB delete it (the
     *                       EventService's retention: give both the same)
     * @param clock          when log lines and workers were written, which their {@code ttl} counts from
     */
    public static Ports ports(DynamoDbClient client, String tableName, Duration runLogRetention, Duration eventRetention,
                              Clock clock, WorkQueues workQueues, ScheduleTimer timer) {
        Table table = new Table(client, tableName);
        DynamoDbEvents events = new DynamoDbEvents(table, eventRetention, EventStore.SCAN_BUDGET);
        return new Ports(new DynamoDbPools(table, DynamoDbPools.DEFAULT_WORKER_RETENTION, clock),
                new DynamoDbDeployments(table), new DynamoDbRuns(table, events), new DynamoDbRunLogs(table, runLogRetention, clock),
                new DynamoDbScheduleCursors(table), new DynamoDbTaskDefinitions(table),
                events, null,
                new DynamoDbTriggerStore(table), workQueues, timer, new DynamoDbCheckpoints(table));
    }

    /** {@code ports} with the table's stream as their event feed: for an automation engine that runs outside Lambda. */
    public static Ports followingStream(Ports ports, DynamoDbStreamsClient streams, String streamArn) {
        return new Ports(ports.pools(), ports.deployments(), ports.runs(), ports.runLogs(), ports.scheduleCursors(),
                ports.taskDefinitions(), ports.events(), new DynamoDbStreamFeed(streams, streamArn), ports.triggers(),
                ports.workQueues(), ports.timer(), ports.checkpoints());
    }
}
