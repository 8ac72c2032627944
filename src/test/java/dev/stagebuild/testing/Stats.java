package dev.stagebuild.testing;

/** Summary figures of benchmark runs. */
public final class Stats {
  private Stats() {}

  /** Of sorted values: the middle one, or the mean of the middle two for an even count. */
  public static double median(double[] sorted) {
    int n = sorted.length;
    if (n == 0) {
      return Double.NaN;
    }
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
