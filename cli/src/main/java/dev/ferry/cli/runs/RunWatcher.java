package dev.ferry.cli.runs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.client.FerryApi;
import dev.ferry.cli.output.Printable;
import dev.ferry.core.runs.StateType;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.CancellationException;

/** Follows one flow run until it ends, printing its states and log lines as they come. */
public final class RunWatcher {
    static final Duration POLL = Duration.ofMillis(300);

    private final FerryApi api;
    private final PrintWriter out;
    private final ZoneId zone;

    public RunWatcher(FerryApi api, PrintWriter out, ZoneId zone) {
        this.api = api;
        this.out = out;
        this.zone = zone;
    }

    /** States and logs until the run is terminal; answers the run as it ended. */
    public JsonNode watch(String runId) {
        return follow(new RunEvents(api, runId, out, zone, false), runId, true);
    }

    /** Log lines only, until the run is terminal and every line is printed. */
    public void logs(String runId, boolean json) {
        follow(new RunEvents(api, runId, out, zone, json), runId, false);
    }

    private JsonNode follow(RunEvents events, String runId, boolean withStates) {
        WorkerNotice notice = withStates ? new WorkerNotice(api) : null;
        while (true) {
            // The run is read before its logs: the worker ships every line before the final state,
            // so a terminal run read here means the logs fetched next are complete.
            JsonNode run = api.flowRun(runId);
            events.printNew(withStates ? run : null);
            if (isTerminal(run)) return run;
            if (notice != null) notice.check(run, Instant.now()).ifPresent(this::say);
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted");
            }
        }
    }

    private void say(String line) {
        out.println(Printable.text(line));
        out.flush();
    }

    public static boolean isTerminal(JsonNode run) {
        String type = run.path("state").path("type").asText();
        for (StateType t : StateType.values()) {
            if (t.name().equals(type)) return t.isTerminal();
        }
        return false;
    }
}
