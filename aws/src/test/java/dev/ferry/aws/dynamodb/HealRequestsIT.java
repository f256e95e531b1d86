package dev.ferry.aws.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.aws.testing.Emulator;
import dev.ferry.core.Ferry;
import dev.ferry.core.common.Ids;
import dev.ferry.core.common.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.deployments.Deployment;
import dev.ferry.core.schedules.Schedule;
import dev.ferry.core.testing.Fixtures;
import dev.ferry.core.pools.PoolService;
import dev.ferry.core.pools.PoolType;
import dev.ferry.core.scheduler.ManualTimer;
import dev.ferry.core.scheduler.Scheduler;
import dev.ferry.core.testing.TestClock;
import dev.ferry.core.pools.InMemoryWorkQueues;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * What the janitor's heal of schedules costs in DynamoDB requests beside idle deployments: after
 * its first pass, the same for 30 deployments as for 300 (docs/architecture.md states the counts).
 * Only the first pass, which reads every deployment, grows with them.
 */
@ExtendWith(Emulator.class)
class HealRequestsIT {
    /** Ten past an hour: the hourly schedules fire at none of the passes. */
    private static final Instant T = Instant.now().truncatedTo(ChronoUnit.HOURS).plus(Duration.ofMinutes(10));
    private static final List<Schedule> HOURLY = List.of(Schedule.of((ObjectNode) Json.tree(
            "{\"slug\": \"hourly\", \"cron\": \"0 * * * *\", \"timezone\": \"UTC\"}")));

    @Test
    void aHealAfterTheFirst_costsTheSameRequests_whateverTheNumberOfIdleDeployments() {
        Costs small = passes(30);
        Costs large = passes(300);

        System.out.printf("heal requests per pass (DynamoDB by operation):%n"
                + "  30 idle deployments:   first %s, then %s%n"
                + "  300 idle deployments:  first %s, then %s%n",
                small.first, small.steady, large.first, large.steady);
        assertThat(large.steady).isEqualTo(small.steady).isEqualTo(Map.of("Query", 2));
        // a first pass reads them all: a page of 200 is a Query, 100 of them a BatchGetItem, each cursor a GetItem
        assertThat(small.first).isEqualTo(Map.of("Query", 1, "BatchGetItem", 1, "GetItem", 30));
        assertThat(large.first).isEqualTo(Map.of("Query", 2, "BatchGetItem", 3, "GetItem", 300));
    }

    private record Costs(Map<String, Integer> first, Map<String, Integer> steady) {}

    private static Costs passes(int deployments) {
        Emulator.reset();
        DynamoDbClient raw = Emulator.dynamoDb();
        InterceptingClient client = new InterceptingClient(raw);
        String table = "ferry-" + UUID.randomUUID();
        Tables.create(raw, table);
        TestClock clock = TestClock.fixed(T);
        var ports = DynamoDbAdapters.ports(client, table, DynamoDbRunLogs.DEFAULT_RETENTION, clock, new InMemoryWorkQueues(clock),
                new ManualTimer());
        Ferry ferry = Ferry.wire(ports, clock, Ids.RANDOM);
        ferry.pools().create(new PoolService.NewPool("pool-a", PoolType.PROCESS, null, null, 5, null));
        for (int i = 0; i < deployments; i++) {
            // as a deploy writes them (the deployment, its cursor, its armed firing), without the deploy's events
            Deployment d = Fixtures.deployment("etl", "d" + i, "pool-a").withSchedules(HOURLY, T);
            ports.deployments().createDeployment(d);
            ferry.schedules().sync(null, d);
        }
        clock.advance(Duration.ofMinutes(1));
        Instant previous = clock.now();
        client.takeCounts();

        ferry.schedules().heal(Scheduler.LOST_AFTER, null);
        Map<String, Integer> first = client.takeCounts();
        clock.advance(Duration.ofMinutes(1));
        ferry.schedules().heal(Scheduler.LOST_AFTER, previous.minusSeconds(30));
        previous = clock.now();
        client.takeCounts();
        clock.advance(Duration.ofMinutes(1));
        ferry.schedules().heal(Scheduler.LOST_AFTER, previous.minusSeconds(30));
        return new Costs(first, client.takeCounts());
    }
}
