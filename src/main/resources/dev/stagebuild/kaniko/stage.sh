# StageBuild stage pod: run the Kaniko executor, then hand this stage's exported paths to later
# pods through the workspace, as the tar archive context/from/<pod>.tar.
# Runs as: /busybox/sh -c "$THIS" stage <executor arguments...>
#
# Only environment variables and the plan files are read; the export list is data, read line by
# line, and never executed or evaluated.
set -eu

# Kaniko replaces / with the image it built; /busybox is a VOLUME it leaves alone, so the tools we
# need after the build must come from there.
PATH=/busybox:${PATH:-/usr/bin:/bin}

SB_WORKSPACE=${SB_WORKSPACE:-/kaniko/stagebuild/workspace}
SB_PLAN=${SB_PLAN:-/kaniko/stagebuild/plan}
SB_ROOT=${SB_ROOT:-/}
SB_EXECUTOR=${SB_EXECUTOR:-/kaniko/executor}
SB_TERMINATION_LOG=${SB_TERMINATION_LOG:-/dev/termination-log}
SB_DIGEST_FILE=${SB_DIGEST_FILE:-/kaniko/stagebuild/digest}
SB_FINAL=${SB_FINAL:-false}
SB_POD=${SB_POD:-}

die() {
  printf 'stagebuild: %s\n' "$*" >&2
  exit 1
}

# The pod name becomes a file name under context/from/: keep it one plain path component.
case $SB_POD in
  '' | . | .. | */* | .*) die "invalid SB_POD '$SB_POD'" ;;
esac

ctx=$SB_WORKSPACE/context
root=${SB_ROOT%/}
mkdir -p "$ctx/from"

# Every pod installs the same .dockerignore; writing a name of our own and renaming it means an
# executor starting in another pod never reads a half-written file.
if [ -f "$SB_PLAN/dockerignore" ]; then
  tmp=$ctx/.dockerignore.$SB_POD.$$
  cat "$SB_PLAN/dockerignore" >"$tmp"
  mv -f "$tmp" "$ctx/.dockerignore"
fi

rc=0
"$SB_EXECUTOR" "$@" || rc=$?
if [ "$rc" -ne 0 ]; then
  # The termination log stays empty, so the pod's message is the tail of the executor's log.
  exit "$rc"
fi

# --- copy-out ---------------------------------------------------------------------------------
#
# The exports become $ctx/from/$SB_POD.tar. A consumer's pod unpacks it with ADD into a stand-in
# stage (FROM scratch) named like this one and keeps its COPY --from=<this stage>: for the paths
# it names, the stand-in must be this file system as it is. So each export line takes the paths
# it names as the built root has them: a symlink on the way or at the end is kept as a symlink,
# and what it points to (inside $SB_ROOT) is taken too; a directory is taken whole; the
# directories above a path are made with their owners and modes. Owners, modes and symlinks
# then reach the consumer through tar and ADD, as COPY --from keeps them.

# Paths whose files in this running pod are not the image's: kernel file systems, files the
# kubelet mounts, the executor's own directories. The plan refuses exporting them by name; a
# directory above them (/, /etc) is exported without them, and /proc, /sys, /dev as the empty
# directories the image has.
live_only() {
  case $1 in
    /proc | /proc/* | /sys | /sys/* | /dev | /dev/* | /etc/resolv.conf | /etc/hostname | /etc/hosts | \
      /kaniko | /kaniko/* | /busybox | /busybox/*) return 0 ;;
  esac
  return 1
}

# mkdir_like REAL: make $out$REAL as a directory with the owner and mode $root$REAL has.
mkdir_like() {
  if [ ! -d "$out$1" ]; then
    mkdir "$out$1"
    chown "$(stat -c %u:%g "$root$1")" "$out$1"
    chmod "$(stat -c %a "$root$1")" "$out$1"
  fi
}

# keep REAL: copy $root$REAL (a path whose directories are no symlinks) to $out$REAL.
keep() {
  local real=$1 prefix= rest comp entry name
  if live_only "$real"; then
    die "export $line resolves to $real in stage $SB_POD, which cannot be exported (the pod's own, not the image's)"
  fi
  case $real in
    '' | /etc)
      # a directory above live-only paths: entry by entry
      [ -z "$real" ] || mkdir_like "$real"
      for entry in "$root$real"/* "$root$real"/.*; do
        name=${entry##*/}
        case $name in
          . | ..) continue ;;
        esac
        [ -e "$entry" ] || [ -L "$entry" ] || continue
        case $real/$name in
          /proc | /sys | /dev) [ -L "$entry" ] || mkdir_like "$real/$name" ;;
          *) live_only "$real/$name" || keep "$real/$name" ;;
        esac
      done
      return 0
      ;;
  esac
  rest=${real#/}
  while :; do
    case $rest in
      */*) ;;
      *) break ;;
    esac
    comp=${rest%%/*}
    rest=${rest#*/}
    prefix=$prefix/$comp
    if [ ! -d "$out$prefix" ]; then
      mkdir "$out$prefix"
      chown "$(stat -c %u:%g "$root$prefix")" "$out$prefix"
      chmod "$(stat -c %a "$root$prefix")" "$out$prefix"
    fi
  done
  if [ -d "$out$real" ] && [ ! -L "$out$real" ] && [ -d "$root$real" ] && [ ! -L "$root$real" ]; then
    # made by an earlier export (as its parent, or the same tree): add what is not there yet
    for entry in "$root$real"/* "$root$real"/.*; do
      name=${entry##*/}
      case $name in
        . | ..) continue ;;
      esac
      [ -e "$entry" ] || [ -L "$entry" ] || continue
      keep "$real/$name"
    done
  elif [ ! -e "$out$real" ] && [ ! -L "$out$real" ]; then
    cp -a "$root$real" "$out$real"
  fi
}

