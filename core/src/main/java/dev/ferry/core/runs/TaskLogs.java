package dev.ferry.core.runs;

import java.util.List;

/** Log lines a run's task wrote elsewhere (AWS: CloudWatch Logs), read back for the run's logs API. */
public interface TaskLogs {
    /** Lines with {@code seq > afterSeq} (seq numbers the stream's lines from 1), oldest first. */
    List<LogLine> read(String group, String stream, long afterSeq, int limit);

    /** The last {@code lines} messages, oldest first. */
    List<String> tail(String group, String stream, int lines);

    TaskLogs NONE = new TaskLogs() {
        @Override
        public List<LogLine> read(String group, String stream, long afterSeq, int limit) {
            return List.of();
        }

        @Override
        public List<String> tail(String group, String stream, int lines) {
            return List.of();
        }
    };
}
