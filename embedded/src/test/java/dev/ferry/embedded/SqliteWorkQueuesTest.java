package dev.ferry.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.pools.WorkQueues.Message;
import dev.ferry.core.pools.WorkQueues;
import dev.ferry.core.pools.WorkQueuesContract;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteWorkQueuesTest extends WorkQueuesContract {
    @TempDir
    Path dir;
    private Database db;

    @Override
    protected WorkQueues newQueues() {
        db = Database.open(dir.resolve("ferry.db"));
        return new SqliteWorkQueues(db, clock);
    }

    @AfterEach
    void closeDatabase() {
        db.close();
    }

    // Beyond the contract: SQS documents deletes with an old receipt as "may or may not delete".

    @Test
    void delete_withAnOutdatedReceipt_keepsTheMessage() {
        queues.send("q1", "run-1", clock.now());
        Message old = queues.receive("q1", 1, Duration.ofSeconds(10)).get(0);
        clock.advance(Duration.ofSeconds(10));
        queues.receive("q1", 1, Duration.ofSeconds(10));

        queues.delete(old);

        clock.advance(Duration.ofSeconds(10));
        assertThat(queues.receive("q1", 1, Duration.ofSeconds(10))).hasSize(1);
    }

    @Test
    void send_whileTheMessageIsInFlight_survivesTheOldReceiversDelete() {
        queues.send("q1", "run-1", clock.now());
        Message inFlight = queues.receive("q1", 1, Duration.ofSeconds(30)).get(0);

        queues.send("q1", "run-1", clock.now().plusSeconds(5));
        queues.delete(inFlight);

        clock.advance(Duration.ofSeconds(5));
        assertThat(queues.receive("q1", 1, Duration.ofSeconds(30))).extracting(Message::runId).containsExactly("run-1");
    }
}
