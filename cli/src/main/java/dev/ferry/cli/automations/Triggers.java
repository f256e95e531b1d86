package dev.ferry.cli.automations;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * How a trigger reads in one table cell, from the JSON the API keeps it as (the user's own, so
 * defaults are filled in as the API documents them: type event, posture Reactive, threshold 1).
 */
final class Triggers {
    /** The history's name of an automation's whole trigger; {@code t.1} is its second child, and so on. */
    static final String ROOT = "t";

    private Triggers() {}

    /**
     * {@code event: ferry.flow-run.Completed ×1}, {@code Proactive: acme.ping ×1 within 10s},
     * {@code compound(all of 2) within 5m}, {@code sequence(3)}.
     */
    static String summary(JsonNode trigger) {
        String type = trigger.path("type").asText("event");
        int within = trigger.path("within").asInt(0);
        String window = within > 0 ? " within " + seconds(within) : "";
        int children = trigger.path("triggers").size();
        return switch (type) {
            case "event" -> {
                boolean proactive = "proactive".equalsIgnoreCase(trigger.path("posture").asText("Reactive"));
                StringBuilder s = new StringBuilder(proactive ? "Proactive: " : "event: ");
                List<String> expect = patterns(trigger.get("expect"));
                List<String> after = patterns(trigger.get("after"));
                s.append(expect.isEmpty() ? "(any)" : String.join(", ", expect));
                if (!after.isEmpty()) s.append(" after ").append(String.join(", ", after));
                s.append(" ×").append(trigger.path("threshold").asInt(1)).append(window);
                yield s.toString();
            }
            case "compound" -> "compound(" + require(trigger.get("require"), children) + " of " + children + ")" + window;
            case "sequence" -> "sequence(" + children + ")" + window;
            default -> type;
        };
    }

    /** The trigger a history path names ({@code t}, {@code t.0.1}); a missing node when the automation has no such part. */
    static JsonNode at(JsonNode root, String path) {
        if (path == null || !(path.equals(ROOT) || path.startsWith(ROOT + "."))) return root.path("-missing-");
        JsonNode node = root;
        for (String step : path.substring(ROOT.length()).split("\\.")) {
            if (step.isEmpty()) continue;
            try {
                node = node.path("triggers").path(Integer.parseInt(step));
            } catch (NumberFormatException e) {
                return root.path("-missing-");
            }
        }
        return node;
    }

    /** What an open window counts up to: the event trigger's threshold, the triggers a compound requires, a sequence's steps. */
    static Integer target(JsonNode trigger) {
        if (trigger.isMissingNode()) return null;
        int children = trigger.path("triggers").size();
        return switch (trigger.path("type").asText("event")) {
            case "event" -> trigger.path("threshold").asInt(1);
            case "compound" -> {
                JsonNode require = trigger.get("require");
                yield require != null && require.isIntegralNumber() ? require.asInt()
                        : require != null && "any".equals(require.asText()) ? 1 : children;
            }
            case "sequence" -> children;
            default -> null;
        };
    }

    /** 10s, 5m, 2h, 1d: the largest unit the seconds divide into. */
    static String seconds(long s) {
        if (s % 86_400 == 0) return s / 86_400 + "d";
        if (s % 3_600 == 0) return s / 3_600 + "h";
        if (s % 60 == 0) return s / 60 + "m";
        return s + "s";
    }

    private static String require(JsonNode require, int children) {
        if (require == null || require.isNull() || "all".equals(require.asText())) return "all";
        if ("any".equals(require.asText())) return "any";
        return require.asText();
    }

    private static List<String> patterns(JsonNode node) {
        List<String> list = new ArrayList<>();
        if (node == null || node.isNull()) return list;
        if (node.isArray()) node.forEach(p -> list.add(p.asText()));
        else list.add(node.asText());
        return list;
    }
}
