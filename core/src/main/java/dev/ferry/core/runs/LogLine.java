package dev.ferry.core.runs;

import java.time.Instant;

/** One line a run printed (stream stdout or stderr) or the worker said about it (stream worker). */
public record LogLine(long seq, Instant timestamp, String stream, String message) {}
