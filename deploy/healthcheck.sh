#!/usr/bin/env bash
# Container health check: GET /health on the agent's own port, healthy only on 200 (the
# database is reachable). Plain bash and /dev/tcp on purpose: eclipse-temurin's JRE images
# stopped shipping curl (adoptium/containers#675), the offline image has neither curl nor
# wget, and a second JVM per probe would cost ~40 MB and a second every interval.
set -uo pipefail
port=${AGENT_PORT:-8001}
{ exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || { echo "unhealthy: nothing listens on 127.0.0.1:$port"; exit 1; }
printf 'GET /health HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
IFS= read -r -t 4 status <&3 || { echo "unhealthy: no answer from /health"; exit 1; }
status=${status%$'\r'}
case "$status" in
    "HTTP/1."?" 200" | "HTTP/1."?" 200 "*) exit 0 ;;
    *) echo "unhealthy: /health answered '$status'"; exit 1 ;;
esac
