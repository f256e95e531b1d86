package dev.ferry.core.templates;

import dev.ferry.core.common.Json;
import io.pebbletemplates.pebble.error.PebbleException;
import io.pebbletemplates.pebble.extension.Filter;
import io.pebbletemplates.pebble.extension.Function;
import io.pebbletemplates.pebble.extension.NodeVisitor;
import io.pebbletemplates.pebble.lexer.Token;
import io.pebbletemplates.pebble.node.ForNode;
import io.pebbletemplates.pebble.node.RenderableNode;
import io.pebbletemplates.pebble.node.expression.ConcatenateExpression;
import io.pebbletemplates.pebble.node.expression.Expression;
import io.pebbletemplates.pebble.parser.Parser;
import io.pebbletemplates.pebble.template.EvaluationContext;
import io.pebbletemplates.pebble.template.EvaluationContextImpl;
import io.pebbletemplates.pebble.template.PebbleTemplate;
import io.pebbletemplates.pebble.template.PebbleTemplateImpl;
import io.pebbletemplates.pebble.tokenParser.ForTokenParser;
import io.pebbletemplates.pebble.tokenParser.TokenParser;
import java.util.AbstractCollection;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Ferry's additions to Pebble, and the bounded stand-ins for the parts of it that could run away. */
final class Builtins {
    private Builtins() {}

    /** {@code {{ event.payload | tojson }}}: a value as JSON text (Jinja's name), for use inside larger strings. */
    static final class ToJson implements Filter {
        @Override
        public List<String> getArgumentNames() {
            return List.of();
        }

        @Override
        public Object apply(Object input, Map<String, Object> args, PebbleTemplate self, EvaluationContext context, int line) {
            try {
                String text = Json.string(JsonValues.toJson(input));
                Budget.current().chars(text.length(), line);
                return text;
            } catch (JsonValues.NotJson e) {
                throw new PebbleException(null, "tojson: " + e.getMessage(), line, null);
            }
        }
    }

    /**
     * {@code replace('old', 'new')} as in Jinja, or {@code replace({'old': 'new', ...})} as in Pebble.
     * Pebble's own would build a replacement of every occurrence before anyone could count it.
     */
    static final class Replace implements Filter {
        @Override
        public List<String> getArgumentNames() {
            return List.of("old", "new");
        }

        @Override
        public Object apply(Object input, Map<String, Object> args, PebbleTemplate self, EvaluationContext context, int line) {
            if (input == null) return null;
            String text = input.toString();
            Object old = args.get("old");
            if (old instanceof Map<?, ?> pairs) {
                for (Map.Entry<?, ?> pair : pairs.entrySet()) {
                    text = replace(text, String.valueOf(pair.getKey()), String.valueOf(pair.getValue()), line);
                }
                return text;
            }
            if (old == null || !args.containsKey("new")) {
                throw new PebbleException(null, "replace takes the text to find and its replacement: replace('a', 'b')", line, null);
            }
            return replace(text, old.toString(), String.valueOf(args.get("new")), line);
        }

        private static String replace(String text, String old, String replacement, int line) {
            if (old.isEmpty()) return text;
            int count = 0;
            for (int at = text.indexOf(old); at >= 0; at = text.indexOf(old, at + old.length())) count++;
            Budget.current().chars(text.length() + (long) count * (replacement.length() - old.length()), line);
            return text.replace(old, replacement);
        }
    }

    /** {@code join(', ')}: Pebble's builds the whole string before it can be measured. */
    static final class Join implements Filter {
        @Override
        public List<String> getArgumentNames() {
            return List.of("separator");
        }

        @Override
        public Object apply(Object input, Map<String, Object> args, PebbleTemplate self, EvaluationContext context, int line) {
            if (input == null) return null;
            Iterable<?> items;
            if (input instanceof Iterable<?> iterable) {
                items = iterable;
            } else if (input instanceof Object[] array) {
                items = List.of(array);
            } else {
                throw new PebbleException(null, "join takes a list; got " + JsonAttributes.kind(input), line, null);
            }
            Object separator = args.get("separator");
            String between = separator == null ? "" : separator.toString();
            StringBuilder joined = new StringBuilder();
            boolean first = true;
            for (Object item : items) {
                if (!first) joined.append(between);
                first = false;
                if (item != null) joined.append(item);
                if (joined.length() > Budget.MAX_CHARS) Budget.current().chars(joined.length(), line);
            }
            Budget.current().chars(joined.length(), line);
            return joined.toString();
        }
    }

    /** A core filter whose result is measured: no filter may build a string or a list past the limits. */
    static final class Measured implements Filter {
        private final Filter filter;

