package dev.ferry.core.templates;

import io.pebbletemplates.pebble.PebbleEngine;
import io.pebbletemplates.pebble.attributes.AttributeResolver;
import io.pebbletemplates.pebble.cache.tag.NoOpTagCache;
import io.pebbletemplates.pebble.cache.template.NoOpTemplateCache;
import io.pebbletemplates.pebble.error.LoaderException;
import io.pebbletemplates.pebble.error.PebbleException;
import io.pebbletemplates.pebble.error.RootAttributeNotFoundException;
import io.pebbletemplates.pebble.extension.AbstractExtension;
import io.pebbletemplates.pebble.extension.Extension;
import io.pebbletemplates.pebble.extension.ExtensionCustomizer;
import io.pebbletemplates.pebble.extension.Filter;
import io.pebbletemplates.pebble.extension.Function;
import io.pebbletemplates.pebble.extension.core.DefaultFilter;
import io.pebbletemplates.pebble.loader.Loader;
import io.pebbletemplates.pebble.operator.BinaryOperator;
import io.pebbletemplates.pebble.operator.BinaryOperatorImpl;
import io.pebbletemplates.pebble.template.EvaluationContext;
import io.pebbletemplates.pebble.template.PebbleTemplate;
import io.pebbletemplates.pebble.tokenParser.TokenParser;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one Pebble engine, built once: Jinja's syntax, strict variables, and nothing but what a
 * template over JSON needs. Kept: {@code if}, {@code for}, {@code set}, {@code verbatim}; the
 * filters below; {@code range}, {@code min}, {@code max}; every test ({@code is defined} ...).
 * Gone: {@code include}, {@code import}, {@code extends}, {@code macro}, {@code block},
 * {@code embed}, {@code cache}, {@code parallel}, {@code i18n} (reads resource bundles), and every
 * reflective lookup of Java members.
 */
final class Sandbox {
    static final int MAX_SOURCE_BYTES = 16 * 1024;

    private static final Set<String> TAGS = Set.of("if", "for", "set", "verbatim");
    private static final Set<String> FILTERS = Set.of("abbreviate", "abs", "base64decode", "base64encode",
            "capitalize", "date", "default", "first", "join", "last", "length", "lower", "merge", "numberformat",
            "replace", "reverse", "rsort", "sha256", "slice", "sort", "split", "title", "trim", "upper", "urlencode");
    private static final Set<String> FUNCTIONS = Set.of("range", "min", "max");
    /** Called around a single-expression template to keep the expression's value rather than its text. */
    static final String CAPTURE = "__ferry_value__";

    private static final PebbleEngine ENGINE = new PebbleEngine.Builder()
            .loader(new NoLoader())
            .extension(new Ferry())
            .registerExtensionCustomizer(Sandbox::restrict)
            .strictVariables(true)
            .autoEscaping(false)
            // Jinja keeps the newline after a tag; Pebble would drop it
            .newLineTrimming(false)
            .maxRenderedSize(Budget.MAX_CHARS)
            .methodAccessValidator((object, method) -> false)
            .cacheActive(false)
            .templateCache(new NoOpTemplateCache())
            .tagCache(new NoOpTagCache())
            .defaultLocale(Locale.ROOT)
            .build();

    private Sandbox() {}

    /** The compiled template, or the reason it does not parse. */
    static PebbleTemplate compile(String source) throws Refused {
        try {
            return ENGINE.getLiteralTemplate(source);
        } catch (PebbleException e) {
            throw new Refused(reason(e, source, Map.of()));
        } catch (StackOverflowError e) {
            throw new Refused("the template nests too deeply");
        } catch (RuntimeException e) {
            throw new Refused("the template cannot be parsed");
        }
    }

