package dev.ferry.cli.worker;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** The worker's own console: one timestamped line per event, whole lines even from many threads. */
final class WorkerLog {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final PrintWriter out;
    private final ZoneId zone;

    WorkerLog(PrintWriter out, ZoneId zone) {
        this.out = out;
        this.zone = zone;
    }

    synchronized void line(String text) {
        out.println(CLOCK.format(Instant.now().atZone(zone)) + " " + text);
        out.flush();
    }

    /** A flow's own output line, echoed as-is behind the run's name. */
    synchronized void echo(String runName, String text) {
        out.println("[" + runName + "] " + text);
        out.flush();
    }
}
