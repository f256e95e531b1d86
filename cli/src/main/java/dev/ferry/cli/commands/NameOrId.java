package dev.ferry.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.client.ApiProblem;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * How a command finds the one thing its argument names: by name, else by ID. A name that several
 * things share is refused (exit 2) with each candidate's ID, so the person can pick one; guessing
 * would act on the wrong run.
 */
public final class NameOrId {
    private static final Pattern ID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    /** The things named {@code name}: none, one or several; a 404 counts as none. */
    @FunctionalInterface
    public interface Named {
        List<JsonNode> named(String name);
    }

    private NameOrId() {}

    public static boolean looksLikeId(String ref) {
        return ID.matcher(ref).matches();
    }

    /** For things whose names are unique (automations, webhooks): a by-name read that is a 404 when none has it. */
    public static Named unique(Function<String, JsonNode> byName) {
        return name -> List.of(byName.apply(name));
    }

    /**
     * The one {@code noun} that {@code ref} names: the one with that name; else, when none has it
     * and {@code ref} looks like an ID, the one with that ID. A miss is the by-name miss (it says
     * the name); several with that name are a {@link UsageError} listing them by {@code describe}.
     */
    public static JsonNode find(String noun, String ref, Named named, Function<String, JsonNode> byId,
                                Function<JsonNode, String> describe) {
        return find(noun, ref, named, byId, describe, "");
    }

    /** As above; {@code missHint} ends the message when nothing has the name (nor the ID). */
    public static JsonNode find(String noun, String ref, Named named, Function<String, JsonNode> byId,
                                Function<JsonNode, String> describe, String missHint) {
        if (ref == null || ref.isBlank()) throw new UsageError("a " + noun + " is named by its name or ID; got nothing");
        ApiProblem missByName = null;
        List<JsonNode> found;
        try {
            found = named.named(ref);
        } catch (ApiProblem p) {
            if (p.status() != 404) throw p;
            missByName = p;
            found = List.of();
        }
        if (found.size() == 1) return found.get(0);
        if (found.size() > 1) {
            throw new UsageError(found.size() + " " + noun + "s are named '" + ref + "'; give one's ID instead: "
                    + found.stream().map(describe).collect(Collectors.joining(", ")));
        }
        RuntimeException miss = missByName != null ? missByName : new Failure("no " + noun + " is named '" + ref + "'"
                + (looksLikeId(ref) ? " or has that ID" : "") + missHint);
        if (!looksLikeId(ref)) throw miss;
        try {
            return byId.apply(ref);
        } catch (ApiProblem byIdMiss) {
            if (byIdMiss.status() == 404) throw miss;
            throw byIdMiss;
        }
    }
}
