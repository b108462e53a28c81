#!/usr/bin/env bash
# Builds a Phoenix base image (gateway or executor) as an OCI image layout, from Debian packages and the .NET runtime
# of the installed SDK, without a container engine and without pulling anything from a container registry.
#
#   deploy/containers/build-base-image.sh gateway|executor [OUT_DIR]
#
# Prints the path of the OCI layout (tag "base") on stdout. The layout is cached: a second call with the same
# script, package versions and .NET runtime returns the cached one at once. Cache: $PHOENIX_CONTAINER_CACHE, else
# ${XDG_CACHE_HOME:-~/.cache}/phoenix/containers.
#
# Why: the production bases are mcr.microsoft.com/dotnet/aspnet:10.0 (gateway) and our executor base (the same
# Debian + .NET runtime + bubblewrap + util-linux). Where no container registry outside is reachable (only Debian,
# NuGet and npm are), this builds equivalents: Debian bookworm packages (apt-get download, unpacked without
# maintainer scripts, like the "runtime-deps" image: libc, libstdc++, OpenSSL, ICU, zlib, tzdata, CA certificates)
# plus the ASP.NET Core shared runtime copied from the local .NET SDK installation, laid out as the aspnet image
# does (/usr/share/dotnet, /usr/bin/dotnet, user app = 1654, APP_UID, DOTNET_VERSION, ASPNET_VERSION).
# The executor base adds what the sandbox needs: bubblewrap, util-linux (setpriv, prlimit), a shell and the
# default allowlist's tools (coreutils, grep, sed, awk, find, diff, tar, gzip, python3).
#
# Needs: apt-get, dpkg-deb, tar, gzip, sha256sum, dotnet. Run as root (apt-get download into the cache).
set -euo pipefail

kind=${1:?usage: build-base-image.sh gateway|executor [OUT_DIR]}
case $kind in gateway|executor) ;; *) echo "build-base-image.sh: unknown kind '$kind' (gateway or executor)" >&2; exit 2 ;; esac
cache=${PHOENIX_CONTAINER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/phoenix/containers}
out_root=${2:-$cache}

die() { echo "build-base-image.sh: $*" >&2; exit 1; }
for tool in apt-get apt-cache dpkg-deb tar gzip sha256sum dotnet; do
  command -v "$tool" >/dev/null || die "$tool is required (./test.sh installs what the tests need)"
done

