package org.gtstore.bench.workload;

import java.util.SplittableRandom;

/**
 * Samples ranks 1..n from a Zipf distribution with exponent s by rejection-inversion
 * (W. Hörmann and G. Derflinger, "Rejection-inversion to generate variates from monotone
 * discrete distributions", 1996), the method Apache Commons RNG uses. It needs O(1) memory and
 * on average fewer than two uniform draws per sample, for any n and any s > 0.
 */
final class ZipfSampler {
    private final int n;
    private final double exponent;
    private final double hIntegralX1;
    private final double hIntegralN;
    private final double squeeze;

    ZipfSampler(int n, double exponent) {
        if (n <= 0) {
            throw new IllegalArgumentException("n <= 0: " + n);
        }
        if (!(exponent > 0)) {
            throw new IllegalArgumentException("exponent <= 0: " + exponent);
        }
        this.n = n;
        this.exponent = exponent;
        this.hIntegralX1 = hIntegral(1.5) - 1.0;
        this.hIntegralN = hIntegral(n + 0.5);
        this.squeeze = 2.0 - hIntegralInverse(hIntegral(2.5) - h(2));
    }

    /** A rank in [1, n]; rank 1 is the most likely. */
    int sample(SplittableRandom random) {
        while (true) {
            double u = hIntegralN + random.nextDouble() * (hIntegralX1 - hIntegralN);
            double x = hIntegralInverse(u);
            int k = (int) (x + 0.5);
            if (k < 1) {
                k = 1;
            } else if (k > n) {
                k = n;
            }
            if (k - x <= squeeze || u >= hIntegral(k + 0.5) - h(k)) {
                return k;
            }
        }
    }

    /** h(x) = 1 / x^s, the unnormalized density. */
    private double h(double x) {
        return Math.exp(-exponent * Math.log(x));
    }

    /** H(x), an antiderivative of h: (x^(1-s) - 1) / (1 - s), or log(x) when s = 1. */
    private double hIntegral(double x) {
        double logX = Math.log(x);
        return expm1OverX((1.0 - exponent) * logX) * logX;
    }

    private double hIntegralInverse(double x) {
        double t = x * (1.0 - exponent);
        if (t < -1.0) {
            t = -1.0; // Guards against rounding; the exact value is never below -1.
        }
        return Math.exp(log1pOverX(t) * x);
    }

    /** log(1 + x) / x, continuous at 0. */
    private static double log1pOverX(double x) {
        if (Math.abs(x) > 1e-8) {
            return Math.log1p(x) / x;
        }
        return 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
    }

    /** (e^x - 1) / x, continuous at 0. */
    private static double expm1OverX(double x) {
        if (Math.abs(x) > 1e-8) {
            return Math.expm1(x) / x;
        }
        return 1.0 + x * 0.5 * (1.0 + x / 3.0 * (1.0 + 0.25 * x));
    }
}
