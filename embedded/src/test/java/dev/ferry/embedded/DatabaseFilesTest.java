package dev.ferry.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The database holds key hashes and the run-token secret: no other user of the machine may read it. */
class DatabaseFilesTest {
    @TempDir
    Path tmp;

    @Test
    void aNewDatabase_andTheDirectoryMadeForIt_areTheOwnersAlone() throws Exception {
        Path file = tmp.resolve("home/.ferry/ferry.db");

        try (Database db = Database.open(file)) {
            new SqliteApiKeys(db).secret(); // a write: the WAL files exist now

            assertThat(permissions(file.getParent())).isEqualTo("rwx------");
            assertThat(permissions(file)).isEqualTo("rw-------");
            assertThat(permissions(file.resolveSibling("ferry.db-wal"))).isEqualTo("rw-------");
        }
    }

    @Test
    void aDatabaseLeftReadableByEveryone_isMadeTheOwnersAlone() throws Exception {
        Path file = tmp.resolve("ferry.db");
        Database.open(file).close();
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        Database.open(file).close();

        assertThat(permissions(file)).isEqualTo("rw-------");
    }

    private static String permissions(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
