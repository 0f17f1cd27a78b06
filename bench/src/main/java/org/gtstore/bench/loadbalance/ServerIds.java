package org.gtstore.bench.loadbalance;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** Orders server ids the way people read them: server2 before server10. */
public final class ServerIds {
    /** Compares the text before the trailing digits, then the trailing number. */
    public static final Comparator<String> NATURAL_ORDER = ServerIds::compare;

    private ServerIds() {
    }

    /** A copy of {@code counts} in natural id order; iteration and JSON follow that order. */
    public static <V> Map<String, V> sorted(Map<String, V> counts) {
        TreeMap<String, V> tree = new TreeMap<>(NATURAL_ORDER);
        tree.putAll(counts);
        return new LinkedHashMap<>(tree);
    }

    private static int compare(String a, String b) {
        int da = digitsStart(a);
        int db = digitsStart(b);
        int byPrefix = a.substring(0, da).compareTo(b.substring(0, db));
        if (byPrefix != 0) {
            return byPrefix;
        }
        String na = a.substring(da);
        String nb = b.substring(db);
        // Compare numbers of any length without parsing: fewer significant digits is smaller.
        String ta = na.replaceFirst("^0+(?=.)", "");
        String tb = nb.replaceFirst("^0+(?=.)", "");
        if (ta.length() != tb.length()) {
            return Integer.compare(ta.length(), tb.length());
        }
        int byNumber = ta.compareTo(tb);
        return byNumber != 0 ? byNumber : na.compareTo(nb);
    }

    private static int digitsStart(String s) {
        int i = s.length();
        while (i > 0 && Character.isDigit(s.charAt(i - 1))) {
            i--;
        }
        return i;
    }
}
