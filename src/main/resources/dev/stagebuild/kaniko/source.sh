# StageBuild source pod: put the build context into $SB_WORKSPACE/context/src/, then print the
# Dockerfile and .dockerignore (base64, between marker lines) for the operator to read from the
# log. Runs as: sh -c "$THIS" source, with SB_SOURCE_KIND=git (alpine/git image) or configmap
# (the executor image's busybox).
#
# Everything it gets comes from environment variables and mounted files; credentials are read
# from the mounted Secret only when git asks for them, never put in argv or the environment.
set -eu

PATH=/busybox:${PATH:-/usr/bin:/bin}

SB_SOURCE_KIND=${SB_SOURCE_KIND:-git}
SB_WORKSPACE=${SB_WORKSPACE:-/kaniko/stagebuild/workspace}
SB_TERMINATION_LOG=${SB_TERMINATION_LOG:-/dev/termination-log}
SB_SOURCE_DIR=${SB_SOURCE_DIR:-/kaniko/stagebuild/source}
SB_GIT_SECRET=${SB_GIT_SECRET:-}
SB_GIT_URL=${SB_GIT_URL:-}
SB_GIT_REVISION=${SB_GIT_REVISION:-}
SB_CONTEXT_DIR=${SB_CONTEXT_DIR:-.}
SB_DOCKERFILE=${SB_DOCKERFILE:-Dockerfile}
SB_PRINT_DOCKERFILE=${SB_PRINT_DOCKERFILE:-true}

SB_GIT_SKIP_HOST_KEY_CHECK=${SB_GIT_SKIP_HOST_KEY_CHECK:-false}

# redact: standard input with the user information of URLs (scheme://user:password@) masked.
redact() {
  sed 's#\([A-Za-z][A-Za-z0-9+.-]*://\)[^/@[:space:]]*@#\1***@#g'
}

die() {
  printf 'stagebuild: %s\n' "$*" | redact >&2
  exit 1
}

# quietly CMD...: runs CMD with its error output held back, then shown redacted if it fails.
quietly() {
  if "$@" 2>"$helpers/stderr"; then
    return 0
  fi
  redact <"$helpers/stderr" >&2
  return 1
}

