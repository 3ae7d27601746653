#!/usr/bin/env bash
# CI: what can be checked of the compose deployment without a registry.
#  - docker-compose.yml and docker-compose.test.yml parse and validate (`config -q`) with
#    Debian's docker-compose 1.29 (installed when missing);
#  - every file they bind-mount exists (compose would silently create a directory);
#  - the agent image's build context (/.dockerignore) holds every file agent/Dockerfile
#    copies: those COPY lines are built onto `scratch`, which needs no registry.
# The images themselves need maven, eclipse-temurin, python, haproxy and postgres from a
# registry and are not built here (agent/build-offline.sh builds the agent's offline).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "check-compose: $*" >&2; }
die() { echo "check-compose: FAIL: $*" >&2; exit 1; }

if ! command -v docker-compose >/dev/null; then
    say "installing docker-compose from Debian"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null 2>&1 \
        || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null; }
fi
say "$(docker-compose version --short 2>/dev/null || docker-compose version | head -n1)"

# docker-compose.yml reads .env (env_file); a throwaway copy of .env.example stands in for
# it, and only when there is none, so a developer's .env is neither needed nor touched.
THROWAWAY_ENV=
cleanup() { if [[ -n $THROWAWAY_ENV ]]; then rm -f .env; fi; rm -f "${SCRATCH_DOCKERFILE:-}" "${SCRATCH_DOCKERFILE:-}.err"; }
trap cleanup EXIT
if [[ ! -e .env ]]; then
    cp .env.example .env
    THROWAWAY_ENV=1
fi

for file in docker-compose.yml docker-compose.test.yml; do
    docker-compose -f "$file" config -q || die "$file does not validate"
    # Bind-mount sources (short syntax, absolute after `config`); the Docker socket is the
    # host's business, not the repository's. Debian's python3 has yaml: docker-compose needs it.
    missing=$(docker-compose -f "$file" --profile demo config | /usr/bin/python3 -c '
import os, sys, yaml
config = yaml.safe_load(sys.stdin)
for name, service in config.get("services", {}).items():
    for volume in service.get("volumes", []):
        source = volume.get("source") if isinstance(volume, dict) else volume.split(":")[0]
        if source and source.startswith("/") and not source.endswith("docker.sock") \
                and not os.path.exists(source):
            print(name + ": " + source)
')
    [[ -z $missing ]] || die "$file bind-mounts files that do not exist: $missing"
    say "ok $file"
done

SCRATCH_DOCKERFILE=$(mktemp /tmp/dea-scratch-dockerfile.XXXXXX)
{
    echo "FROM scratch"
    # Each into its own directory: agent/pom.xml and pom.xml must not land on one another.
    grep -E '^COPY ' agent/Dockerfile | grep -v -- '--from=' | awk '{ $NF = "/probe/" NR "/"; print }'
} >"$SCRATCH_DOCKERFILE"
# The classic builder: deterministic, and the client's BuildKit notice goes to stderr only.
image=$(DOCKER_BUILDKIT=0 docker build -q -f "$SCRATCH_DOCKERFILE" . 2>"$SCRATCH_DOCKERFILE.err") \
    || die "the build context lacks files agent/Dockerfile copies (see /.dockerignore): $(grep -v -i -e deprecated -e buildkit -e '^ *environment-variable' "$SCRATCH_DOCKERFILE.err")"
# A COPY of an excluded directory's name alone succeeds with nothing in it: count files.
read -r -a sources <<<"$(grep -E '^COPY ' agent/Dockerfile | grep -v -- '--from=' | sed -E 's/^COPY +//; s/ +[^ ]+$//' | tr '\n' ' ')"
expected=$(find "${sources[@]}" -type f | wc -l)
probe=$(docker create "$image" none)
copied=$(docker export "$probe" | tar -t | grep -c '^probe/.*[^/]$' || true)
docker rm "$probe" >/dev/null
docker rmi "$image" >/dev/null
[[ $copied -eq $expected ]] || die "agent/Dockerfile's COPY sources hold $expected files, the build context only $copied (see /.dockerignore)"
say "ok the build context has every file agent/Dockerfile copies (${sources[*]}: $copied files)"
# ... and not the secrets: .env exists at this point, and must not reach the daemon.
printf 'FROM scratch\nCOPY .env /probe/\n' >"$SCRATCH_DOCKERFILE"
if image=$(DOCKER_BUILDKIT=0 docker build -q -f "$SCRATCH_DOCKERFILE" . 2>/dev/null); then
    docker rmi "$image" >/dev/null
    die ".env is part of the agent image's build context; fix /.dockerignore"
fi
say "ok .env stays out of the build context"
