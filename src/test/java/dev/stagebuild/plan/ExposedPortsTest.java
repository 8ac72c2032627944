package dev.stagebuild.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** BuildKit's reading of an EXPOSE word (dockerfile2llb convert_expose.go, parsePort). */
class ExposedPortsTest {
  static List<String> read(String word) throws ExposedPorts.Invalid {
    return ExposedPorts.read(word, 65_536);
  }

  @Test
  void readsThePortsBuildKitExposes() throws Exception {
    assertThat(read("80")).containsExactly("80/tcp");
    assertThat(read("0")).containsExactly("0/tcp");
    assertThat(read("80/")).as("no protocol after the slash: tcp").containsExactly("80/tcp");
    assertThat(read("0080/UDP")).containsExactly("80/udp");
    assertThat(read("+80")).as("Go's ParseInt takes a sign").containsExactly("80/tcp");
    assertThat(read("7000-7002/Tcp")).containsExactly("7000/tcp", "7001/tcp", "7002/tcp");
    assertThat(read("5000-5000")).containsExactly("5000/tcp");
    assertThat(read("0--0")).as("the end -0 is 0").containsExactly("0/tcp");
    assertThat(read("8080:80")).as("host:container").containsExactly("80/tcp");
    assertThat(read("127.0.0.1:8080:80/udp")).containsExactly("80/udp");
    assertThat(read("[::1]:8080:80")).containsExactly("80/tcp");
    assertThat(read("[]:8080:80")).as("SplitHostPort gives no host: nothing to check").containsExactly("80/tcp");
    assertThat(read("::ffff:10.0.0.1:1-2:3-4")).as("an IPv6 address unbracketed").containsExactly("3/tcp", "4/tcp");
    assertThat(read("9000-9009:90")).as("a host range for one container port").containsExactly("90/tcp");
    assertThat(read("7/sctp")).containsExactly("7/sctp");
  }

  @Test
  void refusesWhatBuildKitRefuses() {
    for (String word : List.of("", "/tcp", "80/icmp", "80/tcp/udp", "65536", "99999999999", "x", "8o",
        "80-", "-80", "81-80", "1--2", "1.2.3:80:80", "256.0.0.1:1:1", "host:1:1", "[1:2]:1:1", "1:2:3:4:5",
        "80-81:90-92", "a:80", "80:")) {
      assertThatThrownBy(() -> read(word)).as(word).isInstanceOf(ExposedPorts.Invalid.class);
    }
  }

  @Test
  void aRangeOverTheBudgetIsNotListed() throws Exception {
    assertThat(ExposedPorts.read("1-10", 9)).isNull();
    assertThat(ExposedPorts.read("1-10", 10)).hasSize(10);
    assertThat(ExposedPorts.read("0-65535", 65_536)).hasSize(65_536);
  }

  @Test
  void checksAddressesAsGoParsesThemWithoutLookingNamesUp() {
    for (String ip : List.of("0.0.0.0", "10.1.2.3", "::", "::1", "[::1]", "fe80::1:2", "1:2:3:4:5:6:7:8",
        "::ffff:1.2.3.4", "1:2:3:4:5:6:1.2.3.4")) {
      assertThat(ExposedPorts.validIp(ip)).as(ip).isTrue();
    }
    for (String ip : List.of("1.2.3", "01.2.3.4", "1.2.3.4.5", "1:2", "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::",
        "localhost", "1.2.3.4::", ":1", "1:", "[::1")) {
      assertThat(ExposedPorts.validIp(ip)).as(ip).isFalse();
    }
  }
}
