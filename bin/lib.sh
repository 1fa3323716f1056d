# Shared by bin/spillway and bin/test: find a JDK >= 21 and build the distribution jar when needed.
# Sourced, not run.

SPILLWAY_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SPILLWAY_JAR="$SPILLWAY_HOME/server/target/spillway.jar"
MIN_JAVA=21

# java_major BIN: prints the major version of the java binary BIN, or nothing.
java_major() {
  "$1" -version 2>&1 | awk -F'"' '/version/ { split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit }'
}

# find_jdk: sets JAVA_HOME and JAVA to the first JDK >= 21 among $JAVA_HOME, java on PATH, /usr/lib/jvm/*.
find_jdk() {
  local candidates=() seen="" c major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  command -v java >/dev/null 2>&1 && candidates+=("$(readlink -f "$(command -v java)")")
  for c in /usr/lib/jvm/*/bin/java; do [ -x "$c" ] && candidates+=("$c"); done
  for c in "${candidates[@]}"; do
    [ -x "$c" ] || continue
    major="$(java_major "$c")"
    seen="$seen ${c%/bin/java} (${major:-unknown})"
    if [ -n "$major" ] && [ "$major" -ge "$MIN_JAVA" ] 2>/dev/null; then
      JAVA="$c"
      JAVA_HOME="${c%/bin/java}"
      export JAVA_HOME
      return 0
    fi
  done
  {
    echo "spillway: needs a Java Development Kit $MIN_JAVA or newer, and found none."
    [ -n "$seen" ] && echo "  found:$seen"
    echo "  install one, e.g.: apt-get install openjdk-21-jdk   (or any JDK >= $MIN_JAVA)"
    echo "  or point JAVA_HOME at one: JAVA_HOME=/path/to/jdk bin/spillway run"
  } >&2
  return 1
}

# need_maven: Maven builds Spillway from source.
need_maven() {
  if ! command -v mvn >/dev/null 2>&1; then
    echo "spillway: building from source needs Apache Maven (3.8 or newer): apt-get install maven" >&2
    return 1
  fi
  if [ ! -x "$JAVA_HOME/bin/javac" ]; then
    echo "spillway: $JAVA_HOME is a runtime without javac; building needs a full JDK >= $MIN_JAVA" >&2
    return 1
  fi
}

# mvn_quiet_flags: Maven 3.8 on new JDKs warns about its own use of sun.misc.Unsafe; hide that noise.
maven_opts() {
  local major
  major="$(java_major "$JAVA")"
  if [ "$major" -ge 24 ] 2>/dev/null; then
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
  fi
}

# build_if_stale: builds the jar on first use or when any source or pom is newer than it.
build_if_stale() {
  local newer=""
  if [ -f "$SPILLWAY_JAR" ]; then
    newer="$(cd "$SPILLWAY_HOME" && find . -path ./data -prune -o \( -path '*/src/main/*' -o -name pom.xml \) -newer "$SPILLWAY_JAR" -print -quit 2>/dev/null)"
    [ -z "$newer" ] && return 0
  fi
  need_maven || return 1
  maven_opts
  local why="first run"
  [ -n "$newer" ] && why="sources changed: $newer"
  echo "spillway: building the distribution jar ($why); this takes a minute..." >&2
  (cd "$SPILLWAY_HOME" && mvn -B -q --no-transfer-progress -DskipTests -Dspotless.check.skip=true package -pl server -am) >&2 || {
    echo "spillway: the build failed; see the Maven output above" >&2
    return 1
  }
}
