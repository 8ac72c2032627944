# StageBuild stage pod: run the Kaniko executor, then hand this stage's exported paths to later
# pods through the workspace, as the tar archive context/from/<pod>.tar.
# Runs as: /busybox/sh -c "$THIS" stage <executor arguments...>
#
# Only environment variables and the plan files are read; the export lists are data, read line by
# line, and never executed or evaluated.
set -eu

# Kaniko replaces / with the image it built, and clears it before (--pre-cleanup) and between
# stages, keeping /kaniko and mounted paths: /busybox (the executor image's VOLUME) stays only where
# the runtime mounts image volumes. So the script runs on a copy of busybox under /kaniko (below).
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

SB_TOOLS=${SB_TOOLS:-/kaniko/stagebuild/tools}
busybox=$(readlink /proc/$$/exe) || busybox= # this shell's binary: busybox, as /busybox/sh
# (--install reports success even when it made no link: the check is the link itself)
if [ -n "$busybox" ] && mkdir -p "$SB_TOOLS" && cp "$busybox" "$SB_TOOLS/busybox" \
  && "$SB_TOOLS/busybox" --install -s "$SB_TOOLS" 2>/dev/null && [ -x "$SB_TOOLS/tar" ]; then
  PATH=$SB_TOOLS:$PATH
elif grep -q ' /busybox ' /proc/self/mountinfo 2>/dev/null; then
  printf 'stagebuild: no busybox of its own in %s: the tools after the build come from /busybox (a mount)\n' \
    "$SB_TOOLS" >&2
else
  die "this executor image's busybox cannot install its applets into $SB_TOOLS, and /busybox is no mount:" \
    "kaniko would remove it before the exports; use the fork's debug image (v1.28.2 or newer)"
fi

ctx=$SB_WORKSPACE/context
root=${SB_ROOT%/}
# The exports below read the built root ($root), where some paths are the pod's own (live_only); the
# copies for COPY --exclude from the context read context/src, where none is.
live=1
where="stage $SB_POD"
# The context directory of those copies (ExcludedExport.CONTEXT_EXPORTS).
context_exports=exclude
# What this pod makes is made here, beside the context, and renamed into it once complete: an
# executor in another pod walks the whole context (kaniko resolves a wildcard source that way) and
# fails on an entry removed under it. The names are this attempt's own (the pod's host name is
# the pod's name, which a retry changes), so an earlier attempt still running cannot meet them.
partials=$SB_WORKSPACE/partial
attempt=$(hostname 2>/dev/null || echo pod).$$
made=0
# (a COPY --parents export's pivots, and whether its paths are matched without following symlinks)
pivots= nofollow=0
mkdir -p "$ctx/from" "$partials"

# A RUN --mount=type=tmpfs is written as a context bind mount of this directory: kaniko copies it in
# over the target for the command and removes it after. It stays empty, and root's with mode 1777,
# as a tmpfs's root is. A volume that squashes root keeps its own owner: said, not fatal (most
# Dockerfiles mount no tmpfs).
mkdir -p "$ctx/mounts/.tmpfs"
chown 0:0 "$ctx/mounts/.tmpfs" 2>/dev/null || :
chmod 1777 "$ctx/mounts/.tmpfs"
owner=$(stat -c %u:%g "$ctx/mounts/.tmpfs")
if [ "$owner" != 0:0 ] && [ "$(id -u)" = 0 ]; then
  printf 'stagebuild: the workspace volume keeps %s as the owner of what root creates: a RUN --mount=type=tmpfs target is owned by %s, not by root\n' "$owner" "$owner" >&2
fi

# Every pod installs the same .dockerignore; writing a name of our own and renaming it means an
# executor starting in another pod never reads a half-written file.
if [ -f "$SB_PLAN/dockerignore" ]; then
  tmp=$partials/dockerignore.$attempt
  cat "$SB_PLAN/dockerignore" >"$tmp"
  mv -f "$tmp" "$ctx/.dockerignore"
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
  [ "$live" = 1 ] || return 1
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
    die "export $line resolves to $real in $where, which cannot be exported (the pod's own, not the image's)"
  fi
  case $live$real in
    1 | 1/etc)
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

# split_path PATH: sets `split_first` to the first component of the relative PATH and `split_rest` to
# the components after it (empty when there are none). Callers copy both at once.
split_path() {
  split_first=${1%%/*}
  case $1 in
    */*) split_rest=${1#*/} ;;
    *) split_rest= ;;
  esac
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
    split_path "$rest"
    comp=$split_first rest=$split_rest
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
  [ "$recording" = 0 ] || note root "$real"
}