        Measured(Filter filter) {
            this.filter = filter;
        }

        @Override
        public List<String> getArgumentNames() {
            return filter.getArgumentNames();
        }

        @Override
        public Object apply(Object input, Map<String, Object> args, PebbleTemplate self, EvaluationContext context, int line) {
            // sort, rsort and reverse reorder their input in place; a copy keeps the context the same for the next string
            Object own = input instanceof List<?> list ? new JsonValues.JsonList(list)
                    : input instanceof Map<?, ?> map ? new JsonValues.JsonMap(map) : input;
            return measure(filter.apply(own, args, self, context, line), line);
        }
    }

    /** {@code range(a, b)} and {@code a..b}: refused before a list longer than the limit is built. */
    static final class Range implements Function {
        private final Function range;

        Range(Function range) {
            this.range = range;
        }

        @Override
        public List<String> getArgumentNames() {
            return range.getArgumentNames();
        }

        @Override
        public Object execute(Map<String, Object> args, PebbleTemplate self, EvaluationContext context, int line) {
            if (args.get("start") instanceof Number start && args.get("end") instanceof Number end) {
                long step = args.get("increment") instanceof Number increment ? increment.longValue() : 1;
                if (step != 0) {
                    double count = (end.doubleValue() - start.doubleValue()) / step + 1;
                    if (count > Budget.MAX_ITEMS) Budget.current().items((int) Math.min(count, Integer.MAX_VALUE), line);
                }
            }
            return measure(range.execute(args, self, context, line), line);
        }
    }

    /** {@code a ~ b}, measured before the two are joined. */
    static final class Concat extends ConcatenateExpression {
        @Override
        public String evaluate(PebbleTemplateImpl self, EvaluationContextImpl context) {
            Object left = getLeftExpression().evaluate(self, context);
            Object right = getRightExpression().evaluate(self, context);
            String l = left == null ? "" : left.toString();
            String r = right == null ? "" : right.toString();
            Budget.current().chars((long) l.length() + r.length(), getLineNumber());
            return l + r;
        }
    }

    /** {@code for}, as Pebble parses it, with every iteration counted against the render's budget. */
    static final class CountedFor implements TokenParser {
        private final ForTokenParser parser = new ForTokenParser();

        @Override
        public String getTag() {
            return parser.getTag();
        }

        @Override
        public RenderableNode parse(Token token, Parser parser) {
            ForNode loop = (ForNode) this.parser.parse(token, parser);
            return new ForNode(loop.getLineNumber(), loop.getIterationVariable(), new Counted(loop.getIterable()),
                    loop.getBody(), loop.getElseBody());
        }
    }

    private static final class Counted implements Expression<Object> {
        private final Expression<?> iterable;

        Counted(Expression<?> iterable) {
            this.iterable = iterable;
        }

        @Override
        public Object evaluate(PebbleTemplateImpl self, EvaluationContextImpl context) {
            Object value = iterable.evaluate(self, context);
            if (value instanceof Map<?, ?> map) return new CountedCollection<>(map.entrySet(), getLineNumber());
            if (value instanceof Collection<?> collection) return new CountedCollection<>(collection, getLineNumber());
            if (value instanceof Object[] array) return new CountedCollection<>(List.of(array), getLineNumber());
            if (value instanceof Iterable<?>) {
                throw new PebbleException(null, "for can loop over lists and objects only", getLineNumber(), null);
            }
            return value;
        }

        @Override
        public int getLineNumber() {
            return iterable.getLineNumber();
        }

        @Override
        public void accept(NodeVisitor visitor) {
            iterable.accept(visitor);
        }
    }

    // A Collection, so that loop.length is its size and not a second, counted pass over it.
    private static final class CountedCollection<T> extends AbstractCollection<T> {
        private final Collection<T> items;
        private final int line;

        CountedCollection(Collection<T> items, int line) {
            this.items = items;
            this.line = line;
        }

        @Override
        public int size() {
            return items.size();
        }

        @Override
        public Iterator<T> iterator() {
            Iterator<T> iterator = items.iterator();
            Budget budget = Budget.current();
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return iterator.hasNext();
                }

                @Override
                public T next() {
                    budget.iterate(line);
                    return iterator.next();
                }
            };
        }
    }

    private static Object measure(Object result, int line) {
        if (result instanceof CharSequence text) Budget.current().chars(text.length(), line);
        else if (result instanceof Collection<?> collection) Budget.current().items(collection.size(), line);
        else if (result instanceof Map<?, ?> map) Budget.current().items(map.size(), line);
        return result;
    }
}