# walk REAL REST LINKS SOFT: match the remaining pattern REST below REAL (a path without
# symlinks), LINKS symlinks followed so far. A component with *, ? or [ is matched against the
# directory's entries with `case`, whose pattern comes from a variable: glob characters work,
# nothing is evaluated. Like BuildKit, * matches names that start with a dot. SOFT (1) means the
# branch comes from a glob match with more to match below it: a symlink loop there is no
# directory to look into, so the branch just matches nothing.
walk() {
  local real=$1 rest=$2 links=$3 soft=$4 comp entry name
  while [ -n "$rest" ]; do
    comp=${rest%%/*}
    case $rest in
      */*) rest=${rest#*/} ;;
      *) rest= ;;
    esac
    case $comp in
      '' | .) continue ;;
      ..)
        real=${real%/*}
        continue
        ;;
      *[\*\?\[]*)
        [ -d "$root$real" ] && [ ! -L "$root$real" ] || return 0
        for entry in "$root$real"/* "$root$real"/.*; do
          name=${entry##*/}
          case $name in
            . | ..) continue ;;
          esac
          [ -e "$entry" ] || [ -L "$entry" ] || continue
          # a wildcard does not reach into what the pod has instead of the image
          ! live_only "$real/$name" || continue
          case $name in
            $comp)
              if [ -n "$rest" ]; then
                step "$real" "$name" "$rest" "$links" 1
              else
                step "$real" "$name" "$rest" "$links" "$soft"
              fi
              ;;
          esac
        done
        return 0
        ;;
    esac
    if [ -L "$root$real/$comp" ]; then
      step "$real" "$comp" "$rest" "$links" "$soft"
      return 0
    fi
    real=$real/$comp
  done
  [ -e "$root$real" ] || return 0
  keep "$real"
  hits=$((hits + 1))
}

