#!/usr/bin/env bash
# Regenerates docs/cli.md from the commands' own --help. Run from the repository root after
# `mvn -pl server -am package -DskipTests` (the server distribution holds every command).
set -euo pipefail
jar=server/target/ferry-server.jar
subcommands() {
  # shellcheck disable=SC2086
  java -jar "$jar" $1 --help | awk '/^Commands:/{f=1;next} f&&/^  [a-z]/{print $1}' | grep -v '^help$' || true
}
leaves() {
  # every leaf command under "ferry $1": "ferry X --help" lists subcommands under "Commands:"
  local subs
  subs=$(subcommands "$1")
  if [[ -z "$subs" ]]; then echo "$1"; return; fi
  for s in $subs; do leaves "${1:+$1 }$s"; done
}
commands() {
  leaves ""
}
{
  echo "# CLI reference"
  echo
  echo "Every command talks to the API at \`--api-url\` (env \`FERRY_API_URL\`, default \`http://127.0.0.1:4200\`),"
  echo "sends \`--api-key\` (env \`FERRY_API_KEY\`) as a bearer token, and prints tables or, with \`-o json\`,"
  echo "the API's objects as returned. A failing command prints one line starting with \`error:\` and exits 1;"
  echo "bad usage or input the server refuses (400/413/422) exits 2. \`deployment run --watch\` exits 0 only"
  echo "when the run ends COMPLETED, and says once why a run cannot start yet (a paused deployment, a pool no"
  echo "worker has polled for 60 s). \`flow-run logs|inspect|cancel|retry\` take a run's name or ID; a name several"
  echo "runs share is refused (exit 2) with their IDs. \`--param k=v\` is read by the parameter's type in the"
  echo "deployment's schema (\`ratio=2\` is \`2.0\` for a float; a value the type cannot take exits 2), the same"
  echo "way the web UI's custom-run form and the server read it."
  echo
  echo "This page is the commands' own \`--help\`, collected by \`docs/gen-cli-reference.sh\`."
  commands | while read -r c; do
    echo; echo "## ferry $c"; echo; echo '```'
    # shellcheck disable=SC2086
    java -jar "$jar" $c --help
    echo '```'
  done
} > docs/cli.md
