#!/usr/bin/env bash
# Builds the Phoenix container images as tarballs with `dotnet publish -t:PublishContainer`, without a container
# engine and without any registry outside this machine.
#
#   deploy/containers/build-images.sh [--out DIR] [--configuration C] [--artifacts DIR] [--no-build] [gateway] [executor]
#
# Writes DIR/phoenix-gateway.tar and/or DIR/phoenix-executor.tar (default DIR: artifacts/containers): OCI image
# layouts in a tar, as `docker load` (Docker 25+), `podman load` and `skopeo copy oci-archive:…` read them. With no
# service named, builds both. --configuration (default Release), --artifacts (dotnet --artifacts-path) and --no-build
# (publish what is already built) are passed to dotnet publish.
#
# How: the SDK pulls its base image from a registry. The production bases (mcr.microsoft.com/dotnet/aspnet:10.0 for
# the gateway, our executor base for the executor: see the csproj files) are not reachable here, so
#   1. build-base-image.sh builds equivalent bases from Debian packages and the local .NET runtime (cached);
#   2. a private registry (Debian's docker-registry) is started on a free loopback port, for this script only;
#   3. skopeo pushes the base's OCI layout into it;
#   4. dotnet publish builds the image on top of localhost:PORT/phoenix/…-base (the SDK talks plain HTTP to a
#      localhost registry, and DOTNET_CONTAINER_INSECURE_REGISTRIES says so explicitly) into a tarball;
#   5. the registry is stopped and its storage removed.
# With a reachable registry, skip all this: `dotnet publish src/Phoenix.Gateway -c Release -t:PublishContainer`.
#
# Needs: dotnet, docker-registry, skopeo, curl, and what build-base-image.sh needs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

out="$repo/artifacts/containers"
artifacts=""
configuration=Release
no_build=false
services=()
while (($#)); do
  case $1 in
    --out) out=$2; shift 2 ;;
    --artifacts) artifacts=$2; shift 2 ;;
    --configuration|-c) configuration=$2; shift 2 ;;
    --no-build) no_build=true; shift ;;
    gateway|executor) services+=("$1"); shift ;;
    *) echo "build-images.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
((${#services[@]})) || services=(gateway executor)

die() { echo "build-images.sh: $*" >&2; exit 1; }
for tool in dotnet docker-registry skopeo curl; do
  command -v "$tool" >/dev/null || die "$tool is required (./test.sh installs what the tests need)"
done
mkdir -p "$out"

work=$(mktemp -d "${TMPDIR:-/tmp}/phoenix-images.XXXXXX")
registry_pid=""
cleanup() {
  if [[ -n $registry_pid ]]; then kill "$registry_pid" 2>/dev/null || true; wait "$registry_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# --- a private registry on loopback ------------------------------------------------------------------------
port=""
for _ in 1 2 3 4 5; do
  candidate=$((20000 + RANDOM % 40000))
  cat > "$work/registry.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/registry
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$candidate
EOF
  docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
  registry_pid=$!
  for _ in $(seq 1 50); do
    if curl -fsS "http://127.0.0.1:$candidate/v2/" >/dev/null 2>&1; then port=$candidate; break; fi
    kill -0 "$registry_pid" 2>/dev/null || break
    sleep 0.1
  done
  [[ -n $port ]] && break
  kill "$registry_pid" 2>/dev/null || true; wait "$registry_pid" 2>/dev/null || true; registry_pid=""
done
[[ -n $port ]] || die "the local registry did not start: $(cat "$work/registry.log")"
registry="localhost:$port"
export DOTNET_CONTAINER_INSECURE_REGISTRIES=$registry

# --- each image --------------------------------------------------------------------------------------------
for service in "${services[@]}"; do
  layout=$("$here/build-base-image.sh" "$service")
  base="$registry/phoenix/$service-base:local"
  skopeo copy --quiet --insecure-policy --dest-tls-verify=false "oci:$layout:base" "docker://$base" >&2 \
    || die "skopeo could not push the $service base into the local registry"

  project="$repo/src/Phoenix.${service^}/Phoenix.${service^}.csproj"
  tarball="$out/phoenix-$service.tar"
  rm -f "$tarball"
  args=(publish "$project" -c "$configuration" -t:PublishContainer -nologo -v:q -clp:ErrorsOnly
        "-p:ContainerBaseImage=$base" "-p:ContainerArchiveOutputPath=$tarball")
  if [[ -n $artifacts ]]; then args+=(--artifacts-path "$artifacts"); fi
  if $no_build; then args+=(--no-build); fi
  echo "build-images.sh: dotnet publish $service on $base" >&2
  dotnet "${args[@]}" >&2 || die "dotnet publish -t:PublishContainer failed for $service"
  [[ -s $tarball ]] || die "dotnet publish wrote no $tarball"
  echo "$tarball"
done
