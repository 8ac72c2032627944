# StageBuild stage pod: run the Kaniko executor, then hand this stage's exported paths to later
# pods through the workspace. Runs as: /busybox/sh -c "$THIS" stage <executor arguments...>
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

# The pod name becomes a directory name under context/from/: keep it one plain path component.
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

# resolve PATH: sets `resolved` to PATH (absolute, inside the built root) with every symlink
# followed the way the built image would see it: absolute link targets and `..` stay inside
# $SB_ROOT. Fails on a symlink loop.
resolve() {
  local todo=$1 done= comp target links=0
  while [ -n "$todo" ]; do
    comp=${todo%%/*}
    case $todo in
      */*) todo=${todo#*/} ;;
      *) todo= ;;
    esac
    case $comp in
      '' | .) continue ;;
      ..)
        done=${done%/*}
        continue
        ;;
    esac
    if [ -L "$root$done/$comp" ]; then
      links=$((links + 1))
      [ "$links" -le 40 ] || return 1
      target=$(readlink "$root$done/$comp")
      case $target in
        /*) done= ;;
      esac
      todo=$target/$todo
    else
      done=$done/$comp
    fi
  done
  resolved=$done
}

# copy_one VIRTUAL REAL: copy $root$REAL to $out$VIRTUAL. VIRTUAL is the path the consumer's
# Dockerfile names (from/<pod>/<path>), REAL the same path with its symlinks resolved.
copy_one() {
  local virt=$1 real=$2 dst parent
  case $real in
    '' | /kaniko | /kaniko/* | /busybox | /busybox/*)
      die "export $line resolves to ${real:-/} in stage $SB_POD, which cannot be exported"
      ;;
  esac
  dst=$out$virt
  # Never write through a symlink an earlier export left in the output tree.
  parent=${virt%/*}
  while [ -n "$parent" ]; do
    [ ! -L "$out$parent" ] || die "export $line overlaps symlink $parent of an earlier export in stage $SB_POD"
    parent=${parent%/*}
  done
  if [ -d "$root$real" ] && [ -d "$dst" ] && [ ! -L "$dst" ]; then
    # Two exports that overlap (/app and /app/bin): merge, the content is the same.
    cp -a "$root$real/." "$dst/"
  else
    rm -rf "$dst"
    mkdir -p "${dst%/*}"
    cp -a "$root$real" "$dst"
  fi
  found=1
}

# walk VIRTUAL REAL REST: match the remaining pattern components REST below VIRTUAL/REAL.
# A component with *, ? or [ is matched against the directory's entries with `case`, whose
# pattern comes from a variable: glob characters work, nothing is evaluated. Like BuildKit, *
# matches names that start with a dot.
walk() {
  local virt=$1 real=$2 rest=$3 comp entry name
  if [ -z "$rest" ]; then
    copy_one "$virt" "$real"
    return 0
  fi
  comp=${rest%%/*}
  case $rest in
    */*) rest=${rest#*/} ;;
    *) rest= ;;
  esac
  case $comp in
    '' | .)
      walk "$virt" "$real" "$rest"
      return 0
      ;;
    *[\*\?\[]*)
      [ -d "$root$real" ] || return 0
      for entry in "$root$real"/* "$root$real"/.*; do
        name=${entry##*/}
        case $name in
          . | ..) continue ;;
        esac
        [ -e "$entry" ] || [ -L "$entry" ] || continue
        case $name in
          $comp)
            if ! resolve "$real/$name"; then
              # A symlink loop cannot be a directory to look into; as a match it cannot be copied.
              [ -n "$rest" ] || die "export $line: too many symlinks at $virt/$name in stage $SB_POD"
              continue
            fi
            if [ -n "$rest" ] && [ ! -d "$root$resolved" ]; then continue; fi
            [ -e "$root$resolved" ] || continue
            walk "$virt/$name" "$resolved" "$rest"
            ;;
        esac
      done
      ;;
    *)
      resolve "$real/$comp" || die "export $line: too many symlinks at $virt/$comp in stage $SB_POD"
      [ -e "$root$resolved" ] || return 0
      if [ -n "$rest" ] && [ ! -d "$root$resolved" ]; then return 0; fi
      walk "$virt/$comp" "$resolved" "$rest"
      ;;
  esac
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
  rm -rf "$out"
  mkdir -p "$out"
  while IFS= read -r line || [ -n "$line" ]; do
    [ -n "$line" ] || continue
    clean "$line"
    found=0
    walk "" "" "${cleaned#/}"
    if [ "$found" != 1 ]; then
      case $line in
        # A wildcard that matches nothing copies nothing, as BuildKit allows; a plain path must exist.
        *[*?[]*) ;;
        *) die "export $line not found in stage $SB_POD" ;;
      esac
    fi
  done <"$exports"
  # A retried pod replaces what an earlier attempt left.
  rm -rf "$ctx/from/$SB_POD"
  mv "$out" "$ctx/from/$SB_POD"
fi

if [ "$SB_FINAL" = true ]; then
  # Kaniko writes the digest before it pushes: it is only worth reporting now, after exit code 0.
  [ -s "$SB_DIGEST_FILE" ] || die "the executor succeeded but wrote no digest to $SB_DIGEST_FILE"
  cat "$SB_DIGEST_FILE" >"$SB_TERMINATION_LOG"
fi
