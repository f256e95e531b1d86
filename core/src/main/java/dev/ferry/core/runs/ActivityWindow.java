package dev.ferry.core.runs;

import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Instants;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * A span of expected start times cut into equal buckets, as an activity chart asks the run store
 * for it. A run counts at its expected start ({@code scheduled_start_time}), to the millisecond, as
 * Prefect's dashboard counts; bucket {@code i} holds {@code [since + i * bucket, since + (i + 1) * bucket)},
 * the last one ending at {@code until}.
 *
 * <p>No store indexes runs by expected start (their lists go by creation), so the stores read the
 * runs <em>created</em> since {@link #createdFrom()}, newest first, and count those whose expected
 * start falls in the window: a run whose expected start lies more than {@link #LOOKBACK} after its
 * creation (scheduled that far ahead, or retried that much later) is not counted. At most
 * {@code maxRuns} runs are read; when there were more, the answer says it was truncated.
 */
public record ActivityWindow(Instant since, Instant until, Duration bucket, int maxRuns) {
    public static final Duration LOOKBACK = Duration.ofDays(1);
    public static final Duration MAX_SPAN = Duration.ofDays(31);
    public static final int MAX_BUCKETS = 500;
    /** What the API reads at most: a week of a busy installation's runs. */
    public static final int DEFAULT_MAX_RUNS = 5000;

    public ActivityWindow {
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(until, "until");
        Objects.requireNonNull(bucket, "bucket");
        if (!since.isBefore(until)) throw new IllegalArgumentException("since must be before until");
        if (bucket.toMillis() < 1) throw new IllegalArgumentException("a bucket must be at least a millisecond");
        if (maxRuns < 1) throw new IllegalArgumentException("maxRuns must be positive");
    }

    /**
     * The window an API caller asked for, or a 422 naming the parameter at fault.
     *
     * @param bucketSeconds null for a 24th of the span, rounded up to a whole second
     */
    public static ActivityWindow of(Instant since, Instant until, Integer bucketSeconds, int maxRuns) {
        Instants.check("since", since);
        Instants.check("until", until);
        if (since == null) throw BadInput.invalid("since", "'since' is required, like 2026-01-31T12:00:00Z");
        // runs count to the millisecond, so the window does too: no sliver of a bucket at its end
        since = since.truncatedTo(ChronoUnit.MILLIS);
        until = until.truncatedTo(ChronoUnit.MILLIS);
        if (!since.isBefore(until)) {
            throw BadInput.invalid("until", "'until' (" + until + ") must be after 'since' (" + since + ")");
        }
        Duration span = Duration.between(since, until);
        if (span.compareTo(MAX_SPAN) > 0) {
            throw BadInput.invalid("since", "the window from 'since' to 'until' may be at most " + MAX_SPAN.toDays()
                    + " days (got " + span + ")");
        }
        long seconds = bucketSeconds != null ? bucketSeconds : Math.max(1, (span.toMillis() + 23_999) / 24_000);
        if (seconds < 1) throw BadInput.invalid("bucket_seconds", "'bucket_seconds' must be at least 1 (got " + seconds + ")");
        long buckets = (span.toMillis() + seconds * 1000 - 1) / (seconds * 1000);
        if (buckets > MAX_BUCKETS) {
            throw BadInput.invalid("bucket_seconds", "'bucket_seconds' " + seconds + " cuts the window into " + buckets
                    + " buckets; at most " + MAX_BUCKETS + " are allowed, so use at least "
                    + ((span.toMillis() + MAX_BUCKETS * 1000L - 1) / (MAX_BUCKETS * 1000L)));
        }
        return new ActivityWindow(since, until, Duration.ofSeconds(seconds), maxRuns);
    }

    /** How many buckets the window has (the last may be shorter). */
    public int buckets() {
        long span = until.toEpochMilli() - since.toEpochMilli();
        return (int) Math.max(1, (span + bucket.toMillis() - 1) / bucket.toMillis());
    }

    public Instant bucketStart(int i) {
        return Instant.ofEpochMilli(since.toEpochMilli() + i * bucket.toMillis());
    }

    public Instant bucketEnd(int i) {
        Instant end = bucketStart(i + 1);
        return end.isAfter(until) ? until : end;
    }

    /** The bucket a run with this expected start counts in, or -1 when it lies outside the window. */
    public int bucketOf(Instant expectedStart) {
        if (expectedStart == null) return -1;
        return bucketOfMillis(expectedStart.toEpochMilli());
    }

    /** As {@link #bucketOf}, for an expected start in epoch milliseconds (what a store's query computes). */
    public int bucketOfMillis(long expectedStart) {
        long from = since.toEpochMilli();
        if (expectedStart < from || expectedStart >= until.toEpochMilli()) return -1;
        return (int) ((expectedStart - from) / bucket.toMillis());
    }

    /** The oldest creation time a run counted may have. */
    public Instant createdFrom() {
        return since.minus(LOOKBACK);
    }
}
