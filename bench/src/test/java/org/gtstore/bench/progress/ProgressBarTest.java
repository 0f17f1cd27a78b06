package org.gtstore.bench.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProgressBarTest {
    private static Progress progress(long completed, long total, double rate, boolean finished) {
        return new Progress("K=3", completed, total, 0, 1_000_000, rate, finished);
    }

    @Test
    void rendersBarPercentCountsAndRateWithGrouping() {
        ProgressBar bar = new ProgressBar(new PrintWriter(new StringWriter()), 10);
        assertEquals("[#####.....] 50% 100,000/200,000 38,120 ops/s",
                bar.render(progress(100_000, 200_000, 38_120.4, false)));
        assertEquals("[..........] 0% 0/200,000 0 ops/s",
                bar.render(progress(0, 200_000, 0, false)));
        assertEquals("[##########] 100% 200,000/200,000 41,000 ops/s",
                bar.render(progress(200_000, 200_000, 41_000, true)));
    }

    @Test
    void percentRoundsDownSoItReadsOneHundredOnlyWhenDone() {
        ProgressBar bar = new ProgressBar(new PrintWriter(new StringWriter()), 10);
        assertTrue(bar.render(progress(199_999, 200_000, 1, false)).contains(" 99% "));
    }

    @Test
    void redrawsInPlaceAndEndsTheLineWhenThePhaseFinishes() {
        StringWriter text = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(text), 10);
        bar.onProgress(progress(1_000_000, 2_000_000, 1_000_000, false));
        bar.onProgress(progress(1_500_000, 2_000_000, 9, false));
        bar.onProgress(progress(2_000_000, 2_000_000, 10, true));
        String[] draws = text.toString().split("\r", -1);
        assertEquals(4, draws.length); // "", then three redraws
        assertTrue(draws[1].startsWith("K=3      [#####.....] 50% "), draws[1]);
        // The second line is shorter, so it is padded to blank out the first one's tail.
        assertEquals(draws[1].length(), draws[2].length());
        assertTrue(draws[3].endsWith(System.lineSeparator()), draws[3]);
        assertEquals(1, text.toString().split(System.lineSeparator(), -1).length - 1);
    }

    @Test
    void showsErrorsWhenThereAreSome() {
        StringWriter text = new StringWriter();
        new ProgressBar(new PrintWriter(text), 10)
                .onProgress(new Progress("insert", 5, 10, 2, 1, 5, false));
        assertTrue(text.toString().endsWith(" 2 errors"), text.toString());
    }

    @Test
    void emptyPhaseIsComplete() {
        assertEquals(1.0, new Progress("p", 0, 0, 0, 0, 0, true).fraction());
        assertThrows(IllegalArgumentException.class, () -> new Progress("p", 2, 1, 0, 0, 0, false));
    }
}
