package dev.stagebuild.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** BuildKit's parseMount checks (vendored in kaniko v1.28.3), each as kaniko would fail the RUN. */
class MountCheckTest {
  private static Optional<String> problem(String mount) {
    return MountCheck.problem(MountSpec.parse(mount));
  }

  @Test
  void readsWhatBuildKitReads() {
    for (String ok : new String[] {"type=cache,target=/c,sharing=LOCKED,mode=0755,uid=1000,gid=0,id=x",
        "target=/src,source=.,ro", "type=bind,from=build,source=/out,target=/in,readonly=true,rw=false",
        "type=secret,id=s,required", "type=secret,required=true,target=/run/secrets/x,mode=0400",
        "type=secret,env=TOKEN,id=tok", "type=$T,sharing=locked", "type=cache,target=/c,uid=$UID",
        "type=cache,target=/c,mode=00000000000000755"}) {
      assertThat(problem(ok)).as(ok).isEmpty();
    }
  }

  @Test
  void refusesWhatBuildKitRefuses() {
    assertThat(problem("type=foo,target=/x")).get().asString().startsWith("unsupported mount type \"foo\"");
    assertThat(problem("type=cache,target=/c,sharing=bogus")).get().asString().startsWith("unsupported sharing value");
    assertThat(problem("type=cache,target=/c,uid=abc")).contains("invalid value abc for uid");
    assertThat(problem("type=cache,target=/c,mode=0999")).contains("invalid value 0999 for mode");
    assertThat(problem("type=cache,target=/c,gid=4294967296")).contains("invalid value 4294967296 for gid");
    assertThat(problem("type=cache,target=/c,uid=4294967295")).isEmpty();
    assertThat(problem("type=cache,target=/c,mode=37777777777")).isEmpty();
    // an untrusted value may be long: refused without parsing it whole, and shown abbreviated
    assertThat(problem("type=cache,target=/c,mode=" + "7".repeat(200_000))).get().asString()
        .startsWith("invalid value 777").hasSizeLessThan(100);
    assertThat(problem("type=cache,target=/c,sharing=" + "x".repeat(200_000))).get().asString().hasSizeLessThan(150);
    assertThat(problem("type=bind,target=/c,mode=0755")).get().asString().contains("not allowed for \"bind\"");
    assertThat(problem("target=/c,required")).contains("unexpected key 'required' for mount type 'bind'");
    assertThat(problem("required,type=secret,id=s")).as("the type is read in order")
        .contains("unexpected key 'required' for mount type 'bind'");
    assertThat(problem("target=/c,ro=maybe")).contains("invalid value for ro: maybe");
    assertThat(problem("target=/c,bogus")).contains("invalid field 'bogus' must be a key=value pair");
    assertThat(problem("target=/c,colour=red")).get().asString().startsWith("unexpected key 'colour'");
    assertThat(problem("type=cache,target=/c,size=1g")).contains("unexpected key 'size' for mount type 'cache'");
    assertThat(problem("type=bind,target=/c,sharing=locked")).contains("invalid cache sharing set for bind mount");
    assertThat(problem("type=secret,id=s,from=build")).contains("secret mount should not have a from");
    assertThat(problem("type=secret,id=s,sharing=shared")).contains("secret mount should not define sharing");
    assertThat(problem("type=secret,env=TOKEN")).contains("invalid secret mount. one of source, target required");
    assertThat(problem("type=secret,source=a,id=b")).contains("both source and id can't be set");
  }
}
