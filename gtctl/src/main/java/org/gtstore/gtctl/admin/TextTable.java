package org.gtstore.gtctl.admin;

import java.util.ArrayList;
import java.util.List;

/** Left-aligned columns separated by two spaces, widths from the content. */
final class TextTable {
    private final List<List<String>> rows = new ArrayList<>();

    TextTable(String... header) {
        rows.add(List.of(header));
    }

    TextTable row(Object... cells) {
        List<String> row = new ArrayList<>();
        for (Object c : cells) {
            row.add(String.valueOf(c));
        }
        rows.add(row);
        return this;
    }

    List<String> lines() {
        int columns = rows.stream().mapToInt(List::size).max().orElse(0);
        int[] width = new int[columns];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        List<String> lines = new ArrayList<>();
        for (List<String> row : rows) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                b.append(row.get(i));
                if (i < row.size() - 1) {
                    b.append(" ".repeat(width[i] - row.get(i).length() + 2));
                }
            }
            lines.add(b.toString().stripTrailing());
        }
        return lines;
    }
}
