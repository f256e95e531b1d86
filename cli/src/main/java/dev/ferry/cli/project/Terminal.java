package dev.ferry.cli.project;

import java.io.Console;
import java.lang.reflect.Method;

/** Whether a person is at a terminal to answer questions: stdin and stdout both a terminal. */
public final class Terminal {
    private Terminal() {}

    public static boolean interactive() {
        Console console = System.console();
        if (console == null) return false;
        // Java 22+ hands out a Console even when redirected and says so with isTerminal(); Java 17
        // has no such method and returns null above instead.
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return Boolean.TRUE.equals(isTerminal.invoke(console));
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
