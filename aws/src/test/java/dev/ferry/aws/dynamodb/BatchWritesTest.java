package dev.ferry.aws.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.common.BadInput;
import dev.ferry.core.runs.LogLine;
import dev.ferry.core.runs.LogQuota;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Batches against a stub client: moto never leaves items unprocessed, real DynamoDB does when a
 * partition is throttled, and a batch that drops them loses log lines or leaves a deleted pool's
 * queues behind.
 */
class BatchWritesTest {
    private static final String TABLE = "ferry";
    private final List<Duration> sleeps = new ArrayList<>();
    private final Backoff backoff = new Backoff(4, Duration.ofMillis(25), Duration.ofSeconds(1), sleeps::add);

    @Test
    void write_sendsAtMost25ItemsPerCall() {
        StubClient stub = new StubClient(request -> List.of());

        new Batches(stub, TABLE, backoff).write(puts(60));

        assertThat(stub.batches).extracting(List::size).containsExactly(25, 25, 10);
        assertThat(stub.written()).containsExactlyElementsOf(ids(60));
        assertThat(sleeps).isEmpty();
    }

    @Test
    void write_sendsUnprocessedItemsAgain_afterABackoff() {
        // an answer to more than 3 items leaves the last 3 unprocessed
        StubClient stub = new StubClient(request -> request.size() > 3
                ? request.subList(request.size() - 3, request.size()) : List.of());

        new Batches(stub, TABLE, backoff).write(puts(30));

        assertThat(stub.batches).extracting(List::size).containsExactly(25, 3, 5, 3);
        assertThat(stub.written()).containsExactlyInAnyOrderElementsOf(ids(30)).doesNotHaveDuplicates();
        assertThat(sleeps).hasSize(2).allSatisfy(d -> assertThat(d).isBetween(Duration.ZERO, Duration.ofMillis(25)));
    }

    @Test
    void write_backsOffLongerEachTime_whileItemsStayUnprocessed() {
        int[] calls = {0};
        // unprocessed three times in a row, then through
        StubClient stub = new StubClient(request -> ++calls[0] <= 3 ? request : List.of());

        new Batches(stub, TABLE, backoff).write(puts(2));

        assertThat(stub.batches).hasSize(4);
        assertThat(stub.written()).containsExactlyElementsOf(ids(2));
        assertThat(sleeps).hasSize(3);
        assertThat(sleeps.get(0)).isLessThanOrEqualTo(Duration.ofMillis(25));
        assertThat(sleeps.get(1)).isLessThanOrEqualTo(Duration.ofMillis(50));
        assertThat(sleeps.get(2)).isLessThanOrEqualTo(Duration.ofMillis(100));
    }

