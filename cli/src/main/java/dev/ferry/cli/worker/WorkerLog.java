package dev.ferry.cli.worker;

import dev.ferry.cli.output.Printable;
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
        out.println(CLOCK.format(Instant.now().atZone(zone)) + " " + Printable.text(text));
        out.flush();
    }

    /** A flow's own output line, echoed behind the run's name, its control characters shown rather than acted on. */
    synchronized void echo(String runName, String text) {
        out.println(Printable.text("[" + runName + "] " + text));
        out.flush();
    }
}
