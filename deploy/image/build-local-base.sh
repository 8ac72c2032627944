#!/usr/bin/env bash
# Builds a minimal Java 17 base image as a docker-archive tarball from what is on this machine:
# a jlink'ed JRE from the local JDK, the shared libraries it links against, and a few /etc files.
# It is for machines that cannot pull a base image (no registry reachable); with one, use the
# default base (pom.xml, profile "image") instead.
#
#   deploy/image/build-local-base.sh [OUT.tar]        (default: target/image-base/jre17-base.tar)
#   mvn -Pimage package -Djib.from.image=tar://$PWD/target/image-base/jre17-base.tar
#
# Needs: a JDK 17 with jmods (Debian: openjdk-17-jdk-headless), ldd, GNU tar, sha256sum.
# Environment: JAVA_HOME (default: the JDK of `javac` on PATH), STAGEBUILD_JRE_MODULES (module list).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$root/target/image-base/jre17-base.tar}"
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac

if [ -z "${JAVA_HOME:-}" ]; then
  JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
fi
jlink="$JAVA_HOME/bin/jlink"
[ -x "$jlink" ] || { echo "no jlink in $JAVA_HOME (set JAVA_HOME to a JDK 17)" >&2; exit 1; }
[ -d "$JAVA_HOME/jmods" ] || { echo "no $JAVA_HOME/jmods: install the JDK's jmods" >&2; exit 1; }
version="$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
[ "$version" = "17" ] || { echo "JAVA_HOME is Java $version; the operator is built for 17" >&2; exit 1; }

# What the operator's jars use (jdeps over target/quarkus-app), plus service providers jdeps
# cannot see: jdk.crypto.ec (TLS with EC keys, common for API servers and registries),
# jdk.naming.dns (DNS lookups through JNDI), jdk.zipfs, jdk.localedata is left out (C.UTF-8 only).
modules="${STAGEBUILD_JRE_MODULES:-java.base,java.desktop,java.instrument,java.logging,java.management,java.naming,java.net.http,java.security.jgss,java.sql,java.xml,jdk.crypto.ec,jdk.management,jdk.naming.dns,jdk.unsupported,jdk.zipfs}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
jre="$rootfs/opt/java/openjdk"   # the same place as the eclipse-temurin images, so PATH/JAVA_HOME match
mkdir -p "$rootfs/opt/java"

"$jlink" --add-modules "$modules" --output "$jre" \
  --strip-debug --no-header-files --no-man-pages --compress=2

# A JDK packaged by a distribution may keep files as links into /etc (Debian: the security
# configuration); the image needs the files themselves.
find "$jre" -type l | while read -r link; do
  target="$(readlink -f "$link")"
  case "$target" in "$jre"/*) continue ;; esac
  rm "$link"
  if [ -f "$target" ]; then cp "$target" "$link"; fi
done
[ -s "$jre/lib/security/cacerts" ] || { echo "no CA certificates for the JRE (install ca-certificates-java)" >&2; exit 1; }

# Shared libraries: the closure of what the JRE's executables and libraries link against.
# AWT/font/sound/image libraries come with java.desktop (for java.beans) but are never loaded by a
# headless server, so their X11/freetype dependencies are not copied.
libs="$(find "$jre/bin" "$jre/lib" -type f \( -path "$jre/bin/*" -o -name '*.so' \) \
          ! -name 'libawt*.so' ! -name 'libjawt.so' ! -name 'libsplashscreen.so' \
          ! -name 'libfontmanager.so' ! -name 'libjsound.so' ! -name 'liblcms.so' \
          ! -name 'libjavajpeg.so' ! -name 'libmlib_image.so' -print0 \
        | xargs -0 ldd 2>/dev/null \
        | awk '/=> \// {print $3} /^\t\/[^ ]+ \(0x/ {print $1}' | sort -u)"
# glibc loads libgcc_s at run time (thread cancellation, unwinding); ldd does not list it. awk reads
# to the end: an early exit would leave ldconfig writing into a closed pipe (SIGPIPE, and pipefail
# ends the script with status 141 and no message).
gcc_s="$(ldconfig -p | awk '!found && /libgcc_s\.so\.1 .*x86-64|libgcc_s\.so\.1 .*AArch64/ {print $NF; found = 1}')"
for lib in $libs $gcc_s; do
  case "$lib" in "$jre"/*) continue ;; esac
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done

# A user for the image's uid 1001 (Java reads user.name/home from it; the home stays read-only,
# nothing writes there), /tmp for the JVM, and name
# resolution from /etc/hosts then DNS (the kubelet mounts hosts and resolv.conf).
mkdir -p "$rootfs/etc" "$rootfs/tmp" "$rootfs/home/app"
chmod 1777 "$rootfs/tmp"
printf 'root:x:0:0:root:/root:/sbin/nologin\napp:x:1001:1001:app:/home/app:/sbin/nologin\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\napp:x:1001:\n' > "$rootfs/etc/group"
printf 'hosts: files dns\npasswd: files\ngroup: files\n' > "$rootfs/etc/nsswitch.conf"

# The smoke test: the JRE starts inside the new root, with /proc mounted as a container runtime
# would (the loader needs it for the launcher's $ORIGIN run path). Needs root; skipped otherwise.
mkdir -p "$rootfs/proc" "$rootfs/dev"
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && command -v chroot >/dev/null; then
  unshare --mount --fork sh -c 'mount -t proc proc "$1/proc" && chroot "$1" /opt/java/openjdk/bin/java -XX:-UsePerfData -version' \
    _ "$rootfs" >/dev/null 2>"$work/java-version.txt" \
    || { cat "$work/java-version.txt" >&2; echo "the JRE does not start in the image's root" >&2; exit 1; }
  rm -rf "${rootfs:?}"/tmp/* "${rootfs:?}"/proc/*
  echo "smoke test: $(head -1 "$work/java-version.txt") starts in the image's root"
else
  echo "smoke test skipped (needs root, unshare and chroot)"
fi

# One reproducible layer (fixed order, owners and times), then the docker-archive around it.
case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; *) arch="$(uname -m)" ;; esac
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 --format=gnu \
  -C "$rootfs" -cf "$work/layer.tar" $(cd "$rootfs" && ls -A)
layer_sha="$(sha256sum "$work/layer.tar" | cut -d' ' -f1)"
mkdir -p "$work/archive/$layer_sha"
mv "$work/layer.tar" "$work/archive/$layer_sha/layer.tar"
cat > "$work/config.json" <<JSON
{"architecture":"$arch","os":"linux","config":{"Env":["PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=/opt/java/openjdk","LANG=C.UTF-8"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:$layer_sha"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"deploy/image/build-local-base.sh: jlink $modules"}]}
JSON
config_sha="$(sha256sum "$work/config.json" | cut -d' ' -f1)"
mv "$work/config.json" "$work/archive/$config_sha.json"
printf '[{"Config":"%s.json","RepoTags":["stagebuild-local/jre:17"],"Layers":["%s/layer.tar"]}]\n' \
  "$config_sha" "$layer_sha" > "$work/archive/manifest.json"

mkdir -p "$(dirname "$out")"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 --format=gnu \
  -C "$work/archive" -cf "$out" manifest.json "$config_sha.json" "$layer_sha/layer.tar"

size="$(stat -c %s "$out")"
gz="$(gzip -c "$out" | wc -c)"
echo "base image: $out"
echo "size: $size bytes ($(numfmt --to=iec "$size")), $gz bytes gzipped ($(numfmt --to=iec "$gz"))"
echo "JRE modules: $modules"
echo "use: mvn -Pimage package -Djib.from.image=tar://$out"