# step REAL NAME REST LINKS SOFT: go on from the entry NAME of the directory REAL (NAME is
# literal). A symlink is kept and followed inside $SB_ROOT: absolute targets from its root,
# relative ones from REAL.
step() {
  local real=$1 name=$2 rest=$3 links=$4 soft=$5 target before
  if [ -L "$root$real/$name" ] && [ "$nofollow" = 1 ]; then
    # COPY --parents: BuildKit matches below the pivot without following a symlink, and copies a
    # matched one as the link it is
    if [ -z "$rest" ]; then
      keep "$real/$name"
      hits=$((hits + 1))
      [ "$recording" = 0 ] || note root "$real/$name"
    fi
    return 0
  fi
  if [ -L "$root$real/$name" ]; then
    links=$((links + 1))
    if [ "$links" -gt 40 ]; then
      [ "$soft" = 1 ] && return 0
      die "export $line: too many symlinks at $real/$name in $where"
    fi
    target=$(readlink "$root$real/$name")
    before=$hits
    case $target in
      /*) clean "$target" ;;
      *) clean "$real/$target" ;;
    esac
    if [ -z "$rest" ]; then
      # the link is kept whatever it leads to: a loop beyond it is no error
      soft=1
    fi
    if [ -n "$rest" ] || ! live_only "$cleaned"; then
      case $target in
        /*) walk "" "$target${rest:+/$rest}" "$links" "$soft" ;;
        *) walk "$real" "$target${rest:+/$rest}" "$links" "$soft" ;;
      esac
    fi
    # The symlink itself, when something was found through it; kaniko copies a symlink it is
    # asked for as a link, so one that leads nowhere in the image (dangling, or to the pod's
    # /dev/stdout) is kept too.
    if [ "$hits" -ne "$before" ]; then
      keep "$real/$name"
      [ "$recording" = 0 ] || note kept "$real/$name"
    elif [ -z "$rest" ]; then
      keep "$real/$name"
      hits=$((hits + 1))
      [ "$recording" = 0 ] || note root "$real/$name"
    fi
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
    split_path "$todo"
    comp=$split_first todo=$split_rest
    case $comp in
      '' | .) ;;
      ..) cleaned=${cleaned%/*} ;;
      *) cleaned=$cleaned/$comp ;;
    esac
  done
}

# export LINE: takes the path LINE names into $out (see walk).
export_line() {
  line=$1
  clean "$line"
  local before=$hits
  walk "" "${cleaned#/}" 0 0
  if [ "$hits" -le "$before" ]; then
    case $line in
      # A wildcard that matches nothing copies nothing, as BuildKit allows; a plain path must exist.
      *[*?[]*) ;;
      *) die "export $line not found in $where" ;;
    esac
  fi
}

# pack DIR ARCHIVE: DIR's entries as a tar archive.
pack() {
  local dir=$1 tarball=$2 entry name
  # The top-level entries as arguments (./NAME: never an option), not the root directory itself.
  set --
  for entry in "$dir"/* "$dir"/.*; do
    name=${entry##*/}
    case $name in
      . | ..) continue ;;
    esac
    [ -e "$entry" ] || [ -L "$entry" ] || continue
    set -- "$@" "./$name"
  done
  if [ "$#" -eq 0 ] && [ -n "$pivots" ]; then
    # A COPY --parents that matched nothing copies its pivot's contents, which a marker in the
    # archive would be part of (pivot /): the archive holds only its root entry, which ADD skips
    # (FF_KANIKO_UNTAR_SKIP_ROOT).
    set -- .
  elif [ "$#" -eq 0 ]; then
    # Only wildcards that matched nothing: tar refuses an empty archive, so it holds a marker
    # no COPY --from of those wildcards can name.
    : >"$dir/.stagebuild-nothing-exported"
    set -- ./.stagebuild-nothing-exported
  fi
  tar -c -f "$tarball" -C "$dir" "$@"
}

