package dev.ferry.cli.commands;

import dev.ferry.cli.client.ApiClient;
import dev.ferry.cli.client.FerryApi;
import dev.ferry.cli.client.Retry;
import dev.ferry.cli.output.Output;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The options every API command takes: where the API is, the key, and how to print answers. */
public final class ApiOptions {
    public static final String DEFAULT_URL = "http://127.0.0.1:4200";

    @Option(names = "--api-url", paramLabel = "URL", defaultValue = "${env:FERRY_API_URL}",
            description = "Ferry API URL (env FERRY_API_URL; default " + DEFAULT_URL + ").")
    String apiUrl;

    @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:FERRY_API_KEY}",
            description = "API key, sent as a bearer token (env FERRY_API_KEY).")
    String apiKey;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table or json (the API's objects as returned). Default: ${DEFAULT-VALUE}.")
    Output.Format format;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** A client that fails fast: a person at a terminal wants to know now that the API is down. */
    public FerryApi api() {
        return new FerryApi(new ApiClient(url(), apiKey, Retry.never()));
    }

    /** Options with only a URL, for what runs outside a command ({@code ferry --version}). */
    public ApiOptions withUrl(String url) {
        apiUrl = url;
        return this;
    }

    public URI url() {
        String value = apiUrl == null || apiUrl.isBlank() ? DEFAULT_URL : apiUrl.strip();
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme();
            if (("http".equals(scheme) || "https".equals(scheme)) && uri.getHost() != null) return uri;
        } catch (URISyntaxException e) {
            // worded below, the same way as a URL without a scheme
        }
        throw new UsageError("--api-url '" + value + "' is not an http(s) URL; expected something like " + DEFAULT_URL);
    }

    public String apiKey() {
        return apiKey == null || apiKey.isBlank() ? null : apiKey;
    }

    /** Where progress goes when stdout must stay one JSON document. */
    public PrintWriter err() {
        return spec.commandLine().getErr();
    }

    public Output output() {
        return new Output(spec.commandLine().getOut(), format);
    }
}