# step REAL NAME REST LINKS SOFT: go on from the entry NAME of the directory REAL (NAME is
# literal). A symlink is kept and followed inside $SB_ROOT: absolute targets from its root,
# relative ones from REAL.
step() {
  local real=$1 name=$2 rest=$3 links=$4 soft=$5 target before
  if [ -L "$root$real/$name" ]; then
    links=$((links + 1))
    if [ "$links" -gt 40 ]; then
      [ "$soft" = 1 ] && return 0
      die "export $line: too many symlinks at $real/$name in stage $SB_POD"
    fi
    target=$(readlink "$root$real/$name")
    before=$hits
    case $target in
      /*) walk "" "$target${rest:+/$rest}" "$links" "$soft" ;;
      *) walk "$real" "$target${rest:+/$rest}" "$links" "$soft" ;;
    esac
    # the symlink itself, when something was found through it
    [ "$hits" -eq "$before" ] || keep "$real/$name"
    return 0
  fi
  if [ -n "$rest" ] && [ ! -d "$root$real/$name" ]; then
    return 0
  fi
  walk "$real/$name" "$rest" "$links" "$soft"
}

# clean PATH: sets `cleaned` to PATH made absolute with `.` and `..` removed lexically, the way
# a Dockerfile source path is read (`..` never climbs above /).
clean() {
  local todo=$1 comp
  cleaned=
  while [ -n "$todo" ]; do
    comp=${todo%%/*}
    case $todo in
      */*) todo=${todo#*/} ;;
      *) todo= ;;
    esac
    case $comp in
      '' | .) ;;
      ..) cleaned=${cleaned%/*} ;;
      *) cleaned=$cleaned/$comp ;;
    esac
  done
}

exports=$SB_PLAN/$SB_POD.exports
if [ -s "$exports" ]; then
  out=$ctx/from/.$SB_POD.partial
  archive=$ctx/from/.$SB_POD.tar.partial
  rm -rf "$out" "$archive"
  mkdir -p "$out"
  hits=0
  while IFS= read -r line || [ -n "$line" ]; do
    [ -n "$line" ] || continue
    clean "$line"
    before=$hits
    walk "" "${cleaned#/}" 0 0
    if [ "$hits" -le "$before" ]; then
      case $line in
        # A wildcard that matches nothing copies nothing, as BuildKit allows; a plain path must exist.
        *[*?[]*) ;;
        *) die "export $line not found in stage $SB_POD" ;;
      esac
    fi
  done <"$exports"
  # The top-level entries as arguments (./NAME: never an option), not the root directory itself.
  set --
  for entry in "$out"/* "$out"/.*; do
    name=${entry##*/}
    case $name in
      . | ..) continue ;;
    esac
    [ -e "$entry" ] || [ -L "$entry" ] || continue
    set -- "$@" "./$name"
  done
  if [ "$#" -eq 0 ]; then
    # Only wildcards that matched nothing: tar refuses an empty archive, so it holds a marker
    # no COPY --from of those wildcards can name.
    : >"$out/.stagebuild-nothing-exported"
    set -- ./.stagebuild-nothing-exported
  fi
  tar -c -f "$archive" -C "$out" "$@"
  if [ -f "$SB_PLAN/$SB_POD.mounted" ]; then
    # Another pod bind-mounts from this stage: kaniko mounts only from the build context, so the
    # exports also stay as the directory context/mounts/$SB_POD (a retry replaces it).
    mkdir -p "$ctx/mounts"
    rm -rf "$ctx/mounts/$SB_POD"
    mv "$out" "$ctx/mounts/$SB_POD"
  else
    rm -rf "$out"
  fi
  # A retried pod replaces what an earlier attempt left.
  mv -f "$archive" "$ctx/from/$SB_POD.tar"
fi

if [ "$SB_FINAL" = true ]; then
  # Kaniko writes the digest before it pushes: it is only worth reporting now, after exit code 0.
  [ -s "$SB_DIGEST_FILE" ] || die "the executor succeeded but wrote no digest to $SB_DIGEST_FILE"
  cat "$SB_DIGEST_FILE" >"$SB_TERMINATION_LOG"
fi
