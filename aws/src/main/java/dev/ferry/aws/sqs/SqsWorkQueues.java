package dev.ferry.aws.sqs;

import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Json;
import dev.ferry.core.pools.WorkQueue;
import dev.ferry.core.pools.WorkQueues;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageNotInflightException;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sqs.model.QueueNameExistsException;
import software.amazon.awssdk.services.sqs.model.ReceiptHandleIsInvalidException;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * {@link WorkQueues} on SQS: one standard queue per work queue, named {@code prefix + id}, with a
 * dead-letter queue ({@code -dlq}) that takes a message after {@value #MAX_RECEIVES} receives.
 * A message body is the run id and nothing else: the store is the truth about the run.
 *
 * <p><b>Delays.</b> SQS delays a message by at most 15 minutes. A run due later is not sent at
 * all: the janitor sends every due SCHEDULED run each sweep, and ClaimService hands a message that
 * turns up early back with {@link #release}.
 *
 * <p><b>Long polls.</b> SQS cannot wait on several queues at once, so {@link #await} long-polls
 * each awaited queue (in parallel, at most one poll per queue in flight, shared by every waiting
 * thread) and keeps what a poll brings in a buffer that the next {@link #receive} of that queue
 * hands out first. A buffered message is hidden by SQS for {@link #BUFFER_VISIBILITY} only, so
 * one that nobody takes (its poller's request ended, or a higher-priority queue filled the
 * worker's limit) is back in the queue for everyone seconds later; a container frozen by Lambda
 * can't sit on it. A poll lasts until the deadline of the waiter that started it, give or take
 * half a second, and 20 seconds at most.
 *
 * <p><b>Duplicates.</b> Standard queues deliver at least once and every send is a new message;
 * ClaimService deletes a message whose run can no longer be claimed, so duplicates cost requests,
 * never correctness. See {@link #send} for how repeats are kept down without FIFO deduplication.
 *
 * <p>Thread-safe: the buffer and the poll bookkeeping are guarded by one lock that is never held
 * during a request to SQS.
 */
public final class SqsWorkQueues implements WorkQueues {

    /** The longest delay SQS gives a message (DelaySeconds); a run due later is not sent yet. */
    static final Duration MAX_DELAY = Duration.ofMinutes(15);
    /** The longest SQS hides a received message (VisibilityTimeout). */
    static final Duration MAX_VISIBILITY = Duration.ofHours(12);
    /** Receives after which SQS moves a message to the dead-letter queue (the redrive policy). */
    static final int MAX_RECEIVES = 5;
    /**
     * A message received this often is sent afresh when it is released instead of hidden again.
     * ClaimService releases a run that waits on a full concurrency limit every couple of seconds;
     * without this it would land in the dead-letter queue within ten seconds, though healthy. The
     * dead-letter queue thus only gets messages whose receivers died {@value #MAX_RECEIVES} times
     * in a row without deleting or releasing them. One below the limit because the count is
     * "approximate".
     */
    static final int RECYCLE_AT = MAX_RECEIVES - 1;
    /** SQS's most messages per ReceiveMessage, and longest long poll. */
    static final int MAX_BATCH = 10;
    static final int MAX_WAIT_SECONDS = 20;
    /**
     * How long a message taken by a long poll stays hidden while it waits in the buffer: long enough
     * for the waiter that asked to receive it, short enough that a message nobody took is soon
     * visible to other consumers again.
     */
    static final Duration BUFFER_VISIBILITY = Duration.ofSeconds(5);
    /** A buffered message hidden for less than this is left to SQS, which will show it again. */
    private static final long MIN_HANDOUT_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** A buffered message whose hidden time differs from the asked visibility by more gets the asked one. */
    private static final long VISIBILITY_SLACK_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** How long a send suppresses an identical send (same queue, run and time); see {@link #send}. */
    static final Duration SEND_MEMORY = Duration.ofMinutes(5);
    private static final int MAX_REMEMBERED_SENDS = 100_000;
    /** Longest a waiter sleeps before looking at the clock port again (a test clock moves silently). */
    private static final long MAX_NAP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** After a failed poll, waiters nap this long before polling that queue again, instead of spinning. */
    private static final long POLL_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** SQS's longest retention: a run nobody polls for days keeps its message (the janitor heals it anyway). */
    static final String RETENTION_SECONDS = Long.toString(Duration.ofDays(14).toSeconds());

    static final String TAG_POOL = "ferry:pool";
    static final String TAG_POOL_ID = "ferry:pool-id";
    static final String TAG_WORK_QUEUE = "ferry:work-queue";
    static final String TAG_WORK_QUEUE_ID = "ferry:work-queue-id";
    /** SQS tag values: letters, digits, whitespace and {@code _ . : / = + - @}, up to 256 characters. */
    private static final Pattern TAG_ILLEGAL = Pattern.compile("[^\\p{L}\\p{N}\\p{Zs}_.:/=+\\-@]");

    private final SqsClient sqs;
    private final QueueNames names;
    private final Clock clock;
    /** Queue URLs by queue name: GetQueueUrl once per queue; dropped when SQS says the queue is gone. */
    private final Map<String, String> urls = new ConcurrentHashMap<>();
    /** What this instance sent lately, for {@link #send}'s repeat suppression; insertion (= time) ordered. */
    private final LinkedHashMap<SendKey, Sent> sent = new LinkedHashMap<>();
    /** Receive counts of handed-out messages near the dead-letter limit, by receipt; see {@link #RECYCLE_AT}. */
    private final Map<String, Integer> nearDeadLetter = new ConcurrentHashMap<>();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Per work queue id: buffer, poll state, wake-ups. Guarded by lock. */
    private final Map<String, Local> locals = new HashMap<>();
    private final ExecutorService pollers = Executors.newCachedThreadPool(new PollerThreads());

    public SqsWorkQueues(SqsClient client, String queuePrefix, Clock clock) {
        this.sqs = Objects.requireNonNull(client, "client");
        this.names = new QueueNames(queuePrefix);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    // ------------------------------------------------------------------ provisioning

    /**
     * Creates the dead-letter queue, then the queue redriving to it, both tagged with the pool and
     * work queue. CreateQueue with the same attributes returns the existing queue, so repeating is
     * harmless; a queue made with other attributes (an older Ferry) is brought up to date.
     */
    @Override
    public void provision(WorkQueue queue) {
        Map<String, String> tags = tags(queue);
        String deadLetterUrl = createOrUpdate(names.deadLetter(queue.id()),
                Map.of(QueueAttributeName.MESSAGE_RETENTION_PERIOD, RETENTION_SECONDS), tags);
        String deadLetterArn = sqs.getQueueAttributes(b -> b.queueUrl(deadLetterUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        String redrive = Json.MAPPER.createObjectNode()
                .put("deadLetterTargetArn", deadLetterArn)
                .put("maxReceiveCount", MAX_RECEIVES)
                .toString();
        createOrUpdate(names.main(queue.id()), Map.of(
                QueueAttributeName.REDRIVE_POLICY, redrive,
                QueueAttributeName.MESSAGE_RETENTION_PERIOD, RETENTION_SECONDS), tags);
    }

    /** Deletes both queues (a queue already gone is fine) and forgets everything about them. */
    @Override
    public void purge(String queueId) {
        lock.lock();
        try {
            locals.remove(queueId); // a poll still in flight sees its Local gone and drops what it brings
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        synchronized (sent) {
            sent.keySet().removeIf(k -> k.queueId().equals(queueId));
        }
        deleteQueue(names.main(queueId));
        deleteQueue(names.deadLetter(queueId));
    }

    private String createOrUpdate(String name, Map<QueueAttributeName, String> attributes, Map<String, String> tags) {
        String url;
        try {
            url = sqs.createQueue(b -> b.queueName(name).attributes(attributes).tags(tags)).queueUrl();
        } catch (QueueNameExistsException e) {
            url = sqs.getQueueUrl(b -> b.queueName(name)).queueUrl();
            String existing = url;
            sqs.setQueueAttributes(b -> b.queueUrl(existing).attributes(attributes));
            sqs.tagQueue(b -> b.queueUrl(existing).tags(tags));
        }
        urls.put(name, url);
        return url;
    }

    private void deleteQueue(String name) {
        try {
            String url = url(name);
            sqs.deleteQueue(b -> b.queueUrl(url));
        } catch (SqsException e) {
            if (!missingQueue(e)) throw e;
        } finally {
            urls.remove(name);
        }
    }

    private static Map<String, String> tags(WorkQueue queue) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(TAG_POOL, tagValue(queue.pool()));
        tags.put(TAG_POOL_ID, tagValue(queue.poolId()));
        tags.put(TAG_WORK_QUEUE, tagValue(queue.name()));
        tags.put(TAG_WORK_QUEUE_ID, tagValue(queue.id()));
        return tags;
    }

    private static String tagValue(String value) {
        String legal = TAG_ILLEGAL.matcher(value == null ? "" : value).replaceAll("_");
        return legal.length() <= 256 ? legal : legal.substring(0, 256);
    }

    // ------------------------------------------------------------------ sending

    /**
     * Sends the run id with a delay up to {@code visibleAt}, or nothing if that is more than
     * 15 minutes away (the janitor sends it once due).
     *
     * <p>Repeats: FIFO queues would deduplicate, but they allow no per-message delay and block a
     * message group while one message is in flight, so queues are standard and this instance
     * remembers for {@link #SEND_MEMORY} what it sent: a repeat of the same run <em>and time</em>
     * costs no request. The janitor's every-minute resend of a run nobody claims thus adds one
     * message per five minutes per container instead of one per minute. The trade-offs: it is per
     * container (another Lambda container may still send its own copy), and a message lost within
     * that window (a stale receiver deleted it) is healed five minutes later rather than at the
     * next sweep. A different time is never suppressed, so a retry's new start time or an earlier
     * time is always sent (the older message then turns up as a duplicate that ClaimService
     * deletes or releases); a later time for a run already sent is sent too, because the earlier
     * message may already be gone in another container.
     */
    @Override
    public Optional<Duration> maxDelay() {
        return Optional.of(MAX_DELAY);
    }

    @Override
    public void send(String queueId, String runId, Instant visibleAt) {
        Instant now = clock.now();
        Duration until = Duration.between(now, visibleAt);
        long delay = until.isNegative() ? 0 : ceilSeconds(until);
        if (delay > MAX_DELAY.toSeconds()) return;
        SendKey key = new SendKey(queueId, runId);
        Sent mine = new Sent(visibleAt, now);
        synchronized (sent) {
            forgetOldSends(now);
            Sent earlier = sent.get(key);
            if (earlier != null && earlier.visibleAt().equals(visibleAt)) return;
            sent.remove(key); // re-inserted at the end: the map stays ordered by send time
            sent.put(key, mine);
        }
        try {
            String url = queueUrl(queueId);
            sqs.sendMessage(b -> b.queueUrl(url).messageBody(runId).delaySeconds((int) delay));
        } catch (RuntimeException e) {
            synchronized (sent) {
                sent.remove(key, mine);
            }
            if (e instanceof SqsException && missingQueue((SqsException) e)) {
                urls.remove(names.main(queueId));
                throw new IllegalStateException("work queue " + queueId + " has no SQS queue '" + names.main(queueId)
                        + "' (deleted, or never provisioned); flow run " + runId + " was not queued", e);
            }
            throw e;
        }
        announce(queueId, delay, true);
    }

    private void forgetOldSends(Instant now) {
        Iterator<Sent> oldestFirst = sent.values().iterator();
        while (oldestFirst.hasNext()) {
            Sent s = oldestFirst.next();
            if (sent.size() <= MAX_REMEMBERED_SENDS && !s.at().plus(SEND_MEMORY).isBefore(now)) break;
            oldestFirst.remove();
        }
    }

    // ------------------------------------------------------------------ receiving

    @Override
    public List<Message> receive(String queueId, int max, Duration visibility) {
        if (max < 1) throw new IllegalArgumentException("max must be at least 1 (got " + max + ")");
        if (visibility.isNegative()) throw new IllegalArgumentException("visibility must not be negative (got " + visibility + ")");
        int visibilitySeconds = (int) ceilSeconds(min(visibility, MAX_VISIBILITY));
        List<Message> out = new ArrayList<>(Math.min(max, MAX_BATCH));
        for (Buffered b : takeBuffered(queueId, max)) {
            if (handOut(b, visibility, visibilitySeconds)) {
                out.add(b.message());
                remember(b.message(), b.receiveCount());
            }
        }
        String url;
        try {
            url = queueUrl(queueId);
        } catch (SqsException e) {
            if (missingQueue(e)) return out; // a deleted queue holds no messages
            throw e;
        }
        while (out.size() < max) {
            int asked = Math.min(MAX_BATCH, max - out.size());
            ReceiveMessageResponse response;
            try {
                response = sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(asked)
                        .visibilityTimeout(visibilitySeconds).waitTimeSeconds(0)
                        .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT));
            } catch (SqsException e) {
                if (!missingQueue(e)) throw e;
                urls.remove(names.main(queueId));
                break;
            }
            for (software.amazon.awssdk.services.sqs.model.Message m : response.messages()) {
                Message message = new Message(queueId, m.body(), m.receiptHandle());
                out.add(message);
                remember(message, receiveCount(m));
            }
            // A short poll samples some of SQS's servers: fewer than asked means "no more for now".
            if (response.messages().size() < asked) break;
        }
        return out;
    }

    @Override
    public void delete(Message message) {
        nearDeadLetter.remove(message.receipt());
        synchronized (sent) {
            sent.remove(new SendKey(message.queueId(), message.runId()));
        }
        try {
            String url = queueUrl(message.queueId());
            sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(message.receipt()));
        } catch (SqsException e) {
            if (missingQueue(e)) {
                urls.remove(names.main(message.queueId()));
            } else if (!staleReceipt(e)) {
                throw e;
            }
        }
    }

    /**
     * ChangeMessageVisibility to {@code delay} (at most 12 hours). A message near the dead-letter
     * limit, or one SQS won't hide that long, is sent afresh instead (or, when its delay is beyond
     * what a new message can have, deleted: the janitor sends its run once due).
     */
    @Override
    public void release(Message message, Duration delay) {
        if (delay.isNegative()) throw new IllegalArgumentException("delay must not be negative (got " + delay + ")");
        int seconds = (int) ceilSeconds(min(delay, MAX_VISIBILITY));
        Integer receives = nearDeadLetter.remove(message.receipt());
        if (receives != null) {
            recycle(message, seconds);
            return;
        }
        try {
            String url = queueUrl(message.queueId());
            sqs.changeMessageVisibility(b -> b.queueUrl(url).receiptHandle(message.receipt()).visibilityTimeout(seconds));
        } catch (SqsException e) {
            if (missingQueue(e)) {
                urls.remove(names.main(message.queueId()));
                return;
            }
            if (staleReceipt(e)) return; // visible again already, or deleted
            if (!"InvalidParameterValue".equals(errorCode(e))) throw e;
            // SQS hides a message at most 12 hours in all (moto counts from its sending).
            recycle(message, seconds);
            return;
        }
        announce(message.queueId(), seconds, false);
    }

    private void recycle(Message message, int delaySeconds) {
        if (delaySeconds <= MAX_DELAY.toSeconds()) {
            try {
                String url = queueUrl(message.queueId());
                sqs.sendMessage(b -> b.queueUrl(url).messageBody(message.runId()).delaySeconds(delaySeconds));
            } catch (SqsException e) {
                if (!missingQueue(e)) throw e;
                urls.remove(names.main(message.queueId()));
                return; // the work queue is gone, and its messages with it
            }
            announce(message.queueId(), delaySeconds, true);
        }
        delete(message); // after the send: a failure in between leaves a duplicate, never nothing
    }

    // ------------------------------------------------------------------ waiting

    @Override
    public void await(List<String> queueIds, Instant deadline) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            fireDues();
            long[] seen = generations(queueIds);
            while (true) {
                if (anyBuffered(queueIds) || !Arrays.equals(seen, generations(queueIds))) return;
                long remaining = nanosUntil(deadline);
                if (remaining <= 0) return;
                startPolls(queueIds, remaining);
                long nap = Math.min(MAX_NAP_NANOS, remaining);
                long now = System.nanoTime();
                for (String queueId : queueIds) {
                    Local l = locals.get(queueId);
                    if (l != null && !l.dues.isEmpty()) nap = Math.min(nap, l.dues.peek() - now);
                }
                changed.awaitNanos(Math.max(1, nap));
                fireDues();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Starts a long poll on each awaited queue that has none in flight. Called under lock. */
    private void startPolls(List<String> queueIds, long remainingNanos) {
        // Rounded, not rounded up: a poll outliving every waiter may take a message nobody is left to
        // receive (in Lambda, a frozen container's), hidden for BUFFER_VISIBILITY.
        long waitSeconds = Math.min(MAX_WAIT_SECONDS, (remainingNanos + TimeUnit.MILLISECONDS.toNanos(500)) / 1_000_000_000L);
        if (waitSeconds < 1) return;
        long now = System.nanoTime();
        for (String queueId : queueIds) {
            Local l = local(queueId);
            if (l.polling || now - l.pollBlockedUntil < 0) continue;
            l.polling = true;
            pollers.execute(() -> poll(queueId, l, (int) waitSeconds));
        }
    }

    private void poll(String queueId, Local l, int waitSeconds) {
        List<Buffered> got = new ArrayList<>(1);
        boolean failed = false;
        try {
            String url = queueUrl(queueId);
            // One message: the poll is a wake-up call; ClaimService's receive then takes as many as
            // the worker wants, and a worker wanting one does not leave nine hidden in this buffer.
            ReceiveMessageResponse response = sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(1)
                    .visibilityTimeout((int) BUFFER_VISIBILITY.toSeconds()).waitTimeSeconds(waitSeconds)
                    .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT));
            long hiddenUntil = System.nanoTime() + BUFFER_VISIBILITY.toNanos();
            for (software.amazon.awssdk.services.sqs.model.Message m : response.messages()) {
                got.add(new Buffered(new Message(queueId, m.body(), m.receiptHandle()), receiveCount(m), hiddenUntil));
            }
        } catch (RuntimeException e) {
            // Waiters nap until their deadline instead; ClaimService's own receive reports the error.
            failed = true;
            if (e instanceof SqsException && missingQueue((SqsException) e)) urls.remove(names.main(queueId));
        } finally {
            lock.lock();
            try {
                l.polling = false;
                if (failed) l.pollBlockedUntil = System.nanoTime() + POLL_BACKOFF_NANOS;
                if (!got.isEmpty() && locals.get(queueId) == l) {
                    l.buffer.addAll(got);
                    l.generation++;
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Wakes local waiters when a message this instance sent or released becomes visible: at its due
     * time for a delayed one, at once otherwise. Except for a new message while a long poll on the
     * queue is in flight: SQS hands it to that poll at once, and a waiter woken before the poll's
     * answer arrives would receive nothing. A message turning visible again (release) is seen by a
     * waiting poll only later (moto looks once a second), so that always wakes at once.
     */
    private void announce(String queueId, long delaySeconds, boolean newMessage) {
        lock.lock();
        try {
            Local l = local(queueId);
            if (delaySeconds > 0) {
                l.dues.add(System.nanoTime() + TimeUnit.SECONDS.toNanos(delaySeconds));
            } else if (!(newMessage && l.polling)) {
                l.generation++;
            }
            fireDues(); // also keeps the due times of an instance that only sends (the janitor) from piling up
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Turns due times that have passed into wake-ups. Called under lock. */
    private void fireDues() {
        long now = System.nanoTime();
        boolean fired = false;
        for (Local l : locals.values()) {
            while (!l.dues.isEmpty() && l.dues.peek() - now <= 0) {
                l.dues.poll();
                l.generation++;
                fired = true;
            }
        }
        if (fired) changed.signalAll();
    }

    private boolean anyBuffered(List<String> queueIds) {
        for (String queueId : queueIds) {
            Local l = locals.get(queueId);
            if (l != null && !dropExpired(l).buffer.isEmpty()) return true;
        }
        return false;
    }

    private List<Buffered> takeBuffered(String queueId, int max) {
        lock.lock();
        try {
            Local l = locals.get(queueId);
            if (l == null) return List.of();
            dropExpired(l);
            List<Buffered> taken = new ArrayList<>();
            while (taken.size() < max && !l.buffer.isEmpty()) taken.add(l.buffer.poll());
            return taken;
        } finally {
            lock.unlock();
        }
    }

    /** Left to SQS: buffered messages about to turn visible again by themselves. Called under lock. */
    private static Local dropExpired(Local l) {
        long now = System.nanoTime();
        l.buffer.removeIf(b -> b.hiddenUntil() - now < MIN_HANDOUT_NANOS);
        return l;
    }

    /** Gives a buffered message the asked visibility unless it is hidden about that long already. */
    private boolean handOut(Buffered b, Duration visibility, int visibilitySeconds) {
        long left = b.hiddenUntil() - System.nanoTime();
        if (Math.abs(left - visibility.toNanos()) <= VISIBILITY_SLACK_NANOS) return true;
        try {
            String url = queueUrl(b.message().queueId());
            sqs.changeMessageVisibility(r -> r.queueUrl(url).receiptHandle(b.message().receipt()).visibilityTimeout(visibilitySeconds));
            return true;
        } catch (SqsException e) {
            if (missingQueue(e) || staleReceipt(e)) return false;
            throw e;
        }
    }

    private long[] generations(List<String> queueIds) {
        long[] out = new long[queueIds.size()];
        for (int i = 0; i < out.length; i++) {
            Local l = locals.get(queueIds.get(i));
            out[i] = l == null ? 0 : l.generation;
        }
        return out;
    }

    private Local local(String queueId) {
        return locals.computeIfAbsent(queueId, id -> new Local());
    }

    private long nanosUntil(Instant deadline) {
        try {
            return Duration.between(clock.now(), deadline).toNanos();
        } catch (ArithmeticException tooFar) {
            return Long.MAX_VALUE;
        }
    }

    // ------------------------------------------------------------------ helpers

    private String queueUrl(String queueId) {
        return url(names.main(queueId));
    }

    private String url(String name) {
        String url = urls.get(name);
        if (url != null) return url;
        url = sqs.getQueueUrl(b -> b.queueName(name)).queueUrl();
        urls.put(name, url);
        return url;
    }

    private void remember(Message message, int receiveCount) {
        if (receiveCount < RECYCLE_AT) return;
        // Receivers delete or release what they take at once; this only fills up if they keep dying,
        // and then forgetting merely lets SQS move those messages to the dead-letter queue.
        if (nearDeadLetter.size() > 10_000) nearDeadLetter.clear();
        nearDeadLetter.put(message.receipt(), receiveCount);
    }

    private static int receiveCount(software.amazon.awssdk.services.sqs.model.Message m) {
        String count = m.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT);
        try {
            return count == null ? 1 : Integer.parseInt(count);
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    private static boolean missingQueue(SqsException e) {
        String code = errorCode(e);
        return e instanceof QueueDoesNotExistException
                || "AWS.SimpleQueueService.NonExistentQueue".equals(code) || "QueueDoesNotExist".equals(code);
    }

    /** The receipt is no longer good: the message was deleted, or turned visible and may be someone else's. */
    private static boolean staleReceipt(SqsException e) {
        String code = errorCode(e);
        return e instanceof ReceiptHandleIsInvalidException || e instanceof MessageNotInflightException
                || "ReceiptHandleIsInvalid".equals(code) || "AWS.SimpleQueueService.MessageNotInflight".equals(code);
    }

    private static String errorCode(SqsException e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }

    private static long ceilSeconds(Duration d) {
        return d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private record SendKey(String queueId, String runId) {}

    private record Sent(Instant visibleAt, Instant at) {}

    /** A message a long poll took, hidden by SQS until about {@code hiddenUntil} (System.nanoTime). */
    private record Buffered(Message message, int receiveCount, long hiddenUntil) {}

    /** This instance's view of one work queue. Guarded by lock. */
    private static final class Local {
        final ArrayDeque<Buffered> buffer = new ArrayDeque<>();
        /** When messages this instance delayed or released fall due (System.nanoTime). */
        final PriorityQueue<Long> dues = new PriorityQueue<>();
        /** Bumped whenever a message may have become visible; waiters compare before and after. */
        long generation;
        boolean polling;
        long pollBlockedUntil = System.nanoTime();
    }

    /** Daemon threads: an idle poller must never keep a JVM alive. */
    private static final class PollerThreads implements ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "ferry-sqs-poll-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }
}
