package dev.ferry.cli.automations;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.output.Table;
import dev.ferry.cli.output.Times;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@code ferry automation inspect} as text, from the API's history document: the automation, its
 * open windows, its recent firings and its evaluations, newest first. A near miss is the answer to
 * "why didn't it fire?", so it is written in capitals and counted under the evaluations.
 */
final class History {
    private static final String NEAR_MISS = "near_miss";

    private final JsonNode history;
    private final JsonNode automation;
    private final ZoneId zone;

    History(JsonNode history, ZoneId zone) {
        this.history = history;
        this.automation = history.path("automation");
        this.zone = zone;
    }

    String render(int limit) {
        StringBuilder out = new StringBuilder();
        out.append("Automation '").append(automation.path("name").asText()).append("' (")
                .append(automation.path("id").asText()).append(")\n");
        field(out, "Enabled", String.valueOf(automation.path("enabled").asBoolean()));
        String pausedReason = automation.path("paused_reason").asText("");
        if (!pausedReason.isBlank()) field(out, "Paused", pausedReason.replaceAll("[\\r\\n\\t]+", " "));
        String description = automation.path("description").asText("");
        if (!description.isBlank()) field(out, "Description", description.replaceAll("[\\r\\n\\t]+", " "));
        field(out, "Trigger", Triggers.summary(automation.path("trigger")));
        JsonNode actions = automation.path("actions");
        for (int i = 0; i < actions.size(); i++) field(out, i == 0 ? "Actions" : "", (i + 1) + ". " + action(actions.get(i)));
        out.append('\n').append(windows()).append('\n').append(firings()).append('\n').append(evaluations(limit));
        return out.toString();
    }

    private String windows() {
        Table table = Table.of("Open windows", "Trigger", "Key", "Count", "Until");
        for (JsonNode w : history.path("windows")) {
            String path = w.path("trigger").asText();
            Integer target = Triggers.target(Triggers.at(automation.path("trigger"), path));
            // compound and sequence windows count the triggers that fired in them, not events
            int count = w.path("children").size() > 0 ? w.path("children").size() : w.path("count").asInt();
            table.row(path, w.path("key").asText("").replace('\u0001', ','), ratio(count, target),
                    w.hasNonNull("end") ? Times.local(Times.instant(w.get("end")), zone) : "no end");
        }
        return table.isEmpty() ? "Open windows: none\n" : table.render();
    }

    private String firings() {
        Table table = Table.of("Recent firings", "At", "Trigger", "Count", "Action", "Status", "Detail", "Flow Run");
        for (JsonNode f : history.path("firings")) {
            String at = Times.local(Times.instant(f.get("at")), zone);
            String trigger = f.path("trigger").asText();
            String count = ratio(f.path("count").asInt(), f.path("threshold").asInt());
            JsonNode outcomes = f.path("actions");
            if (outcomes.isEmpty()) table.row(at, trigger, count, "", "", "", "");
            for (JsonNode o : outcomes) {
                String status = o.path("status").asText();
                table.row(at, trigger, count, o.path("type").asText(), "failed".equals(status) ? "FAILED" : status,
                        o.path("detail").asText(""), o.path("flow_run_id").asText(""));
            }
        }
        return table.isEmpty() ? "Recent firings: none\n" : table.render();
    }

    private String evaluations(int limit) {
        JsonNode all = history.path("evaluations");
        Table table = Table.of("Evaluations (newest first)", "At", "Event", "Trigger", "Outcome", "Detail", "Count");
        int nearMisses = 0;
        for (int i = 0; i < Math.min(limit, all.size()); i++) {
            JsonNode e = all.get(i);
            String outcome = e.path("outcome").asText();
            if (NEAR_MISS.equals(outcome)) nearMisses++;
            table.row(Times.local(Times.instant(e.get("at")), zone), e.path("event").asText(""), e.path("trigger").asText(""),
                    outcome(outcome), e.path("detail").asText(""),
                    e.hasNonNull("count") ? ratio(e.get("count").asInt(), e.hasNonNull("threshold") ? e.get("threshold").asInt() : null)
                            : "");
        }
        if (table.isEmpty()) return "Evaluations: none yet (no event it expects has come)\n";
        StringBuilder out = new StringBuilder(table.render());
        if (nearMisses > 0) {
            out.append(nearMisses).append(nearMisses == 1 ? " near miss" : " near misses")
                    .append(": an expected event whose labels differed from the trigger's; Detail says which\n");
        }
        if (all.size() > limit) {
            out.append("Showing the newest ").append(limit).append(" of ").append(all.size())
                    .append(" evaluations; show more with --limit ").append(all.size()).append('\n');
        }
        return out.toString();
    }

    private static String outcome(String outcome) {
        return switch (outcome) {
            case NEAR_MISS -> "NEAR MISS";
            case "action_failed" -> "ACTION FAILED";
            case "circuit_broken" -> "CIRCUIT BROKEN";
            default -> outcome;
        };
    }

    /** The action's type and whatever it names as text: its target, a URL, a state. */
    private static String action(JsonNode action) {
        StringBuilder s = new StringBuilder(action.path("type").asText());
        List<String> named = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = action.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals("type") || !field.getValue().isValueNode() || field.getValue().isNull()) continue;
            named.add(field.getKey() + "=" + field.getValue().asText());
        }
        if (!named.isEmpty()) s.append(" (").append(String.join(", ", named)).append(")");
        return s.toString();
    }

    private static String ratio(int count, Integer target) {
        return target == null ? String.valueOf(count) : count + "/" + target;
    }

    private static void field(StringBuilder out, String name, String value) {
        out.append(name.isEmpty() ? " ".repeat(13) : String.format("%-13s", name + ":")).append(value).append('\n');
    }
}
