package dev.ferry.aws.logs;

import dev.ferry.core.runs.LogLine;
import dev.ferry.core.runs.TaskLogs;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;

/**
 * {@link TaskLogs} from CloudWatch Logs. A stream's lines are numbered from 1 in the order
 * CloudWatch returns them from the head, which is what the logs API pages by ({@code seq}).
 */
public final class CloudWatchTaskLogs implements TaskLogs {
    /** Pages read per request at most: a huge stream is read up to here, then the client pages on. */
    private static final int MAX_PAGES = 20;
    private final Supplier<CloudWatchLogsClient> client;

    public CloudWatchTaskLogs(CloudWatchLogsClient logs) {
        this(() -> logs);
    }

    /** @param client built on first use */
    public CloudWatchTaskLogs(Supplier<CloudWatchLogsClient> client) {
        this.client = client;
    }

    @Override
    public List<LogLine> read(String group, String stream, long afterSeq, int limit) {
        List<LogLine> out = new ArrayList<>();
        long seq = 0;
        String token = null;
        try {
            for (int page = 0; page < MAX_PAGES && out.size() < limit; page++) {
                String from = token;
                GetLogEventsResponse response = client.get().getLogEvents(b -> b.logGroupName(group).logStreamName(stream)
                        .startFromHead(true).nextToken(from));
                for (OutputLogEvent e : response.events()) {
                    seq++;
                    if (seq > afterSeq && out.size() < limit) {
                        out.add(new LogLine(seq, e.timestamp() == null ? null : Instant.ofEpochMilli(e.timestamp()),
                                "stdout", e.message()));
                    }
                }
                // CloudWatch signals the end by handing back the token it was given.
                if (response.nextForwardToken() == null || response.nextForwardToken().equals(from)
                        || response.events().isEmpty()) {
                    break;
                }
                token = response.nextForwardToken();
            }
        } catch (ResourceNotFoundException e) {
            return List.of(); // the task has not written yet
        }
        return out;
    }

    @Override
    public List<String> tail(String group, String stream, int lines) {
        try {
            List<String> out = new ArrayList<>();
            client.get().getLogEvents(b -> b.logGroupName(group).logStreamName(stream).startFromHead(false).limit(lines))
                    .events().forEach(e -> out.add(e.message()));
            return out;
        } catch (ResourceNotFoundException e) {
            return List.of();
        }
    }
}