# --- COPY --from=<this stage> --exclude=... ----------------------------------------------------
#
# Each such COPY has an export of its own ("= <key> <line>", its paths, its patterns), archived as
# $ctx/from/$SB_POD.exclude-<key>.tar for a stand-in of its own. Its paths are taken as above, then
# each source (each match of a wildcard; symlinks followed, as BuildKit copies it) that is a
# directory loses what the patterns exclude relative to it. A source file is never matched (BuildKit
# matches only paths below the source), so it stays. This is fsutil's copy with moby/patternmatcher:
#   - patterns in order, the last that matches decides: "-" excludes, "+" (written !) re-includes;
#   - a path matches a pattern its parent directory matched (MatchesUsingParentResults): an
#     excluded directory excludes everything in it, unless a later "+" pattern names some of it;
#     a pattern that could not change the verdict is not tried, and so not inherited either;
#   - without "+" patterns an excluded directory goes whole; with them it is kept only for what a
#     "+" pattern brings back below it (BuildKit then creates it as the source has it).
# A pattern's elements (the plan writes them, ExcludePatterns) are joined by /: a name pattern (text
# and *, matched with `case`, from a variable: nothing is evaluated) matches one component; **a
# any number of components, **n any number without a line break, **P and **N (last) one or more,
# with and without line breaks. The same functions make the copies for COPY --exclude from the
# context (below, before the executor): directories of the context, not archives.
#
# A COPY --parents with wildcards is such an export: its paths are the sources without the pivot
# "/./", each kept with the directories above it (with **, the pivot itself, pruned by patterns),
# and the COPY copies the contents of each pivot.

nl='
'

# note KIND PATH: remember PATH (a source as resolved, or a symlink on the way to one).
note() {
  case $2 in
    *"$nl"*)
      # (a COPY --parents prunes only below its pivot, whose name the plan has checked: nothing to note)
      [ "$nofollow" = 0 ] || return 0
      die "COPY --exclude of line $at: $2 in $where has a line break in its name; StageBuild cannot check it"
      ;;
  esac
  if [ "$1" = root ]; then
    roots=$roots@$2$nl
  else
    kept=$kept@$2$nl
  fi
}

# ematch ELEMENTS PATH: whether the relative PATH matches the pattern ELEMENTS.
ematch() {
  local elems=$1 path=$2 e rest comp
  while [ -n "$elems" ]; do
    split_path "$elems"
    e=$split_first elems=$split_rest
    case $e in
      '**a' | '**n' | '**P' | '**N')
        rest=$path
        case $e in
          '**a' | '**n') ematch "$elems" "$rest" && return 0 ;;
        esac
        while [ -n "$rest" ]; do
          split_path "$rest"
          comp=$split_first rest=$split_rest
          case $e$comp in
            '**n'*"$nl"* | '**N'*"$nl"*) return 1 ;;
          esac
          ematch "$elems" "$rest" && return 0
        done
        return 1
        ;;
    esac
    [ -n "$path" ] || return 1
    split_path "$path"
    comp=$split_first path=$split_rest
    case $comp in
      $e) ;;
      *) return 1 ;;
    esac
  done
  [ -z "$path" ]
}

# verdict REL INFO: sets `excluded` (1 or 0) for the relative path REL, and `info`, which of the
# patterns it matched (one 0 or 1 each), from INFO, its parent directory's (empty at the top).
verdict() {
  local rel=$1 parent=$2 todo=$pats pline flag m
  excluded=0
  info=
  while [ -n "$todo" ]; do
    pline=${todo%%"$nl"*}
    todo=${todo#*"$nl"}
    flag=${pline%% *}
    m=0
    if [ -n "$parent" ]; then
      [ "${parent%"${parent#?}"}" = 1 ] && m=1
      parent=${parent#?}
    fi
    if [ "$m" = 0 ]; then
      # an exclude pattern cannot change an excluded path, nor a re-include an included one
      if [ "$flag$excluded" = -1 ] || [ "$flag$excluded" = +0 ]; then
        info=${info}0
        continue
      fi
      ematch "${pline#* }" "$rel" && m=1
    fi
    info=$info$m
    if [ "$m" = 1 ]; then
      if [ "$flag" = + ]; then excluded=0; else excluded=1; fi
    fi
  done
}

# empty DIR: whether DIR has no entries.
empty() {
  local entry
  for entry in "$1"/* "$1"/.*; do
    case ${entry##*/} in
      . | ..) continue ;;
    esac
    [ -e "$entry" ] || [ -L "$entry" ] || continue
    return 1
  done
  return 0
}

# prune DIR SRC REL INFO: removes from the exported directory DIR (the built root's SRC, at REL
# below the source) what the patterns exclude; INFO as for verdict.
prune() {
  local dir=$1 src=$2 rel=$3 parent=$4 entry name r sub was removed=0
  for entry in "$dir"/* "$dir"/.*; do
    name=${entry##*/}
    case $name in
      . | ..) continue ;;
    esac
    [ -e "$entry" ] || [ -L "$entry" ] || continue
    r=${rel:+$rel/}$name
    verdict "$r" "$parent"
    if [ -d "$entry" ] && [ ! -L "$entry" ]; then
      if [ "$excluded" = 1 ] && [ "$reincludes" = 0 ]; then
        rm -rf "$entry"
        removed=1
        continue
      fi
      was=$excluded
      sub=$info
      prune "$entry" "$src/$name" "$r" "$sub"
      if [ "$was" = 1 ] && empty "$entry"; then
        rmdir "$entry"
        removed=1
      fi
    elif [ "$excluded" = 1 ]; then
      rm -f "$entry"
      removed=1
    fi
  done
  # removing entries changed the directory's times; the consumer copies them
  [ "$removed" = 0 ] || touch -r "$src" "$dir"
}

