# Sourced by the bench scripts: what each of them needs to start a server on loopback.

# A free TCP port on 127.0.0.1.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Waits up to 60 s for URL to answer over HTTP (any status); fails, saying so, if it never does.
wait_http() {  # URL
  for _ in $(seq 600); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "nothing answers at $1" >&2; return 1
}

# Sets BIN to the release binary to measure: $BIN when given (another build), else this
# checkout's, built first. Run from the repository's root.
release_binary() {
  if [ -z "${BIN:-}" ]; then
    echo "== building Souverain in release mode" >&2
    swift build -c release --product souverain 2>&1 | tail -n 1 >&2
    BIN=$PWD/.build/release/souverain
  fi
}
