package dev.ferry.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A database in a fresh file for every test, open before the test's own set-up runs and closed
 * and deleted after it. Register it as {@code @RegisterExtension final FreshDatabase db}.
 */
final class FreshDatabase implements BeforeEachCallback, AfterEachCallback {
    private Path dir;
    private Database db;

    Database get() {
        if (db == null) throw new IllegalStateException("the database is open only while a test runs");
        return db;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("ferry-test-");
        db = Database.open(dir.resolve("ferry.db"));
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        db.close();
        db = null;
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.sorted(Comparator.reverseOrder()).toList(); // a directory after what it holds
        }
        for (Path file : files) Files.deleteIfExists(file);
    }
}
