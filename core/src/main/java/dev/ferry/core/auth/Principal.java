package dev.ferry.core.auth;

/** Who a request comes from, as {@link ApiKeyService#authenticate} found out. */
public sealed interface Principal {

    /** For log lines and messages. */
    String describe();

    /** Short, for records of who did something (a deployment's {@code paused_by}); null for anyone. */
    String name();

    /** A stored API key (not revoked). */
    record Key(ApiKeyRecord key) implements Principal {
        @Override
        public String describe() {
            return key.describe() + " with role " + key.role();
        }

        @Override
        public String name() {
            return key.name();
        }
    }

    /** The configured bootstrap key: an administrator that is not stored, so it can't be revoked (change the setting). */
    record BootstrapAdmin() implements Principal {
        @Override
        public String describe() {
            return "the server's configured admin key";
        }

        @Override
        public String name() {
            return "admin";
        }
    }

    /**
     * A flow run's own token, for one claim of the run.
     *
     * @param claimed the timestamp of the Pending state of that claim (null: minted for a run never claimed)
     */
    record Run(String runId, java.time.Instant claimed) implements Principal {
        @Override
        public String describe() {
            return "the run token of flow run " + runId;
        }

        @Override
        public String name() {
            return "flow run " + runId;
        }
    }

    /** Anyone, on a server without keys (see {@link ApiKeyService}), or on a public route. */
    record Anyone() implements Principal {
        @Override
        public String describe() {
            return "anyone";
        }

        @Override
        public String name() {
            return null;
        }
    }
}
