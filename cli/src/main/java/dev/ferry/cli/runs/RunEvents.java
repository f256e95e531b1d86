package dev.ferry.cli.runs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.client.FerryApi;
import dev.ferry.cli.output.Output;
import dev.ferry.cli.output.Printable;
import dev.ferry.cli.output.Times;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a person following a run sees: its state changes and its log lines, each printed once and
 * in time order. The API is polled, so this remembers how far it has printed.
 */
final class RunEvents {
    static final int LOG_PAGE = 1000;

    private final FerryApi api;
    private final String runId;
    private final PrintWriter out;
    private final ZoneId zone;
    private final boolean json;
    private final Set<String> statesShown = new HashSet<>();
    private long afterSeq;

    /** With {@code json}, log lines are printed one JSON object per line and states not at all. */
    RunEvents(FerryApi api, String runId, PrintWriter out, ZoneId zone, boolean json) {
        this.api = api;
        this.runId = runId;
        this.out = out;
        this.zone = zone;
        this.json = json;
    }

    /** Prints the log lines that arrived since the last call and, given the run, its new states. */
    void printNew(JsonNode run) {
        List<Event> events = new ArrayList<>();
        if (run != null && !json) {
            JsonNode history = run.path("state_history");
            if (history.isArray() && !history.isEmpty()) history.forEach(state -> addState(events, state));
            addState(events, run.path("state"));
        }
        for (JsonNode line : newLogLines()) {
            Instant at = Times.instant(line.get("timestamp"));
            events.add(new Event(at == null ? Instant.MAX : at, json ? Output.compact(line) : logLine(line, at)));
        }
        // Stable sort: lines with equal timestamps keep the order the API gave them.
        events.sort(Comparator.comparing(Event::at));
        for (Event e : events) out.println(e.text());
        out.flush();
    }

    String logLine(JsonNode line, Instant at) {
        String time = at == null ? "--:--:--" : Times.clock(at, zone);
        return time + " | " + Printable.text(line.path("message").asText());
    }

    private void addState(List<Event> events, JsonNode state) {
        if (!state.isObject()) return;
        String type = state.path("type").asText();
        String key = state.path("timestamp").asText() + "|" + type + "|" + state.path("name").asText();
        if (!statesShown.add(key)) return;
        Instant at = Times.instant(state.get("timestamp"));
        if (at == null) at = Instant.now();
        String name = state.path("name").isTextual() ? state.path("name").asText() : type;
        String message = state.path("message").isTextual() ? state.path("message").asText().strip() : "";
        events.add(new Event(at, Printable.text(Times.clock(at, zone) + " " + name + (message.isEmpty() ? "" : " - " + message))));
    }

    private List<JsonNode> newLogLines() {
        List<JsonNode> lines = new ArrayList<>();
        while (true) {
            JsonNode page = api.logs(runId, afterSeq, LOG_PAGE);
            int before = lines.size();
            for (JsonNode line : page.path("items")) {
                lines.add(line);
                afterSeq = Math.max(afterSeq, line.path("seq").asLong());
            }
            JsonNode next = page.path("next");
            if (lines.size() == before || next.isNull() || next.isMissingNode()) return lines;
        }
    }

    private record Event(Instant at, String text) {}
}
