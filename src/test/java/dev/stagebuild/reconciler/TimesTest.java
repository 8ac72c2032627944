package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimesTest {
  @Test
  void formatsAsInstantDoesAndReadsItBack() {
    List<Instant> instants = new ArrayList<>(List.of(Instant.EPOCH, Instant.parse("2024-02-29T23:59:59.999Z"),
        Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59Z"),
        Instant.parse("1969-12-31T23:59:59.5Z"), Instant.parse("2026-12-05T09:05:07.000000001Z")));
    Random random = new Random(7);
    long min = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
    long max = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
    for (int i = 0; i < 20_000; i++) {
      instants.add(Instant.ofEpochSecond(min + (long) (random.nextDouble() * (max - min)), random.nextInt(1_000_000_000)));
    }
    for (Instant t : instants) {
      String expected = t.truncatedTo(ChronoUnit.SECONDS).toString();
      assertThat(Times.format(t)).as(expected).isEqualTo(expected);
      assertThat(Times.parse(Times.format(t))).isEqualTo(t.truncatedTo(ChronoUnit.SECONDS));
    }
  }

  /** Fractions of a second are read as Instant.parse reads them, whatever their number of digits. */
  @Test
  void readsFractionsOfASecondAsInstantParseDoes() {
    Random random = new Random(11);
    for (int i = 0; i < 20_000; i++) {
      Instant t = Instant.ofEpochSecond(random.nextInt(2_000_000_000), random.nextInt(1_000_000_000));
      String whole = t.truncatedTo(ChronoUnit.SECONDS).toString();
      String fraction = String.format("%09d", t.getNano()).substring(0, 1 + random.nextInt(9));
      String text = whole.substring(0, 19) + "." + fraction + "Z";
      assertThat(Times.parse(text)).as(text).isEqualTo(Instant.parse(text));
      assertThat(Times.parse(t.toString())).isEqualTo(t);
    }
    // ("...:00.Z", no digit after the point, is read by Instant.parse as before: it accepts it)
    for (String bad : List.of("2024-01-01T00:00:00.1234567890Z", "2024-01-01T00:00:00,5Z",
        "2024-01-01T00:00:00.5x", "2024-01-01T00:00:00.-5Z")) {
      assertThat(Times.parse(bad)).as(bad).isNull();
    }
  }

  @Test
  void yearsOutsideFourDigitsAreWrittenAsInstantWritesThem() {
    for (String s : List.of("+10000-01-01T00:00:00Z", "-0001-12-31T23:59:59Z")) {
      assertThat(Times.format(Instant.parse(s))).isEqualTo(s);
    }
    assertThat(Times.format(Instant.MIN)).isEqualTo(Instant.MIN.toString());
    assertThat(Times.format(Instant.MAX)).isEqualTo(Instant.MAX.truncatedTo(ChronoUnit.SECONDS).toString());
    assertThat(Times.format(null)).isNull();
  }
}
