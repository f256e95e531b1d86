package dev.ferry.cli.output;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Plain aligned columns under a title line: readable in a terminal, greppable in a pipe. */
public final class Table {
    private static final String GAP = "  ";

    private final String title;
    private final List<String> columns;
    private final List<List<String>> rows = new ArrayList<>();

    private Table(String title, List<String> columns) {
        this.title = title;
        this.columns = columns;
    }

    public static Table of(String title, String... columns) {
        return new Table(title, List.of(columns));
    }

    public Table row(String... cells) {
        if (cells.length != columns.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells for " + columns.size() + " columns");
        }
        rows.add(Arrays.stream(cells).map(Table::clean).toList());
        return this;
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    /** The title, the header and the rows, each line ending in a newline, without trailing spaces. */
    public String render() {
        int[] widths = new int[columns.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = columns.get(i).length();
            for (List<String> row : rows) widths[i] = Math.max(widths[i], row.get(i).length());
        }
        StringBuilder out = new StringBuilder(title).append('\n');
        line(out, columns, widths);
        for (List<String> row : rows) line(out, row, widths);
        return out.toString();
    }

    private static void line(StringBuilder out, List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) line.append(GAP);
            line.append(cells.get(i)).append(" ".repeat(widths[i] - cells.get(i).length()));
        }
        out.append(line.toString().stripTrailing()).append('\n');
    }

    // A cell is one line: a newline in a description would break every column after it.
    private static String clean(String cell) {
        if (cell == null || cell.isEmpty()) return "-";
        return Printable.text(cell.replaceAll("[\\r\\n\\t]+", " "));
    }
}