    /** Renders {@code template}; its text, or with {@code capture} the value the expression gave. */
    static Object render(PebbleTemplate template, String source, Map<String, Object> variables, boolean capture)
            throws Refused {
        StringWriter out = new StringWriter();
        Budget budget = Budget.open();
        try {
            template.evaluate(out, variables);
            return capture ? budget.captured : out.toString();
        } catch (PebbleException e) {
            throw new Refused(reason(e, source, variables));
        } catch (StackOverflowError e) {
            throw new Refused("the template nests too deeply to render");
        } catch (ClassCastException e) {
            throw new Refused("a filter or an operator was given a value of the wrong type");
        } catch (ArithmeticException e) {
            throw new Refused("arithmetic failed: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            throw new Refused("the template could not be rendered: an operation its values do not support");
        } finally {
            Budget.close();
        }
    }

    private static String reason(PebbleException e, String source, Map<String, Object> variables) {
        PebbleException cause = e;
        // Pebble wraps what a filter threw in its own exception; the inner one says what went wrong
        while (cause.getCause() instanceof PebbleException inner) cause = inner;
        String message = cause.getPebbleMessage();
        if (cause instanceof RootAttributeNotFoundException missing && message != null && message.startsWith("Root attribute")) {
            message = "'" + missing.getAttributeName() + "' is not defined; the variables are "
                    + String.join(", ", new TreeSet<>(variables.keySet()))
                    + " (use default('...') for a value that may be missing)";
        } else if (cause instanceof RootAttributeNotFoundException missing) {
            message = "cannot read '" + missing.getAttributeName() + "' of null";
        } else if (message != null && message.startsWith("Tried to write more than")) {
            message = "the rendered string is longer than " + Budget.MAX_CHARS + " characters";
        } else if (message == null) {
            message = "the template could not be rendered";
        }
        Integer line = cause.getLineNumber();
        boolean lines = source.indexOf('\n') >= 0;
        return lines && line != null && line > 0 ? message + " (line " + line + ")" : message;
    }

    /** Why a template did not parse or render, in words for its author. */
    static final class Refused extends Exception {
        Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    private static ExtensionCustomizer restrict(Extension extension) {
        if (extension instanceof Ferry) return new ExtensionCustomizer(extension) {};
        return new Restricted(extension);
    }

    private static final class Restricted extends ExtensionCustomizer {
        Restricted(Extension extension) {
            super(extension);
        }

        @Override
        public Map<String, Filter> getFilters() {
            Map<String, Filter> kept = new LinkedHashMap<>();
            Map<String, Filter> filters = super.getFilters();
            if (filters == null) return kept;
            filters.forEach((name, filter) -> {
                if (!FILTERS.contains(name)) return;
                // FilterExpression treats DefaultFilter by its class (it forgives a missing variable): keep it as is
                kept.put(name, switch (name) {
                    case "join" -> new Builtins.Join();
                    case "replace" -> new Builtins.Replace();
                    default -> filter instanceof DefaultFilter ? filter : new Builtins.Measured(filter);
                });
            });
            return kept;
        }

        @Override
        public Map<String, Function> getFunctions() {
            Map<String, Function> kept = new LinkedHashMap<>();
            Map<String, Function> functions = super.getFunctions();
            if (functions == null) return kept;
            functions.forEach((name, function) -> {
                if (FUNCTIONS.contains(name)) kept.put(name, name.equals("range") ? new Builtins.Range(function) : function);
            });
            return kept;
        }

        @Override
        public List<TokenParser> getTokenParsers() {
            List<TokenParser> parsers = super.getTokenParsers();
            if (parsers == null) return List.of();
            return parsers.stream()
                    .filter(parser -> TAGS.contains(parser.getTag()))
                    .map(parser -> parser.getTag().equals("for") ? new Builtins.CountedFor() : parser)
                    .toList();
        }

        @Override
        public List<BinaryOperator> getBinaryOperators() {
            List<BinaryOperator> operators = super.getBinaryOperators();
            if (operators == null) return List.of();
            return operators.stream()
                    .map(op -> op.getSymbol().equals("~")
                            ? new BinaryOperatorImpl("~", op.getPrecedence(), Builtins.Concat::new, op.getType(), op.getAssociativity())
                            : op)
                    .toList();
        }

        @Override
        public Map<String, Object> getGlobalVariables() {
            return Map.of();
        }

        @Override
        public List<AttributeResolver> getAttributeResolver() {
            return List.of();
        }
    }

    /** Ferry's part: JSON attribute access, {@code tojson}, and the capture of a single expression's value. */
    private static final class Ferry extends AbstractExtension {
        @Override
        public Map<String, Filter> getFilters() {
            return Map.of("tojson", new Builtins.ToJson());
        }

        @Override
        public Map<String, Function> getFunctions() {
            return Map.of(CAPTURE, new Function() {
                @Override
                public List<String> getArgumentNames() {
                    return List.of("value");
                }

                @Override
                public Object execute(Map<String, Object> args, PebbleTemplate self, EvaluationContext context, int line) {
                    Budget.current().captured = args.get("value");
                    return "";
                }
            });
        }

        @Override
        public List<AttributeResolver> getAttributeResolver() {
            return List.of(new JsonAttributes());
        }
    }

    /** Templates are strings given inline; no name leads anywhere, so no file or resource is ever read. */
    private static final class NoLoader implements Loader<String> {
        @Override
        public Reader getReader(String name) {
            throw new LoaderException(null, "templates cannot load other templates");
        }

        @Override
        public void setCharset(String charset) {}

        @Override
        public void setPrefix(String prefix) {}

        @Override
        public void setSuffix(String suffix) {}

        @Override
        public String resolveRelativePath(String relativePath, String anchorPath) {
            return relativePath;
        }

        @Override
        public String createCacheKey(String name) {
            return name;
        }

        @Override
        public boolean resourceExists(String name) {
            return false;
        }
    }
}