# --- what goes in ------------------------------------------------------------------------------------------
# The runtime-deps set of the official .NET images on Debian 12.
packages=(libc6 libgcc-s1 gcc-12-base libstdc++6 libssl3 zlib1g libicu72 tzdata ca-certificates)
if [[ $kind == executor ]]; then
  # bubblewrap and util-linux for the sandbox, dash for the launch chain, the default allowlist's tools, and
  # every library they need (Depends and Pre-Depends, recursively).
  tools=(bubblewrap util-linux dash bash coreutils grep sed mawk findutils diffutils tar gzip python3-minimal)
  mapfile -t closure < <(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
    --no-replaces --no-enhances "${tools[@]}" 2>/dev/null | grep -E '^[a-z0-9]' | sort -u)
  ((${#closure[@]})) || die "apt-cache knows none of ${tools[*]}: run apt-get update"
  # Package-manager and installer machinery pulled in through alternatives: never used at run time.
  skip='^(debconf|cdebconf|libdebian-installer4|libnewt0.52|libslang2|libtextwrap1|install-info|dpkg|original-awk|gawk|libmpfr6|libgmp10|libsigsegv2|readline-common|libreadline8)$'
  for p in "${closure[@]}"; do [[ $p =~ $skip ]] || packages+=("$p"); done
fi
mapfile -t packages < <(printf '%s\n' "${packages[@]}" | sort -u)

dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
aspnet_dir=$(ls -d "$dotnet_root"/shared/Microsoft.AspNetCore.App/10.* 2>/dev/null | sort -V | tail -n 1)
[[ -n $aspnet_dir ]] || die "no ASP.NET Core 10 runtime under $dotnet_root/shared"
runtime_version=$(basename "$aspnet_dir")
[[ -d $dotnet_root/shared/Microsoft.NETCore.App/$runtime_version ]] || die "no .NET runtime $runtime_version under $dotnet_root/shared"

# Candidate versions decide the cache key (with this script and the runtime version).
versions=$(apt-cache policy "${packages[@]}" | awk '/^[^ ]/{p=$1} /Candidate:/{print p $2}')
grep -q '(none)' <<<"$versions" && die "some packages have no candidate: run apt-get update ($(grep '(none)' <<<"$versions" | tr '\n' ' '))"
key=$( { cat "$0"; echo "$kind $runtime_version"; echo "$versions"; } | sha256sum | cut -c1-16)
layout="$out_root/$kind-base-$key"
if [[ -f $layout/index.json ]]; then
  echo "$layout"
  exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/phoenix-base.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$cache/debs" "$out_root"

# --- packages ----------------------------------------------------------------------------------------------
echo "build-base-image.sh: downloading ${#packages[@]} Debian packages for the $kind base" >&2
(cd "$cache/debs" && apt-get download -qq -o APT::Sandbox::User=root "${packages[@]}" >&2) \
  || die "apt-get download failed (run apt-get update; only the Debian archive is needed)"

root="$work/rootfs"
mkdir -p "$root"/{usr/bin,usr/sbin,usr/lib,usr/lib64,etc,tmp,var/tmp,root,app,home/app,proc,sys,dev,run}
# Debian 12 is merged-/usr: /bin, /sbin, /lib and /lib64 are links into /usr.
for d in bin sbin lib lib64; do ln -s "usr/$d" "$root/$d"; done
for p in "${packages[@]}"; do
  deb=$(ls "$cache/debs/${p}_"*.deb 2>/dev/null | sort -V | tail -n 1)
  [[ -n $deb ]] || die "no downloaded package for $p"
  dpkg-deb --fsys-tarfile "$deb" | tar -x --keep-directory-symlink -C "$root"
done
chmod 1777 "$root/tmp" "$root/var/tmp"
chmod 0700 "$root/root"

# What the maintainer scripts would have done, as far as a container needs it.
cat > "$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/usr/sbin/nologin
app:x:1654:1654:app:/home/app:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
cat > "$root/etc/group" <<'EOF'
root:x:0:
app:x:1654:
nogroup:x:65534:
EOF
chown 1654:1654 "$root/home/app"
ln -sf /usr/share/zoneinfo/Etc/UTC "$root/etc/localtime"
echo "Etc/UTC" > "$root/etc/timezone"
# update-ca-certificates' result: the Mozilla bundle in one file.
mkdir -p "$root/etc/ssl/certs"
cat "$root"/usr/share/ca-certificates/mozilla/*.crt > "$root/etc/ssl/certs/ca-certificates.crt"
if [[ $kind == executor ]]; then
  [[ -e $root/usr/bin/sh ]] || ln -s dash "$root/usr/bin/sh"
  [[ -e $root/usr/bin/awk ]] || ln -s mawk "$root/usr/bin/awk"
  [[ -e $root/usr/bin/python3 ]] || ln -s python3.11 "$root/usr/bin/python3"
  # The sandbox root (0711: traversable by the sandbox uid, not listable); an emptyDir is mounted here in Kubernetes.
  mkdir -p "$root/var/lib/phoenix/sandbox"
  chmod 0711 "$root/var/lib/phoenix" "$root/var/lib/phoenix/sandbox"
fi
# libc-bin's trigger: the loader cache (the executor binds it into every sandbox).
ldconfig -r "$root" 2>/dev/null || true
# Nothing a container reads: documentation, manuals, translations.
rm -rf "$root"/usr/share/{doc,man,info,lintian,locale}

# The .NET runtime, where the aspnet image has it.
mkdir -p "$root/usr/share/dotnet/shared/Microsoft.NETCore.App" "$root/usr/share/dotnet/shared/Microsoft.AspNetCore.App"
cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$root/usr/share/dotnet/"
cp -a "$dotnet_root"/LICENSE.txt "$dotnet_root"/ThirdPartyNotices.txt "$root/usr/share/dotnet/" 2>/dev/null || true
cp -a "$dotnet_root/shared/Microsoft.NETCore.App/$runtime_version" "$root/usr/share/dotnet/shared/Microsoft.NETCore.App/"
cp -a "$aspnet_dir" "$root/usr/share/dotnet/shared/Microsoft.AspNetCore.App/"
ln -sf /usr/share/dotnet/dotnet "$root/usr/bin/dotnet"

# --- OCI image layout --------------------------------------------------------------------------------------
oci="$work/oci"
mkdir -p "$oci/blobs/sha256"
tar --sort=name --numeric-owner --mtime=@0 --xattrs -C "$root" -cf "$work/layer.tar" .
diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
gzip -n -1 -c "$work/layer.tar" > "$work/layer.tar.gz"
layer_digest=$(sha256sum "$work/layer.tar.gz" | cut -d' ' -f1)
layer_size=$(stat -c %s "$work/layer.tar.gz")
mv "$work/layer.tar.gz" "$oci/blobs/sha256/$layer_digest"

env_json='"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","APP_UID=1654","DOTNET_RUNNING_IN_CONTAINER=true"'
env_json+=",\"DOTNET_VERSION=$runtime_version\",\"ASPNET_VERSION=$runtime_version\""
printf '{"architecture":"amd64","os":"linux","config":{"Env":[%s],"WorkingDir":"/","Labels":{"org.opencontainers.image.title":"phoenix-%s-base","org.opencontainers.image.description":"Debian 12 packages and the .NET %s runtime (local build)"}},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created_by":"deploy/containers/build-base-image.sh %s"}]}' \
  "$env_json" "$kind" "$runtime_version" "$diff_id" "$kind" > "$work/config.json"
config_digest=$(sha256sum "$work/config.json" | cut -d' ' -f1)
config_size=$(stat -c %s "$work/config.json")
mv "$work/config.json" "$oci/blobs/sha256/$config_digest"

printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
  "$config_digest" "$config_size" "$layer_digest" "$layer_size" > "$work/manifest.json"
manifest_digest=$(sha256sum "$work/manifest.json" | cut -d' ' -f1)
manifest_size=$(stat -c %s "$work/manifest.json")
mv "$work/manifest.json" "$oci/blobs/sha256/$manifest_digest"
printf '{"imageLayoutVersion":"1.0.0"}' > "$oci/oci-layout"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"org.opencontainers.image.ref.name":"base"}}]}' \
  "$manifest_digest" "$manifest_size" > "$oci/index.json"

rm -rf "$layout"
mv "$oci" "$layout"
echo "build-base-image.sh: $kind base ($(du -sh "$layout" | cut -f1)) in $layout" >&2
echo "$layout"
