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

  /** Of sorted, non-empty values: the nearest-rank p-th percentile (p from 1 to 100). */
  public static long percentile(java.util.List<Long> sorted, int p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
  }
}