    @Test
    void write_givesUp_sayingHowManyItemsAreLeft_whenTheyStayUnprocessed() {
        StubClient stub = new StubClient(request -> request);

        assertThatThrownBy(() -> new Batches(stub, TABLE, backoff).write(puts(7)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("7 of 7 writes").hasMessageContaining("after 4 attempts");
        assertThat(stub.batches).hasSize(4);
    }

    @Test
    void get_asksAgainForUnprocessedKeys() {
        StubClient stub = new StubClient(request -> List.of());

        List<Map<String, AttributeValue>> found = new Batches(stub, TABLE, backoff).get(
                List.of(Keys.run("a"), Keys.run("b"), Keys.run("a"), Keys.run("c")));

        assertThat(found).extracting(item -> item.get(Keys.PK).s()).containsExactlyInAnyOrder("RUN#a", "RUN#b", "RUN#c");
        assertThat(stub.gets).as("asked once per key, the first answer leaving one out")
                .containsExactly(List.of("RUN#a", "RUN#b", "RUN#c"), List.of("RUN#c"));
        assertThat(sleeps).hasSize(1);
    }

    @Test
    void appendLogs_storesEveryLine_whenTheFirstBatchLeavesSomeUnprocessed() {
        int[] calls = {0};
        StubClient stub = new StubClient(request -> ++calls[0] == 1 ? request.subList(10, request.size()) : List.of());
        DynamoDbRunLogs logs = new DynamoDbRunLogs(new Table(stub, TABLE, backoff), Duration.ofDays(30),
                () -> Instant.parse("2026-03-01T12:00:00Z"));
        List<LogLine> lines = new ArrayList<>();
        for (int i = 0; i < 40; i++) lines.add(new LogLine(0, Instant.parse("2026-03-01T12:00:00Z"), "stdout", "line " + i));

        logs.appendLogs("run-1", lines, LogQuota.DEFAULT);

        assertThat(stub.batches).extracting(List::size).containsExactly(25, 15, 15);
        assertThat(stub.written()).containsExactlyInAnyOrderElementsOf(
                java.util.stream.IntStream.rangeClosed(1, 40).mapToObj(Keys::logLine).toList());
        assertThat(stub.writes).allSatisfy(w -> assertThat(w.putRequest().item().get(Items.TTL).n())
                .isEqualTo(Long.toString(Instant.parse("2026-03-31T12:00:00Z").getEpochSecond())));
    }

    @Test
    void appendLogs_refusesALineOverDynamoDbsItemLimit_namingIt_beforeWritingAnything() {
        StubClient stub = new StubClient(request -> List.of());
        DynamoDbRunLogs logs = new DynamoDbRunLogs(new Table(stub, TABLE, backoff), Duration.ofDays(30),
                () -> Instant.parse("2026-03-01T12:00:00Z"));
        Instant at = Instant.parse("2026-03-01T12:00:00Z");
        // 140,000 three-byte characters: 420,000 bytes (the API takes 64 Ki characters a message; the store checks anyway)
        List<LogLine> lines = List.of(new LogLine(0, at, "stdout", "fine"), new LogLine(0, at, "stdout", "\u20ac".repeat(140_000)));

        assertThatThrownBy(() -> logs.appendLogs("run-1", lines, LogQuota.DEFAULT))
                .isInstanceOfSatisfying(BadInput.class, e -> {
                    assertThat(e.status()).isEqualTo(422);
                    assertThat(e.field()).isEqualTo("logs[1].message");
                })
                .hasMessageContaining("at most 409600 fit");
        assertThat(stub.updates).isZero();
        assertThat(stub.batches).isEmpty();
    }

    private static List<WriteRequest> puts(int count) {
        List<WriteRequest> puts = new ArrayList<>();
        for (String id : ids(count)) {
            puts.add(WriteRequest.builder().putRequest(PutRequest.builder().item(Keys.key("LOG", id)).build()).build());
        }
        return puts;
    }

    private static List<String> ids(int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) ids.add("item-" + i);
        return ids;
    }

    /**
     * A client that answers BatchWriteItem with what {@code unprocessed} picks of each request,
     * BatchGetItem by leaving out the last key of the first call, and the log counter's update.
     */
    private static final class StubClient implements DynamoDbClient {
        final Function<List<WriteRequest>, List<WriteRequest>> unprocessed;
        final List<List<WriteRequest>> batches = new ArrayList<>();
        final List<WriteRequest> writes = new ArrayList<>();
        final List<List<String>> gets = new ArrayList<>();
        long seq;
        int updates;

        StubClient(Function<List<WriteRequest>, List<WriteRequest>> unprocessed) {
            this.unprocessed = unprocessed;
        }

        List<String> written() {
            return writes.stream().map(w -> w.putRequest().item().get(Keys.SK).s()).toList();
        }

        @Override
        public BatchWriteItemResponse batchWriteItem(BatchWriteItemRequest request) {
            List<WriteRequest> sent = request.requestItems().get(TABLE);
            assertThat(sent.size()).as("BatchWriteItem takes at most 25 items").isLessThanOrEqualTo(25);
            batches.add(sent);
            List<WriteRequest> left = unprocessed.apply(sent);
            sent.stream().filter(w -> !left.contains(w)).forEach(writes::add);
            return BatchWriteItemResponse.builder()
                    .unprocessedItems(left.isEmpty() ? Map.of() : Map.of(TABLE, left)).build();
        }

        @Override
        public BatchGetItemResponse batchGetItem(BatchGetItemRequest request) {
            KeysAndAttributes asked = request.requestItems().get(TABLE);
            assertThat(asked.consistentRead()).isTrue();
            List<Map<String, AttributeValue>> keys = asked.keys();
            gets.add(keys.stream().map(k -> k.get(Keys.PK).s()).toList());
            boolean first = gets.size() == 1;
            List<Map<String, AttributeValue>> answered = first ? keys.subList(0, keys.size() - 1) : keys;
            BatchGetItemResponse.Builder response = BatchGetItemResponse.builder().responses(Map.of(TABLE, answered));
            if (first) {
                response.unprocessedKeys(Map.of(TABLE, KeysAndAttributes.builder()
                        .keys(keys.subList(keys.size() - 1, keys.size())).consistentRead(true).build()));
            }
            return response.build();
        }

        @Override
        public UpdateItemResponse updateItem(UpdateItemRequest request) {
            updates++;
            seq += Long.parseLong(request.expressionAttributeValues().get(":n").n());
            return UpdateItemResponse.builder().attributes(Map.of(Items.SEQ, AttributeValue.fromN(Long.toString(seq)))).build();
        }

        @Override
        public String serviceName() {
            return "dynamodb";
        }

        @Override
        public void close() {
        }
    }
}
