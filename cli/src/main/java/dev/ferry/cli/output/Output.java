package dev.ferry.cli.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.ferry.core.common.Json;
import java.io.PrintWriter;
import java.util.List;

/** Where a command's results go, in the format the user asked for. */
public final class Output {
    public enum Format { TABLE, JSON }

    // Two-space indents and "key": value, the way people write JSON by hand (Jackson's default
    // puts a space before the colon and keeps arrays on one line).
    private static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                    .withObjectEmptySeparator("")
                    .withArrayEmptySeparator(""));

    static {
        PRETTY.indentArraysWith(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE);
    }

    private final PrintWriter out;
    private final Format format;

    public Output(PrintWriter out, Format format) {
        this.out = out;
        this.format = format;
    }

    public boolean json() {
        return format == Format.JSON;
    }

    public PrintWriter writer() {
        return out;
    }

    /** One line for a person: its control characters are shown, not acted on ({@link Printable}). */
    public void line(String text) {
        out.println(Printable.text(text));
        out.flush();
    }

    /** Pretty JSON, exactly the fields the API sent (control characters escaped, as JSON allows). */
    public void print(JsonNode node) {
        out.println(pretty(node));
        out.flush();
    }

    public void print(List<JsonNode> items) {
        ArrayNode array = Json.MAPPER.createArrayNode();
        items.forEach(array::add);
        print(array);
    }

    public void print(Table table) {
        out.print(table.render());
        out.flush();
    }

    /** A list as JSON or as a table, with a hint instead of a bare header when there's nothing to show. */
    public void list(List<JsonNode> items, Table table, String whenEmpty) {
        if (json()) {
            print(items);
        } else if (table.isEmpty()) {
            line(whenEmpty);
        } else {
            print(table);
        }
    }

    /** One line of JSON, control characters escaped as in {@link #pretty}. */
    public static String compact(JsonNode node) {
        try {
            return Json.MAPPER.writer().with(Printable.JSON).writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String pretty(JsonNode node) {
        try {
            return Json.MAPPER.writer(PRETTY).with(Printable.JSON).writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