# A path from the spec must stay below the directory it is relative to.
check_relative() {
  case /$2/ in
    */../*) die "$1 '$2' must not contain '..'" ;;
  esac
  case $2 in
    /*) die "$1 '$2' must be relative" ;;
  esac
}

# inside BASE PATH: true when PATH, with its symlinks followed, is BASE or below it. A symlink in
# the repository must not point the build at the pod's own files (or its git credentials).
inside() {
  local base real
  base=$(cd -P "$1" && pwd -P) || return 1
  if [ -d "$2" ]; then
    real=$(cd -P "$2" && pwd -P) || return 1
  else
    real=$(cd -P "$(dirname "$2")" && pwd -P) || return 1
    [ ! -L "$2" ] || real=$(readlink -f "$2") || return 1
  fi
  case $real/ in
    "$base"/*) return 0 ;;
  esac
  return 1
}

# print_file KIND FILE: the base64 of FILE between stagebuild:KIND:begin and :end lines.
print_file() {
  echo "stagebuild:$1:begin"
  base64 <"$2"
  echo "stagebuild:$1:end"
}

ctx=$SB_WORKSPACE/context
check_relative contextDir "$SB_CONTEXT_DIR"
check_relative dockerfile "$SB_DOCKERFILE"
mkdir -p "$ctx"
# A retried pod starts from scratch.
rm -rf "$ctx/src" "$ctx/.src.partial" "$SB_WORKSPACE/repo"
commit=

case $SB_SOURCE_KIND in
  git)
    [ -n "$SB_GIT_URL" ] || die "SB_GIT_URL is not set"
    case $SB_GIT_REVISION in
      -*) die "revision '$SB_GIT_REVISION' must not start with '-'" ;;
    esac
    # Never wait for a password on a terminal that is not there.
    export GIT_TERMINAL_PROMPT=0
    helpers=$(mktemp -d)
    # The key copy and the askpass helper go away however the clone ends.
    trap 'rm -rf "$helpers"' EXIT
    if [ -n "$SB_GIT_SECRET" ] && [ -f "$SB_GIT_SECRET/ssh-privatekey" ]; then
      # ssh refuses a key that others can read; the mounted file's mode is not ours to choose.
      cp "$SB_GIT_SECRET/ssh-privatekey" "$helpers/id"
      chmod 600 "$helpers/id"
      if [ -f "$SB_GIT_SECRET/known_hosts" ]; then
        cp "$SB_GIT_SECRET/known_hosts" "$helpers/known_hosts"
        checking=yes
      elif [ "$SB_GIT_SKIP_HOST_KEY_CHECK" = true ]; then
        # asked for in so many words (spec.source.git.insecureSkipHostKeyCheck): any host key goes
        : >"$helpers/known_hosts"
        checking=accept-new
      else
        die "the git Secret has no known_hosts key: add the server's host keys (ssh-keyscan output), or set spec.source.git.insecureSkipHostKeyCheck: true"
      fi
      export GIT_SSH_COMMAND="ssh -i $helpers/id -o IdentitiesOnly=yes -o UserKnownHostsFile=$helpers/known_hosts -o StrictHostKeyChecking=$checking"
    fi
    if [ -n "$SB_GIT_SECRET" ] && [ -f "$SB_GIT_SECRET/password" ]; then
      # git runs GIT_ASKPASS with the prompt as its argument; the helper reads the Secret's files.
      cat >"$helpers/askpass" <<'ASKPASS'
#!/bin/sh
case $1 in
  Username*) cat "$SB_GIT_SECRET/username" 2>/dev/null || true ;;
  *) cat "$SB_GIT_SECRET/password" ;;
esac
ASKPASS
      chmod 700 "$helpers/askpass"
      export SB_GIT_SECRET GIT_ASKPASS="$helpers/askpass"
    fi

    repo=$SB_WORKSPACE/repo
    git init --quiet "$repo" >/dev/null || die "cannot create $repo"
    cd "$repo"
    git remote add origin -- "$SB_GIT_URL" || die "cannot use $SB_GIT_URL"
    # Only the commit built is fetched (--depth 1): the default branch, a branch, a tag, a ref, or a
    # full commit id the server serves. An abbreviated id, or a server that refuses a bare id, gets
    # the whole history, as a clone would.
    if git fetch --quiet --no-tags --depth 1 origin "${SB_GIT_REVISION:-HEAD}" 2>/dev/null; then
      rev=FETCH_HEAD
      printf 'stagebuild: fetched %s at depth 1\n' "${SB_GIT_REVISION:-HEAD}" >&2
    else
      printf 'stagebuild: fetching the whole history to find %s\n' "${SB_GIT_REVISION:-HEAD}" >&2
      quietly git fetch --quiet origin '+refs/heads/*:refs/remotes/origin/*' '+refs/tags/*:refs/tags/*' \
        '+HEAD:refs/remotes/origin/HEAD' || die "cannot fetch $SB_GIT_URL"
      rev=
    fi
    if [ -n "$rev" ]; then
      :
    elif [ -z "$SB_GIT_REVISION" ]; then
      rev=refs/remotes/origin/HEAD
    elif git rev-parse --verify --quiet "refs/remotes/origin/$SB_GIT_REVISION^{commit}" >/dev/null; then
      rev=refs/remotes/origin/$SB_GIT_REVISION
    elif git rev-parse --verify --quiet "refs/tags/$SB_GIT_REVISION^{commit}" >/dev/null; then
      rev=refs/tags/$SB_GIT_REVISION
    elif git rev-parse --verify --quiet "$SB_GIT_REVISION^{commit}" >/dev/null; then
      rev=$SB_GIT_REVISION
    else
      # A commit no branch or tag leads to, or a ref clone does not fetch (refs/pull/1/head).
      quietly git fetch --quiet origin "$SB_GIT_REVISION" || die "revision '$SB_GIT_REVISION' not found in $SB_GIT_URL"
      rev=FETCH_HEAD
    fi
    commit=$(git rev-parse --verify --quiet "$rev^{commit}") || die "revision '${SB_GIT_REVISION:-HEAD}' of $SB_GIT_URL is not a commit"
    git -c advice.detachedHead=false checkout --quiet --detach "$commit"
    cd /
    # Like BuildKit's git context: the .git directory is not part of the build context.
    rm -rf "$repo/.git"
    if [ "$SB_CONTEXT_DIR" = . ]; then
      mv "$repo" "$ctx/src"
    else
      [ -d "$repo/$SB_CONTEXT_DIR" ] || die "contextDir '$SB_CONTEXT_DIR' is not a directory at commit $commit"
      inside "$repo" "$repo/$SB_CONTEXT_DIR" || die "contextDir '$SB_CONTEXT_DIR' points outside the repository"
      # Move the directory it names, not a symlink to it: a relative link moved to context/ would
      # resolve from there instead (../../git-secret is the repository's there, the git Secret here).
      real=$(cd -P "$repo/$SB_CONTEXT_DIR" && pwd -P) || die "contextDir '$SB_CONTEXT_DIR' is not a directory at commit $commit"
      mv "$real" "$ctx/.src.partial"
      rm -rf "$repo"
      mv "$ctx/.src.partial" "$ctx/src"
    fi
    ;;
  configmap)
    # A ConfigMap volume holds its keys as symlinks into ..data/; copy the files they point to.
    mkdir -p "$ctx/.src.partial"
    for f in "$SB_SOURCE_DIR"/* "$SB_SOURCE_DIR"/.*; do
      name=${f##*/}
      case $name in
        . | .. | ..*) continue ;;
      esac
      [ -e "$f" ] || continue
      cp -L "$f" "$ctx/.src.partial/$name"
    done
    mv "$ctx/.src.partial" "$ctx/src"
    ;;
  *) die "unknown SB_SOURCE_KIND '$SB_SOURCE_KIND'" ;;
esac

src=$ctx/src
if [ "$SB_PRINT_DOCKERFILE" = true ]; then
  [ -f "$src/$SB_DOCKERFILE" ] || die "Dockerfile '$SB_DOCKERFILE' not found in the build context"
  inside "$src" "$src/$SB_DOCKERFILE" || die "Dockerfile '$SB_DOCKERFILE' points outside the build context"
  print_file dockerfile "$src/$SB_DOCKERFILE"
fi
# BuildKit's precedence: <Dockerfile>.dockerignore next to the Dockerfile, else .dockerignore.
ignore=
if [ "$SB_PRINT_DOCKERFILE" = true ] && [ -f "$src/$SB_DOCKERFILE.dockerignore" ]; then
  ignore=$src/$SB_DOCKERFILE.dockerignore
elif [ -f "$src/.dockerignore" ]; then
  ignore=$src/.dockerignore
fi
if [ -n "$ignore" ]; then
  inside "$src" "$ignore" || die "'${ignore#"$src"/}' points outside the build context"
  print_file dockerignore "$ignore"
fi

# Written last: a failure above leaves it empty, and the pod's message is then the log's tail.
printf '%s' "$commit" >"$SB_TERMINATION_LOG"
