package dev.ferry.aws.dynamodb;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * The emulator's client with hooks and a request log, for forcing interleavings: a hook queued
 * with {@link #beforeNextTransaction} runs after the store has built its TransactWriteItems from
 * what it read, and before the request is sent; that is where a competing write lands. Every
 * request the store makes is counted by operation.
 */
final class InterceptingClient implements DynamoDbClient {
    private final DynamoDbClient delegate;
    private final Deque<Runnable> beforeTransaction = new ArrayDeque<>();
    private final Deque<Runnable> beforePut = new ArrayDeque<>();
    private final Deque<Runnable> beforeUpdate = new ArrayDeque<>();
    private final List<TransactWriteItemsRequest> transactions = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final List<DynamoDbRequest> requests = Collections.synchronizedList(new ArrayList<>());

    InterceptingClient(DynamoDbClient delegate) {
        this.delegate = delegate;
    }

    /** Runs {@code competitor} just before the next TransactWriteItems is sent (once; the competitor's own transactions pass). */
    synchronized void beforeNextTransaction(Runnable competitor) {
        beforeTransaction.add(competitor);
    }

    /** Runs {@code competitor} just before the next PutItem is sent. */
    synchronized void beforeNextPut(Runnable competitor) {
        beforePut.add(competitor);
    }

    /** Runs {@code competitor} just before the next UpdateItem is sent. */
    synchronized void beforeNextUpdate(Runnable competitor) {
        beforeUpdate.add(competitor);
    }

    List<TransactWriteItemsRequest> transactions() {
        return List.copyOf(transactions);
    }

    /** Requests sent since the last call, by operation name; then starts counting afresh. */
    Map<String, Integer> takeCounts() {
        Map<String, Integer> taken = new java.util.TreeMap<>();
        counts.forEach((op, n) -> {
            int value = n.getAndSet(0);
            if (value > 0) taken.put(op, value);
        });
        return taken;
    }

    /** Every request sent since the last call, in order; then starts recording afresh. */
    List<DynamoDbRequest> takeRequests() {
        synchronized (requests) {
            List<DynamoDbRequest> taken = List.copyOf(requests);
            requests.clear();
            return taken;
        }
    }

    private void count(String operation, DynamoDbRequest request) {
        counts.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();
        requests.add(request);
    }

    private Runnable next(Deque<Runnable> hooks) {
        synchronized (this) {
            return hooks.poll();
        }
    }

    @Override
    public TransactWriteItemsResponse transactWriteItems(TransactWriteItemsRequest request) {
        Runnable hook = next(beforeTransaction);
        if (hook != null) hook.run();
        count("TransactWriteItems", request);
        transactions.add(request);
        return delegate.transactWriteItems(request);
    }

    @Override
    public PutItemResponse putItem(PutItemRequest request) {
        Runnable hook = next(beforePut);
        if (hook != null) hook.run();
        count("PutItem", request);
        return delegate.putItem(request);
    }

    @Override
    public GetItemResponse getItem(GetItemRequest request) {
        count("GetItem", request);
        return delegate.getItem(request);
    }

    @Override
    public UpdateItemResponse updateItem(UpdateItemRequest request) {
        Runnable hook = next(beforeUpdate);
        if (hook != null) hook.run();
        count("UpdateItem", request);
        return delegate.updateItem(request);
    }

    @Override
    public DeleteItemResponse deleteItem(DeleteItemRequest request) {
        count("DeleteItem", request);
        return delegate.deleteItem(request);
    }

    @Override
    public QueryResponse query(QueryRequest request) {
        count("Query", request);
        return delegate.query(request);
    }

    @Override
    public BatchGetItemResponse batchGetItem(BatchGetItemRequest request) {
        count("BatchGetItem", request);
        return delegate.batchGetItem(request);
    }

    @Override
    public BatchWriteItemResponse batchWriteItem(BatchWriteItemRequest request) {
        count("BatchWriteItem", request);
        return delegate.batchWriteItem(request);
    }

    @Override
    public String serviceName() {
        return delegate.serviceName();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
