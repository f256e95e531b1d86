package dev.ferry.functions;

import dev.ferry.aws.Aws;
import dev.ferry.aws.AwsClients;
import dev.ferry.aws.Config;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Ids;
import java.util.Map;

/** A Lambda container's wiring, from its environment: what the handlers' no-arg constructors use. */
record Container(Config config, AwsClients clients, Aws.Wiring wiring) {

    static Container from(Map<String, String> env) {
        Config config = Config.from(env);
        AwsClients clients = AwsClients.create(config);
        return new Container(config, clients, Aws.wire(clients, config, Clock.SYSTEM, Ids.RANDOM));
    }

    /**
     * Wired on first use, once per container (the JVM's class-init lock makes it exactly once),
     * and kept for every invocation the container serves.
     */
    static Container current() {
        return Holder.CONTAINER;
    }

    private static final class Holder {
        static final Container CONTAINER = Container.from(System.getenv());
    }
}
