package dev.ferry.aws.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.aws.testing.Emulator;
import dev.ferry.core.common.Json;
import dev.ferry.core.pools.WorkQueues.Message;
import dev.ferry.core.pools.WorkQueues;
import dev.ferry.core.pools.WorkQueuesContract;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueUrlRequest;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * The work-queue contract on SQS (moto server), plus what only SQS has: queue provisioning, the
 * dead-letter queue, the 15-minute delay cap, long polls across instances (Lambda containers) and
 * the requests each operation costs.
 *
 * <p>SQS keeps real time, so {@link #advance} lets real time pass; the contract keeps its steps to
 * a few seconds for that reason.
 */
@ExtendWith(Emulator.class)
class SqsWorkQueuesIT extends WorkQueuesContract {
    private static final String PREFIX = "ferry-it-";
    /** Past a visibility or delay boundary by this much: SQS times are whole seconds, requests take a few ms. */
    private static final long MARGIN_MILLIS = 150;

    private final SqsClient sqs = Emulator.sqs();
    /** Every request this test's adapter made. */
    private final List<SdkRequest> requests = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final List<Throwable> threadFailures = new CopyOnWriteArrayList<>();

    @Override
    protected WorkQueues newQueues() {
        // Here rather than in a @BeforeEach of this class: the contract's @BeforeEach, which
        // provisions the queues, runs first.
        Emulator.reset();
        return new SqsWorkQueues(recording(sqs, requests), PREFIX, clock);
    }

    /** SQS's clock can't be moved: let the time pass for real, then show it on the test clock. */
    @Override
    protected void advance(Duration by) {
        try {
            Thread.sleep(by.toMillis() + MARGIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        clock.advance(by);
    }

    @AfterEach
    void stopThreads() {
        threads.forEach(Thread::interrupt);
        assertThat(threadFailures).isEmpty();
    }

    /**
     * Replaces the contract's ordering test: a standard SQS queue keeps no order, and the message
     * body holds only the run id, so there is no time to sort a batch by. What holds: each due run
     * is received exactly once, and a future one is not.
     */
    @Override
    @Test
    protected void receive_returnsTheEarliestVisibleFirst() {
        queues.send("q1", "run-late", clock.now().minusSeconds(1));
        queues.send("q1", "run-early", clock.now().minusSeconds(3));
        queues.send("q1", "run-middle", clock.now().minusSeconds(2));
        queues.send("q1", "run-future", clock.now().plusSeconds(60));

        List<Message> first = queues.receive("q1", 1, Duration.ofSeconds(30));
        List<Message> rest = queues.receive("q1", 10, Duration.ofSeconds(30));

        assertThat(first).hasSize(1);
        List<Message> all = new ArrayList<>(first);
        all.addAll(rest);
        assertThat(all).extracting(Message::runId).containsExactlyInAnyOrder("run-late", "run-early", "run-middle");
    }

    // ------------------------------------------------------------------ provisioning

    @Test
    void provision_createsTheQueueAndItsDeadLetterQueue_redrivingAfterFiveReceives_taggedWithPoolAndQueue() {
        queues.provision(workQueue("q3"));

        String url = url(PREFIX + "q3");
        String deadLetterUrl = url(PREFIX + "q3-dlq");
        Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(b -> b.queueUrl(url)
                .attributeNames(QueueAttributeName.ALL)).attributes();
        String deadLetterArn = sqs.getQueueAttributes(b -> b.queueUrl(deadLetterUrl)
                .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
        JsonNode redrive = Json.tree(attributes.get(QueueAttributeName.REDRIVE_POLICY));
        assertThat(redrive.path("deadLetterTargetArn").asText()).isEqualTo(deadLetterArn);
        assertThat(redrive.path("maxReceiveCount").asInt()).isEqualTo(5);
        assertThat(attributes.get(QueueAttributeName.MESSAGE_RETENTION_PERIOD)).isEqualTo("1209600");
        Map<String, String> expectedTags = Map.of("ferry:pool", "my-pool", "ferry:pool-id", "pool-1",
                "ferry:work-queue", "queue-q3", "ferry:work-queue-id", "q3");
        assertThat(sqs.listQueueTags(b -> b.queueUrl(url)).tags()).containsExactlyInAnyOrderEntriesOf(expectedTags);
        assertThat(sqs.listQueueTags(b -> b.queueUrl(deadLetterUrl)).tags()).containsExactlyInAnyOrderEntriesOf(expectedTags);
    }

    @Test
    void provision_ofAQueueMadeWithOtherAttributes_bringsItUpToDate() {
        sqs.createQueue(b -> b.queueName(PREFIX + "q3")); // as a Ferry without dead-letter queues made it

        queues.provision(workQueue("q3"));

        String url = url(PREFIX + "q3");
        Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(b -> b.queueUrl(url)
                .attributeNames(QueueAttributeName.ALL)).attributes();
        assertThat(Json.tree(attributes.get(QueueAttributeName.REDRIVE_POLICY)).path("maxReceiveCount").asInt()).isEqualTo(5);
        assertThat(sqs.listQueueTags(b -> b.queueUrl(url)).tags()).containsEntry("ferry:work-queue-id", "q3");
    }

    @Test
    void purge_deletesTheQueueAndItsDeadLetterQueue_andOnlyThose() {
        queues.purge("q1");

        assertThatThrownBy(() -> url(PREFIX + "q1")).isInstanceOf(QueueDoesNotExistException.class);
        assertThatThrownBy(() -> url(PREFIX + "q1-dlq")).isInstanceOf(QueueDoesNotExistException.class);
        assertThat(url(PREFIX + "q2")).isNotBlank();
        assertThat(url(PREFIX + "q2-dlq")).isNotBlank();
    }

    @Test
    void aLongIdWithCharactersSqsRefuses_getsLegalNamesThatFit_andWorks() {
        String id = "work queue/" + "x".repeat(150) + ":é";

        queues.provision(workQueue(id));
        queues.send(id, "run-1", clock.now());

        List<String> names = sqs.listQueues(b -> b.queueNamePrefix(PREFIX)).queueUrls().stream()
                .map(u -> u.substring(u.lastIndexOf('/') + 1)).filter(n -> n.startsWith(PREFIX + "work_queue_")).toList();
        assertThat(names).hasSize(2).allMatch(n -> n.matches("[A-Za-z0-9_-]{1,80}"));
        assertThat(queues.receive(id, 10, Duration.ofSeconds(30))).extracting(Message::queueId, Message::runId)
                .containsExactly(tuple(id, "run-1"));
        queues.purge(id);
        assertThat(sqs.listQueues(b -> b.queueNamePrefix(PREFIX + "work_queue_")).queueUrls()).isEmpty();
    }

    // ------------------------------------------------------------------ sending

    @Test
    void send_delaysUpToFifteenMinutes_andDoesNotSendARunDueLater() {
        queues.send("q1", "run-in-15-min", clock.now().plus(Duration.ofMinutes(15)));
        queues.send("q1", "run-in-14-min-59.5-s", clock.now().plus(Duration.ofMinutes(15)).minusMillis(500));
        queues.send("q1", "run-in-15-min-1-s", clock.now().plus(Duration.ofMinutes(15)).plusSeconds(1));

        assertThat(sent()).extracting(SendMessageRequest::messageBody, SendMessageRequest::delaySeconds)
                .containsExactly(
                        tuple("run-in-15-min", 900),
                        tuple("run-in-14-min-59.5-s", 900)); // never visible early
        assertThat(attribute("q1", QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).isEqualTo(2);
    }

    @Test
    void send_repeated_costsOneRequest_butANewTimeIsSent() {
        queues.send("q1", "run-1", clock.now());
        queues.send("q1", "run-1", clock.now());
        queues.send("q1", "run-1", clock.now());

        assertThat(sent()).hasSize(1);

        queues.send("q1", "run-1", clock.now().plusSeconds(30)); // a retry's new start time
        assertThat(sent()).hasSize(2);
    }

    @Test
    void send_afterTheRunsMessageWasDeleted_isSentAgain() {
        queues.send("q1", "run-1", clock.now());
        queues.delete(queues.receive("q1", 1, Duration.ofSeconds(30)).get(0));

        queues.send("q1", "run-1", clock.now());

        assertThat(sent()).hasSize(2);
        assertThat(queues.receive("q1", 10, Duration.ofSeconds(30))).extracting(Message::runId).containsExactly("run-1");
    }

    @Test
    void anotherInstance_looksUpEachQueueUrlOnce() {
        List<SdkRequest> itsRequests = new CopyOnWriteArrayList<>();
        WorkQueues other = new SqsWorkQueues(recording(sqs, itsRequests), PREFIX, clock);

        for (int i = 0; i < 3; i++) other.send("q1", "run-" + i, clock.now());
        other.receive("q1", 10, Duration.ofSeconds(30)).forEach(other::delete);

        assertThat(itsRequests).filteredOn(GetQueueUrlRequest.class::isInstance)
                .extracting(r -> ((GetQueueUrlRequest) r).queueName()).containsExactly(PREFIX + "q1");
    }

    @Test
    void aQueueDeletedByAnotherInstance_receivesNothing_refusesSends_andWorksOnceProvisionedAgain() {
        queues.send("q1", "run-1", clock.now()); // caches the URL
        WorkQueues other = new SqsWorkQueues(Emulator.sqs(), PREFIX, clock);
        other.purge("q1");

        assertThat(queues.receive("q1", 10, Duration.ofSeconds(30))).isEmpty();
        assertThatThrownBy(() -> queues.send("q1", "run-2", clock.now()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("work queue q1 has no SQS queue '" + PREFIX + "q1'")
                .hasMessageContaining("flow run run-2 was not queued");

        other.provision(workQueue("q1"));
        queues.send("q1", "run-2", clock.now());
        assertThat(queues.receive("q1", 10, Duration.ofSeconds(30))).extracting(Message::runId).containsExactly("run-2");
    }

    // ------------------------------------------------------------------ dead letters

    @Test
    void aMessageReceivedFiveTimes_neitherDeletedNorReleased_movesToTheDeadLetterQueue() {
        queues.send("q1", "run-poison", clock.now());

        for (int i = 0; i < 5; i++) {
            // A receiver that dies before deleting or releasing: visibility 0 shows it again at once.
            assertThat(queues.receive("q1", 1, Duration.ZERO)).as("receive %d", i + 1).hasSize(1);
        }

        assertThat(queues.receive("q1", 1, Duration.ZERO)).isEmpty();
        String deadLetterUrl = url(PREFIX + "q1-dlq");
        assertThat(sqs.receiveMessage(b -> b.queueUrl(deadLetterUrl)).messages())
                .extracting(software.amazon.awssdk.services.sqs.model.Message::body).containsExactly("run-poison");
    }

    @Test
    void release_ofAMessageNearTheDeadLetterLimit_sendsItAfresh_soAHealthyRunNeverGetsThere() {
        queues.send("q1", "run-1", clock.now());

        for (int i = 0; i < 12; i++) queues.release(queues.receive("q1", 1, VISIBILITY).get(0), Duration.ZERO);

        assertThat(queues.receive("q1", 10, VISIBILITY)).extracting(Message::runId).containsExactly("run-1");
        assertThat(sent()).hasSizeGreaterThanOrEqualTo(3); // the first send, then a fresh one every few receives
        assertThat(requests).filteredOn(ChangeMessageVisibilityRequest.class::isInstance).isNotEmpty();
        String deadLetterUrl = url(PREFIX + "q1-dlq");
        assertThat(sqs.receiveMessage(b -> b.queueUrl(deadLetterUrl)).messages()).isEmpty();
    }

    @Test
    void release_forLongerThanSqsHidesAMessage_neverFails_andKeepsTheRunHidden() {
        // AWS hides it the 12 hours it allows; moto counts those from the sending and refuses, and
        // then the message goes: the janitor sends the run once it is due.
        queues.send("q1", "run-1", clock.now());
        Message m = queues.receive("q1", 1, VISIBILITY).get(0);
        advance(Duration.ofSeconds(1));

        queues.release(m, Duration.ofHours(13));

        assertThat(requests).filteredOn(ChangeMessageVisibilityRequest.class::isInstance)
                .extracting(r -> ((ChangeMessageVisibilityRequest) r).visibilityTimeout()).containsExactly(43_200);
        advance(VISIBILITY);
        assertThat(queues.receive("q1", 10, VISIBILITY)).isEmpty();
    }

    // ------------------------------------------------------------------ long polls

    @Test
    void await_wakesWithinASecond_whenAnotherInstanceSendsToOneOfItsQueues() {
        WorkQueues other = new SqsWorkQueues(Emulator.sqs(), PREFIX, clock);
        Thread waiter = startAwait(List.of("q1", "q2"), Duration.ofSeconds(60));
        Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(waiter::isAlive);

        other.send("q2", "run-1", clock.now()); // only SQS can tell this instance: the long poll must

        Awaitility.await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(5)).until(() -> !waiter.isAlive());
        assertThat(queues.receive("q2", 10, Duration.ofSeconds(30))).extracting(Message::runId).containsExactly("run-1");
        assertThat(requests).filteredOn(ReceiveMessageRequest.class::isInstance).map(r -> (ReceiveMessageRequest) r)
                .filteredOn(r -> r.waitTimeSeconds() > 0)
                .allSatisfy(r -> {
                    assertThat(r.waitTimeSeconds()).isEqualTo(20);
                    assertThat(r.maxNumberOfMessages()).isEqualTo(1);
                })
                .extracting(ReceiveMessageRequest::queueUrl).contains(url(PREFIX + "q1"), url(PREFIX + "q2"));
    }

    @Test
    void await_sharesOnePollPerQueue_amongWaitingThreads() {
        for (int i = 0; i < 5; i++) startAwait(List.of("q1"), Duration.ofSeconds(60));
        Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> threads.stream().allMatch(Thread::isAlive));

        assertThat(requests).filteredOn(ReceiveMessageRequest.class::isInstance).hasSize(1);
    }

    @Test
    void aBufferedMessage_isHandedOutOnce_amongConcurrentReceivers() throws Exception {
        queues.send("q1", "run-1", clock.now());
        queues.await(List.of("q1"), clock.now().plusSeconds(60)); // its poll took the message into the buffer

        int receivers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(receivers);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<Message>>> results = new ArrayList<>();
            for (int i = 0; i < receivers; i++) {
                results.add(pool.submit(() -> {
                    go.await();
                    return queues.receive("q1", 10, Duration.ofSeconds(30));
                }));
            }
            go.countDown();
            List<Message> all = Collections.synchronizedList(new ArrayList<>());
            for (Future<List<Message>> r : results) all.addAll(r.get(10, TimeUnit.SECONDS));

            assertThat(all).extracting(Message::runId).containsExactly("run-1");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aBufferedMessage_nobodyReceives_turnsVisibleToEveryoneAgain_andIsNotHandedOutTwice() throws InterruptedException {
        queues.send("q1", "run-1", clock.now());
        queues.await(List.of("q1"), clock.now().plusSeconds(60)); // buffered; the waiter then went away
        WorkQueues other = new SqsWorkQueues(Emulator.sqs(), PREFIX, clock);

        assertThat(other.receive("q1", 10, Duration.ofSeconds(30))).isEmpty();
        List<Message> got = new ArrayList<>();
        Awaitility.await().atMost(SqsWorkQueues.BUFFER_VISIBILITY.plusSeconds(3)).pollInterval(Duration.ofMillis(200))
                .until(() -> got.addAll(other.receive("q1", 10, Duration.ofSeconds(30))));

        assertThat(got).extracting(Message::runId).containsExactly("run-1");
        assertThat(queues.receive("q1", 10, Duration.ofSeconds(30))).isEmpty();
    }

    // ------------------------------------------------------------------ helpers

    private Thread startAwait(List<String> queueIds, Duration within) {
        Thread t = new Thread(() -> {
            try {
                queues.await(queueIds, clock.now().plus(within));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable e) {
                threadFailures.add(e);
            }
        }, "it-await-" + queueIds);
        t.setDaemon(true);
        threads.add(t);
        t.start();
        return t;
    }

    private List<SendMessageRequest> sent() {
        return requests.stream().filter(SendMessageRequest.class::isInstance).map(SendMessageRequest.class::cast).toList();
    }

    private String url(String queueName) {
        return sqs.getQueueUrl(b -> b.queueName(queueName)).queueUrl();
    }

    private int attribute(String queueId, QueueAttributeName name) {
        String url = url(PREFIX + queueId);
        return Integer.parseInt(sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(name)).attributes().get(name));
    }

    /**
     * The client, recording every request it is given. The SDK's {@code Consumer<Builder>} overloads
     * are default methods that build the request and call the request overload; running them on the
     * proxy records the built request.
     */
    private static SqsClient recording(SqsClient real, List<SdkRequest> into) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (args != null && args.length == 1 && args[0] instanceof Consumer && method.isDefault()) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            if (args != null && args.length == 1 && args[0] instanceof SdkRequest) into.add((SdkRequest) args[0]);
            try {
                return method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (SqsClient) Proxy.newProxyInstance(SqsClient.class.getClassLoader(), new Class<?>[] {SqsClient.class}, handler);
    }
}