# rename_in DIR TO: renames the complete directory DIR (outside the context) to TO, which does not
# exist yet. False, DIR removed, when TO exists after all: another attempt or pod made the same
# meanwhile (a rename onto a directory with entries fails; -T, so that it never moves DIR into TO).
rename_in() {
  if mv -T "$1" "$2" 2>/dev/null; then
    return 0
  fi
  if [ -e "$2" ] || [ -L "$2" ]; then
    rm -rf "$1"
    return 1
  fi
  mv "$1" "$2" # a busybox without mv -T
}

# pivot_line DIR: a pivot of a COPY --parents, whose contents the COPY copies (the plan lists them
# before the paths). It must be a directory, and one reached without a symlink: the paths below it
# are matched without following one (nofollow), and BuildKit follows only those of the pivot.
pivot_line() {
  local rest prefix=
  clean "$1"
  rest=${cleaned#/}
  while [ -n "$rest" ]; do
    split_path "$rest"
    rest=$split_rest
    prefix=$prefix/$split_first
    if [ -L "$root$prefix" ]; then
      die "COPY --parents of line $at: $prefix in $where is a symlink; StageBuild copies --parents below a directory only: write the path it points to"
    fi
    [ -d "$root$prefix" ] || die "COPY --parents of line $at: $prefix not found (as a directory) in $where"
  done
  pivots=$pivots$cleaned$nl
  nofollow=1
}

# make_pivots: makes each pivot and the directories above it in the export, as the source has them
# (also when nothing below it matched: BuildKit copies an empty pivot as nothing), the pivot itself
# root's: kaniko gives the COPY's destination the owner of the directory it copies the contents of,
# where BuildKit leaves an existing one as it is and creates a missing one as root's.
make_pivots() {
  local todo=$pivots p rest prefix
  while [ -n "$todo" ]; do
    p=${todo%%"$nl"*}
    todo=${todo#*"$nl"}
    rest=${p#/} prefix=
    while [ -n "$rest" ]; do
      split_path "$rest"
      rest=$split_rest
      prefix=$prefix/$split_first
      mkdir_like "$prefix"
    done
    chown 0:0 "$out$p"
  done
}

# exclude_finish: checks, prunes and archives the export being read (key, at, roots, kept, pats).
exclude_finish() {
  local todo r others k
  [ -n "$key" ] || return 0
  if [ "$made" = 1 ]; then
    rm -rf "$out"
    key=
    return 0
  fi
  make_pivots
  # Pruning a source must not reach another source or a symlink on the way to one (without
  # patterns, a COPY --parents, nothing is pruned).
  [ -n "$pats" ] || roots=
  todo=$roots
  while [ -n "$todo" ]; do
    r=${todo%%"$nl"*}
    todo=${todo#*"$nl"}
    r=${r#@}
    [ -d "$out$r" ] && [ ! -L "$out$r" ] || continue
    others=$roots$kept
    while [ -n "$others" ]; do
      k=${others%%"$nl"*}
      others=${others#*"$nl"}
      k=${k#@}
      case $k in
        "$r"/*) die "COPY --exclude of line $at: $k is inside ${r:-/}, another of its sources, in $where; StageBuild cannot exclude from both exactly: copy them with one COPY each" ;;
      esac
    done
  done
  todo=$roots
  while [ -n "$todo" ]; do
    r=${todo%%"$nl"*}
    todo=${todo#*"$nl"}
    r=${r#@}
    if [ -d "$out$r" ] && [ ! -L "$out$r" ]; then
      prune "$out$r" "$root$r" "" ""
    fi
  done
  if [ "$live" = 1 ]; then
    pack "$out" "$archive"
    rm -rf "$out"
    mv -f "$archive" "$ctx/from/$SB_POD.exclude-$key.tar"
  else
    # COPY of exclude/<key>/. takes the directory's own owner, mode and times, as of src/.
    chown "$(stat -c %u:%g "$root")" "$out"
    chmod "$(stat -c %a "$root")" "$out"
    touch -r "$root" "$out"
    # Pods that build the same stage make the same copy: the first complete one stays, and
    # nobody ever reads a half-made one.
    rename_in "$out" "$ctx/$context_exports/$key" || :
  fi
  key=
}

# read_excludes FILE: makes each export FILE lists: "= <key> <line>", for a COPY --parents its
# pivots (". <dir>"), its paths, its patterns.
read_excludes() {
  local file=$1
  key=
  recording=1
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in
      '= '*)
        exclude_finish
        key=${line#= }
        at=${key#* }
        key=${key%% *}
        case $key in
          '' | *[!0-9a-f]*) die "invalid line in $file: $line" ;;
        esac
        case $at in
          '' | *[!0-9]*) die "invalid line in $file: $line" ;;
        esac
        out=$partials/$SB_POD.exclude-$key.$attempt
        archive=$out.tar
        rm -rf "$out" "$archive"
        mkdir -p "$out"
        hits=0 roots= kept= pats= reincludes=0 made=0 pivots= nofollow=0
        # a copy of the context already made (by an earlier attempt, or another pod that builds the
        # stage) is complete: it is used as it is
        [ "$live" = 1 ] || [ ! -d "$ctx/$context_exports/$key" ] || made=1
        ;;
      /*)
        [ -n "$key" ] || die "invalid line in $file: $line"
        [ "$made" = 1 ] || export_line "$line"
        ;;
      '. /'*)
        [ -n "$key" ] || die "invalid line in $file: $line"
        [ "$made" = 1 ] || pivot_line "${line#. }"
        ;;
      '- '* | '+ '*)
        [ -n "$key" ] || die "invalid line in $file: $line"
        pats=$pats$line$nl
        [ "${line%% *}" = - ] || reincludes=1
        ;;
      *) die "invalid line in $file: $line" ;;
    esac
  done <"$file"
  exclude_finish
  recording=0 pivots= nofollow=0
}

# --- run --------------------------------------------------------------------------------------

# COPY --exclude=... from the build context: kaniko would ignore the flag, so the COPY copies from
# context/exclude/<key>/ instead, which this pod makes first: the sources at their paths below
# context/src, each (each match of a wildcard) without what the patterns exclude relative to it,
# exactly as for a COPY --from=<stage> --exclude below. The installed .dockerignore holds there too.
context_excludes=$SB_PLAN/$SB_POD.context-excludes
if [ -s "$context_excludes" ]; then
  live=0 where="the build context" root=$ctx/src
  mkdir -p "$ctx/$context_exports"
  read_excludes "$context_excludes"
  live=1 where="stage $SB_POD" root=${SB_ROOT%/}
fi

rc=0
"$SB_EXECUTOR" "$@" || rc=$?
if [ "$rc" -ne 0 ]; then
  # The termination log stays empty, so the pod's message is the tail of the executor's log.
  exit "$rc"
fi

recording=0
exports=$SB_PLAN/$SB_POD.exports
if [ -s "$exports" ]; then
  out=$partials/$SB_POD.export.$attempt
  archive=$out.tar
  rm -rf "$out" "$archive"
  mkdir -p "$out"
  hits=0
  while IFS= read -r line || [ -n "$line" ]; do
    [ -n "$line" ] || continue
    export_line "$line"
  done <"$exports"
  pack "$out" "$archive"
  if [ -f "$SB_PLAN/$SB_POD.mounted" ]; then
    # Another pod bind-mounts from this stage: kaniko mounts only from the build context, so the
    # exports also stay as the directory context/mounts/$SB_POD. A retry replaces it: the earlier
    # one is renamed out of the context first and removed there (-T: never moved into the other).
    mkdir -p "$ctx/mounts"
    if [ -e "$ctx/mounts/$SB_POD" ]; then
      mv "$ctx/mounts/$SB_POD" "$out.replaced"
    fi
    rename_in "$out" "$ctx/mounts/$SB_POD" || :
    rm -rf "$out.replaced"
  else
    rm -rf "$out"
  fi
  # A retried pod replaces what an earlier attempt left.
  mv -f "$archive" "$ctx/from/$SB_POD.tar"
fi

excludes=$SB_PLAN/$SB_POD.excludes
if [ -s "$excludes" ]; then
  read_excludes "$excludes"
fi

if [ "$SB_FINAL" = true ]; then
  # Kaniko writes the digest before it pushes: it is only worth reporting now, after exit code 0.
  [ -s "$SB_DIGEST_FILE" ] || die "the executor succeeded but wrote no digest to $SB_DIGEST_FILE"
  cat "$SB_DIGEST_FILE" >"$SB_TERMINATION_LOG"
fi
