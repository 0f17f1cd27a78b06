package org.gtstore.gtctl.kv;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gtstore.proto.Ttl;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A time to live as people type it: a whole number and a unit ({@code 500ms}, {@code 30s},
 * {@code 5m}, {@code 2h}, {@code 7d}), a plain number of seconds ({@code 30}), or ISO-8601
 * ({@code PT1H30M}). At least 1 ms, at most ten years.
 */
final class TtlConverter implements ITypeConverter<Duration> {
    private static final Pattern WITH_UNIT = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)?");

    @Override
    public Duration convert(String text) {
        return parse(text);
    }

    /** The duration, or a TypeConversionException naming the accepted forms. */
    static Duration parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        Duration d;
        Matcher m = WITH_UNIT.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            d = switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } else {
            try {
                d = Duration.parse(text.strip());
            } catch (DateTimeParseException e) {
                throw new TypeConversionException("'" + text + "' is not a duration (e.g. 500ms,"
                        + " 30s, 5m, 2h, 7d)");
            }
        }
        if (d.compareTo(Duration.ofMillis(Ttl.MAX_MS)) > 0) {
            throw new TypeConversionException("a ttl is at most ten years: '" + text + "'");
        }
        if (d.isNegative() || d.toMillis() < 1) {
            throw new TypeConversionException("a ttl is at least 1 ms: '" + text + "'");
        }
        return d;
    }
}
