#!/usr/bin/env python3
"""Synthetic data for bench/scan.sh (the scanner benchmark). Python 3.11 stdlib only.

Subcommands:
  image       write an OCI image layout (5 gzip layers, ~150 MB): a Debian 12 base with a dpkg status database of
              ~450 packages, an npm application (package-lock.json), Python dist-info METADATA, filler files of random
              bytes; writes the package inventory (what the scanner should find) to --inventory
  advisories  write an osv.dev-style zip (one .json per advisory) of N synthetic OSV advisories over Debian:12,
              Alpine:v3.19, npm, PyPI, Go, Maven and NuGet; a few hundred of them match packages of --inventory, the
              rest name other packages (or are already fixed in the image). Prints a JSON summary with the expected
              findings, computed here with a reference matcher (dpkg ordering, numeric semver/PEP 440); with
              --update-out, also the same set with 1 % of it revised (a database update)
  wait        poll a manifest's vulnerability report until a scan that started after --after is done; print a JSON
              summary (startedAt, finishedAt, seconds, packageCount, findings, summary)
Everything is generated from --seed, except the filler bytes (os.urandom). Only loopback URLs are accepted.
"""
import argparse
import base64
import gzip
import hashlib
import io
import json
import os
import random
import re
import sys
import tarfile
import textwrap
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from datetime import datetime, timedelta, timezone

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"


def die(msg):
    print(f"scangen: {msg}", file=sys.stderr)
    sys.exit(1)


# --- version orderings (reference for the expected findings) -----------------------------------------------------

def _dpkg_order(s, i):
    if i >= len(s) or s[i].isdigit():
        return 0
    c = s[i]
    if c.isascii() and c.isalpha():
        return ord(c)
    return -1 if c == "~" else ord(c) + 256


def _verrevcmp(a, b):
    i = j = 0
    while i < len(a) or j < len(b):
        while (i < len(a) and not a[i].isdigit()) or (j < len(b) and not b[j].isdigit()):
            ac, bc = _dpkg_order(a, i), _dpkg_order(b, j)
            if ac != bc:
                return ac - bc
            i += 1
            j += 1
        ai = i
        while ai < len(a) and a[ai].isdigit():
            ai += 1
        bj = j
        while bj < len(b) and b[bj].isdigit():
            bj += 1
        x, y = int(a[i:ai] or "0"), int(b[j:bj] or "0")
        if x != y:
            return -1 if x < y else 1
        i, j = ai, bj
    return 0


def _dpkg_split(v):
    epoch, _, rest = v.partition(":") if ":" in v else ("0", "", v)
    up, _, rev = rest.rpartition("-") if "-" in rest else (rest, "", "")
    return int(epoch), up, rev


def dpkg_cmp(a, b):
    ea, ua, ra = _dpkg_split(a)
    eb, ub, rb = _dpkg_split(b)
    if ea != eb:
        return -1 if ea < eb else 1
    return _verrevcmp(ua, ub) or _verrevcmp(ra, rb)


def num_cmp(a, b):
    """X.Y.Z versions (npm SemVer, PEP 440 release segments): numeric, missing parts are 0."""
    x = [int(p) for p in a.split(".")]
    y = [int(p) for p in b.split(".")]
    n = max(len(x), len(y))
    x += [0] * (n - len(x))
    y += [0] * (n - len(y))
    return (x > y) - (x < y)


def affected(entry, version, cmp):
    """OSV semantics for the shapes generated here: listed in versions, or in one introduced/fixed|last_affected range."""
    if version in entry.get("versions", []):
        return True
    for r in entry.get("ranges", []):
        vulnerable = False
        events = r["events"]
        intro = next((e["introduced"] for e in events if "introduced" in e), None)
        fixed = next((e["fixed"] for e in events if "fixed" in e), None)
        last = next((e["last_affected"] for e in events if "last_affected" in e), None)
        if intro is not None and (intro == "0" or cmp(version, intro) >= 0):
            vulnerable = True
            if fixed is not None and cmp(version, fixed) >= 0:
                vulnerable = False
            if last is not None and cmp(version, last) > 0:
                vulnerable = False
        if vulnerable:
            return True
    return False


# --- the image's packages ------------------------------------------------------------------------------------

# Real Debian 12 (bookworm) source packages, their binaries and versions, as a typical slim base image has them.
DEBIAN_REAL = """
base-files 12.4+deb12u5 base-files
bash 5.2.15-2 bash:+b2
coreutils 9.1-1 coreutils
glibc 2.36-9+deb12u4 libc6 libc-bin
openssl 3.0.11-1~deb12u2 libssl3 openssl
zlib 1:1.2.13.dfsg-1 zlib1g
systemd 252.22-1~deb12u1 libsystemd0 libudev1
util-linux 2.38.1-5 libblkid1:+b1 libmount1:+b1 libsmartcols1:+b1 libuuid1:+b1 util-linux:+b1 mount:+b1 bsdutils:+b1
ncurses 6.4-4 libncursesw6 libtinfo6 ncurses-base ncurses-bin
gnutls28 3.7.9-2+deb12u2 libgnutls30
curl 7.88.1-10+deb12u5 curl libcurl4
krb5 1.20.1-2+deb12u1 libgssapi-krb5-2 libk5crypto3 libkrb5-3 libkrb5support0
libxml2 2.9.14+dfsg-1.3~deb12u1 libxml2
sqlite3 3.40.1-2 libsqlite3-0
perl 5.36.0-7+deb12u1 perl-base libperl5.36 perl perl-modules-5.36
python3.11 3.11.2-6 python3.11 libpython3.11-minimal libpython3.11-stdlib python3.11-minimal
tar 1.34+dfsg-1.2+deb12u1 tar
gzip 1.12-1 gzip
xz-utils 5.4.1-0.2 liblzma5 xz-utils
bzip2 1.0.8-5 libbz2-1.0:+b1 bzip2:+b1
pcre2 10.42-1 libpcre2-8-0
libzstd 1.5.4+dfsg2-5 libzstd1
expat 2.5.0-1 libexpat1
openldap 2.5.13+dfsg-5 libldap-2.5-0
nghttp2 1.52.0-1+deb12u1 libnghttp2-14
libssh2 1.10.0-3 libssh2-1:+b1
e2fsprogs 1.47.0-2 e2fsprogs libcom-err2 libext2fs2 libss2 logsave
shadow 1:4.13+dfsg1-1 login passwd
pam 1.5.2-6+deb12u1 libpam0g libpam-modules libpam-modules-bin libpam-runtime
apt 2.6.1 apt libapt-pkg6.0
dpkg 1.21.22 dpkg
gnupg2 2.2.40-1.1 gpgv
libgcrypt20 1.10.1-3 libgcrypt20
libgpg-error 1.46-1 libgpg-error0
sed 4.9-1 sed
grep 3.8-5 grep
findutils 4.9.0-4 findutils
diffutils 1:3.8-4 diffutils
debianutils 5.7-0.5~deb12u1 debianutils
hostname 3.23+nmu1 hostname
gcc-12 12.2.0-14 libgcc-s1 libstdc++6 gcc-12-base
tzdata 2024a-0+deb12u1 tzdata
ca-certificates 20230311 ca-certificates
libcap2 1:2.66-4 libcap2
audit 1:3.0.9-1 libaudit1 libaudit-common
libselinux 3.4-1 libselinux1:+b6
libsemanage 3.4-1 libsemanage2:+b2 libsemanage-common
libsepol 3.4-2.1 libsepol2
attr 1:2.5.1-4 libattr1
acl 2.3.1-3 libacl1
libffi 3.4.4-1 libffi8
gmp 2:6.2.1+dfsg1-1.1 libgmp10
nettle 3.8.1-2 libnettle8 libhogweed6
p11-kit 0.24.1-2 libp11-kit0
libtasn1-6 4.19.0-2 libtasn1-6
libunistring 1.0-2 libunistring2
libidn2 2.3.3-1 libidn2-0:+b1
keyutils 1.6.3-2 libkeyutils1
cyrus-sasl2 2.1.28+dfsg-10 libsasl2-2 libsasl2-modules-db
db5.3 5.3.28+dfsg2-1 libdb5.3
readline 8.2-1.3 libreadline8 readline-common
lz4 1.9.4-1 liblz4-1
libxcrypt 1:4.4.33-2 libcrypt1
libseccomp 2.5.4-1 libseccomp2:+b3
mawk 1.3.4.20200120-3.1 mawk
libmd 1.0.4-2 libmd0
libbsd 0.11.7-2 libbsd0
libpsl 0.21.2-1 libpsl5
rtmpdump 2.4+20151223.gitfa8646d.1-2 librtmp1:+b2
brotli 1.0.9-2 libbrotli1:+b6
icu 72.1-3 libicu72
libyaml 0.2.5-1 libyaml-0-2
git 1:2.39.2-1.1 git git-man
openssh 1:9.2p1-2+deb12u2 openssh-client
wget 1.21.3-1 wget:+b2
procps 2:4.0.2-3 procps libproc2-0
libpng1.6 1.6.39-2 libpng16-16
freetype 2.12.1+dfsg-5 libfreetype6
fontconfig 2.14.1-4 libfontconfig1 fontconfig-config
libjpeg-turbo 1:2.1.5-2 libjpeg62-turbo
tiff 4.5.0-6+deb12u1 libtiff6
libwebp 1.2.4-0.2+deb12u1 libwebp7
"""

SYLLABLES = ("ab ac ad al am an ar as at ba be bi bo bu ca ce ci co cu da de di do du el em en er es fa fe fi fo "
             "ga ge gi go gu ha he hi ho hu ja jo ka ke ki ko la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi "
             "po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo xa xe xi yo za ze zi zo").split()

WORDS = ("the a an of in to and or with via when which allows attacker remote local user crafted malicious request "
         "response header buffer heap stack overflow underflow integer out-of-bounds read write use-after-free "
         "double free null pointer dereference denial service memory corruption information disclosure arbitrary "
         "code execution privilege escalation bypass authentication authorization validation input parsing function "
         "module component library handling certificate signature length size check missing improper incorrect "
         "race condition timing side-channel leak cause crash hang infinite loop recursion exhaustion resource file "
         "path traversal symlink injection command sql cross-site scripting prototype pollution regular expression "
         "redos deserialization untrusted data configuration default setting version versions before after fixed "
         "issue vulnerability discovered reported researcher upstream patch commit release series affected "
         "unaffected packages distribution systems network protocol server client connection session token cookie "
         "cache proxy redirect url encoding decoding compression archive extraction").split()

VULN_CLASSES = ["heap buffer overflow", "out-of-bounds read", "use-after-free", "integer overflow", "NULL pointer dereference",
                "denial of service", "improper certificate validation", "path traversal", "command injection",
                "prototype pollution", "regular expression denial of service", "information disclosure",
                "cross-site scripting", "request smuggling", "arbitrary file write", "authentication bypass"]


def synth_name(rng, taken, parts=(2, 3)):
    while True:
        n = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice(parts)))
        if n not in taken:
            taken.add(n)
            return n


def synth_dpkg_version(rng):
    epoch = f"{rng.randint(1, 3)}:" if rng.random() < 0.1 else ""
    parts = [str(rng.randint(0, 9)), str(rng.randint(0, 40))]
    if rng.random() < 0.6:
        parts.append(str(rng.randint(0, 30)))
    up = ".".join(parts)
    r = rng.random()
    if r < 0.1:
        up += "+dfsg"
    elif r < 0.15:
        up += f"~rc{rng.randint(1, 4)}"
    rev = str(rng.randint(1, 9))
    r = rng.random()
    if r < 0.15:
        rev += f"+deb12u{rng.randint(1, 6)}"
    elif r < 0.2:
        rev += f"~deb12u{rng.randint(1, 3)}"
    elif r < 0.25:
        rev += f".{rng.randint(1, 3)}"
    return f"{epoch}{up}-{rev}"


def debian_packages(rng, count, taken):
    """[(source, source_version, [(binary, binary_version)])], the real ones first, synthetic ones up to `count` binaries."""
    sources = []
    for line in DEBIAN_REAL.strip().splitlines():
        src, ver, *bins = line.split()
        binaries = []
        for b in bins:
            name, _, binnmu = b.partition(":")
            binaries.append((name, ver + binnmu))
        sources.append((src, ver, binaries))
        taken.add(src)
    n = sum(len(s[2]) for s in sources)
    while n < count:
        src = synth_name(rng, taken)
        ver = synth_dpkg_version(rng)
        k = min(count - n, rng.choice([1, 1, 1, 2, 2, 3]))
        names = [f"lib{src}{rng.randint(0, 9)}", f"{src}-bin", f"{src}-common"][:k] if k > 1 else [rng.choice([src, f"lib{src}{rng.randint(0, 9)}"])]
        binaries = [(b, ver + ("+b1" if rng.random() < 0.05 else "")) for b in names]
        sources.append((src, ver, binaries))
        n += k
    return sources


NPM_REAL = ("express body-parser cookie debug ms qs send serve-static lodash axios follow-redirects minimist semver uuid "
            "moment jsonwebtoken jws ws tough-cookie node-fetch word-wrap yargs-parser glob minimatch brace-expansion "
            "path-to-regexp cross-spawn json5 ansi-regex chalk commander dotenv mime async underscore handlebars marked "
            "ejs pug socket.io socket.io-parser engine.io tar got http-cache-semantics decode-uri-component xml2js "
            "jsonpath-plus nanoid postcss @babel/traverse ip").split()
PYPI_REAL = ("requests urllib3 certifi idna charset-normalizer Jinja2 MarkupSafe Werkzeug Flask PyYAML cryptography cffi "
             "pycparser setuptools pip wheel six").split()


def semver_history(rng):
    """A plausible release history, ascending: majors, minors, patches."""
    hist = []
    while len(hist) < 6:
        hist = []
        for major in range(rng.randint(0, 2), rng.randint(3, 6)):
            for minor in range(rng.randint(1, 8)):
                for patch in range(rng.randint(1, 6)):
                    hist.append(f"{major}.{minor}.{patch}")
    return hist


# --- image ---------------------------------------------------------------------------------------------------

class Filler:
    """Filler file contents. "random": os.urandom (incompressible: gzip stores it, layers stay at their content size).
    "text": mostly slices of a pool of pseudo-text (compresses like source code and binaries do, ~3:1 at gzip -1), a
    fifth random (images, fonts, archives); sizes are then counted at their estimated compressed size, so that the image
    still weighs --mb compressed and holds ~3x as much uncompressed."""

    def __init__(self, kind, rng):
        self.kind = kind
        self.rng = rng  # its own: the package data drawn from the main one stay the same whatever the filler
        self.ratio = 1.0
        if kind == "text":
            words = [rng.choice(WORDS + SYLLABLES) for _ in range(1_500_000)]
            lines, k = [], 0
            while k < len(words):
                n = rng.randint(3, 14)
                lines.append(" " * rng.choice((0, 4, 8)) + " ".join(words[k:k + n]) + rng.choice((";", "", " {", ")", ",")))
                k += n
            self.pool = "\n".join(lines).encode()
            sample = self.pool[:4_000_000]
            self.ratio = len(sample) / len(gzip.compress(sample, compresslevel=1))

    def content(self, n):
        """(bytes, compressed-size estimate)"""
        rng = self.rng
        if self.kind == "random" or rng.random() < 0.2:
            return os.urandom(n), n
        n = int(n * self.ratio)
        at = rng.randint(0, max(0, len(self.pool) - n))
        data = self.pool[at:at + n]
        while len(data) < n:
            data += self.pool[:n - len(data)]
        return data, len(data) / self.ratio


FILLER = None


class Layer:
    """An in-memory tar layer; `size` tracks the content bytes (for filler: their estimated compressed size)."""

    def __init__(self):
        self.buf = io.BytesIO()
        self.tar = tarfile.open(fileobj=self.buf, mode="w", format=tarfile.PAX_FORMAT)
        self.dirs = set()
        self.size = 0

    def _dir(self, path):
        parent = os.path.dirname(path)
        if not parent or parent in self.dirs:
            return
        self._dir(parent)
        info = tarfile.TarInfo(parent + "/")
        info.type = tarfile.DIRTYPE
        info.mode = 0o755
        info.mtime = 1700000000
        self.tar.addfile(info)
        self.dirs.add(parent)

    def file(self, path, data, mode=0o644, weight=None):
        if isinstance(data, str):
            data = data.encode()
        self._dir(path)
        info = tarfile.TarInfo(path)
        info.size = len(data)
        info.mode = mode
        info.mtime = 1700000000
        self.tar.addfile(info, io.BytesIO(data))
        self.size += len(data) if weight is None else weight

    def filler(self, _rng, prefix, names, target, exec_share=0.0, sizes=(4_000, 400_000), big=(1_000_000, 6_000_000)):
        """Filler files under prefix until the layer holds `target` bytes; executables start with an ELF magic."""
        rng = FILLER.rng
        i = 0
        target = int(target)
        while self.size < target:
            left = int(target - self.size) + 1
            n = rng.randint(*big) if rng.random() < 0.08 else rng.randint(*sizes)
            n = max(1, min(n, left))
            name = names[i % len(names)] + ("" if i < len(names) else f".{i // len(names)}")
            data, weight = FILLER.content(n)
            if rng.random() < exec_share:
                self.file(f"{prefix}/{name}", b"\x7fELF\x02\x01\x01\x00" + data[8:], mode=0o755, weight=weight)
            else:
                self.file(f"{prefix}/{name}", data, weight=weight)
            i += 1

    def gzip(self):
        self.tar.close()
        raw = self.buf.getvalue()
        return raw, gzip.compress(raw, compresslevel=1, mtime=0)


def dpkg_paragraph(rng, name, version, source, source_version, status="install ok installed"):
    lines = [f"Package: {name}", f"Status: {status}", f"Priority: {rng.choice(['required', 'important', 'optional'])}",
             f"Section: {rng.choice(['libs', 'utils', 'admin', 'net', 'shells', 'perl', 'python'])}",
             f"Installed-Size: {rng.randint(20, 20000)}",
             "Maintainer: Debian Maintainers <debian-devel@lists.debian.org>",
             f"Architecture: {rng.choice(['amd64', 'amd64', 'all'])}"]
    if name.startswith("lib"):
        lines.append("Multi-Arch: same")
    if source != name or source_version != version:
        lines.append(f"Source: {source}" + (f" ({source_version})" if source_version != version else ""))
    lines.append(f"Version: {version}")
    lines.append("Depends: libc6 (>= 2.34)" + (", zlib1g (>= 1:1.1.4)" if rng.random() < 0.3 else ""))
    desc = textwrap.wrap(" ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 60))), 72)
    lines.append(f"Description: {name} - {rng.choice(WORDS)} {rng.choice(WORDS)}")
    lines += [" " + d.strip() for d in desc]
    return "\n".join(lines) + "\n"


def cmd_image(a):
    global FILLER
    rng = random.Random(a.seed)
    FILLER = Filler(a.filler, random.Random(a.seed + 2))
    taken = set()
    d = a.dir
    os.makedirs(os.path.join(d, "blobs", "sha256"), exist_ok=True)
    target = a.mb * 1_000_000
    share = [0.27, 0.2, 0.2, 0.17, 0.16]  # of the image's bytes, per layer
    inventory = {"os": {"ecosystem": "Debian", "release": "12"}, "debian": [], "npm": [], "pypi": [], "removed": []}

    # Layer 1: Debian 12 base.
    base = Layer()
    base.file("etc/os-release", 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\n'
              'VERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\nHOME_URL="https://www.debian.org/"\n')
    base.file("etc/debian_version", "12.5\n")
    sources = debian_packages(rng, a.dpkg, taken)
    paragraphs, all_bins = [], []
    for src, sver, bins in sources:
        for b, bver in bins:
            paragraphs.append(dpkg_paragraph(rng, b, bver, src, sver))
            inventory["debian"].append({"name": b, "version": bver, "source": src})
            all_bins.append(b)
    # A few removed packages whose configuration is still on disk: listed in status, not installed.
    for _ in range(5):
        src = synth_name(rng, taken)
        ver = synth_dpkg_version(rng)
        paragraphs.append(dpkg_paragraph(rng, src, ver, src, ver, status="deinstall ok config-files"))
        inventory["removed"].append({"name": src, "version": ver, "source": src})
    rng.shuffle(paragraphs)
    base.file("var/lib/dpkg/status", "\n".join(paragraphs) + "\n")
    for b in all_bins:
        base.file(f"var/lib/dpkg/info/{b}.list", "".join(f"/usr/lib/x86_64-linux-gnu/{b}.so.{k}\n" for k in range(rng.randint(1, 30))))
        base.file(f"var/lib/dpkg/info/{b}.md5sums", os.urandom(16).hex() + f"  usr/share/doc/{b}/copyright\n")
        base.file(f"usr/share/doc/{b}/copyright", "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
                  + " ".join(rng.choice(WORDS) for _ in range(rng.randint(50, 400))) + "\n")
    third = (target * share[0] - base.size) / 3
    base.filler(rng, "usr/bin", [b for b in all_bins if not b.startswith("lib")], base.size + third, exec_share=1.0)
    base.filler(rng, "usr/lib/x86_64-linux-gnu", [f"{b}.so.{rng.randint(0, 9)}" for b in all_bins if b.startswith("lib")],
                base.size + third, exec_share=0.0)
    base.filler(rng, "usr/share", [f"{b}/data.bin" for b in all_bins], target * share[0])

    # Layer 2: a Node.js application with a lockfile (v3).
    app = Layer()
    npm_names = NPM_REAL[:a.npm]
    lock = {"name": "shop-api", "version": "1.4.2", "lockfileVersion": 3, "requires": True,
            "packages": {"": {"name": "shop-api", "version": "1.4.2", "dependencies": {n: "^1.0.0" for n in npm_names[:12]}}}}
    npm_hist = {}
    for n in npm_names:
        hist = semver_history(rng)
        v = rng.choice(hist[len(hist) // 3:])
        npm_hist[n] = hist
        lock["packages"][f"node_modules/{n}"] = {
            "version": v, "resolved": f"https://registry.npmjs.org/{n}/-/{n.split('/')[-1]}-{v}.tgz",
            "integrity": "sha512-" + base64.b64encode(hashlib.sha512(f"{n}{v}".encode()).digest()).decode(),
            "license": "MIT"}
        inventory["npm"].append({"name": n, "version": v, "history": hist})
    app.file("srv/app/package.json", json.dumps({"name": "shop-api", "version": "1.4.2", "main": "server.js"}, indent=2))
    app.file("srv/app/package-lock.json", json.dumps(lock, indent=2))
    app.filler(rng, "srv/app/node_modules", [f"{n}/lib/index.js" for n in npm_names] + [f"{n}/dist/bundle.min.js" for n in npm_names],
               target * share[1], sizes=(2_000, 200_000), big=(500_000, 3_000_000))

    # Layer 3: Python packages (wheels' dist-info).
    py = Layer()
    site = "usr/local/lib/python3.11/site-packages"
    for n in PYPI_REAL[:a.pypi]:
        hist = semver_history(rng)
        v = rng.choice(hist[len(hist) // 3:])
        info = f"{site}/{n.replace('-', '_')}-{v}.dist-info"
        py.file(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {n}\nVersion: {v}\nSummary: {n} for Python\n"
                f"Home-page: https://pypi.org/project/{n}/\nLicense: MIT\nRequires-Python: >=3.7\n\n"
                + " ".join(rng.choice(WORDS) for _ in range(200)) + "\n")
        py.file(f"{info}/RECORD", f"{n}/__init__.py,sha256=,1234\n")
        py.file(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: bdist_wheel (0.38.4)\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        inventory["pypi"].append({"name": n, "version": v, "history": hist})
    py.filler(rng, site, [f"{n.lower()}/_native.cpython-311-x86_64-linux-gnu.so" for n in PYPI_REAL[:a.pypi]]
              + [f"{n.lower()}/core.py" for n in PYPI_REAL[:a.pypi]], target * share[2])

    # Layers 4-5: static assets, then data files; the last one whites out a cache directory and an asset.
    assets = Layer()
    assets.filler(rng, "srv/app/public", [f"assets/{synth_name(rng, set())}.{ext}" for ext in ("js", "css", "png", "woff2") for _ in range(50)],
                  target * share[3], sizes=(1_000, 300_000))
    assets.file("var/cache/app/.keep", b"")
    assets.file("var/cache/app/index.bin", os.urandom(1000))
    data = Layer()
    data.file("var/cache/app/.wh..wh..opq", b"")
    data.file("srv/app/public/assets/.wh.unused.js", b"")
    data.filler(rng, "srv/app/data", [f"model-{k:03d}.bin" for k in range(40)], target * share[4], sizes=(200_000, 2_000_000))

    def write_blob(blob):
        hexd = hashlib.sha256(blob).hexdigest()
        with open(os.path.join(d, "blobs", "sha256", hexd), "wb") as f:
            f.write(blob)
        return "sha256:" + hexd

    layers, diff_ids, raw_bytes = [], [], 0
    for layer in (base, app, py, assets, data):
        raw, gz = layer.gzip()
        raw_bytes += len(raw)
        diff_ids.append("sha256:" + hashlib.sha256(raw).hexdigest())
        layers.append({"mediaType": OCI_LAYER_GZIP, "digest": write_blob(gz), "size": len(gz)})
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["node", "server.js"], "WorkingDir": "/srv/app"},
                         "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
    manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                           "config": {"mediaType": OCI_CONFIG, "digest": write_blob(config), "size": len(config)},
                           "layers": layers}).encode()
    md = write_blob(manifest)
    with open(os.path.join(d, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    with open(os.path.join(d, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [{
            "mediaType": OCI_MANIFEST, "digest": md, "size": len(manifest),
            "annotations": {"org.opencontainers.image.ref.name": a.tag}}]}, f)
    with open(a.inventory, "w") as f:
        json.dump(inventory, f)
    print(json.dumps({"digest": md, "bytes": sum(l["size"] for l in layers), "layers": [l["size"] for l in layers],
                      "uncompressed_bytes": raw_bytes, "filler": a.filler,
                      "packages": len(inventory["debian"]) + len(inventory["npm"]) + len(inventory["pypi"]),
                      "dpkg": len(inventory["debian"]), "npm": len(inventory["npm"]), "pypi": len(inventory["pypi"])}))


# --- advisories ----------------------------------------------------------------------------------------------

def cvss_vector(rng):
    m = [("AV", "NNNNALP"), ("AC", "LLLH"), ("PR", "NNLH"), ("UI", "NNR"), ("S", "UUUC"), ("C", "HHLN"), ("I", "HLLN"), ("A", "HHLN")]
    return "CVSS:3.1/" + "/".join(f"{k}:{rng.choice(v)}" for k, v in m)


def details(rng):
    n = rng.randint(200, 600)
    out = []
    while sum(len(w) + 1 for w in out) < n:
        out.append(rng.choice(WORDS))
    s = " ".join(out)
    return s[0].upper() + s[1:] + "."


def stamp(rng, year):
    t = datetime(year, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=rng.randint(0, 364 * 86400))
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def mutate_dpkg(rng, v, higher):
    """A version near v, above or below it in dpkg order (checked); None when none was found."""
    epoch, up, rev = _dpkg_split(v)
    prefix = f"{epoch}:" if ":" in v else ""
    for _ in range(30):
        if higher and rng.random() < 0.4:
            cand = v + f"+deb12u{rng.randint(1, 9)}"
        else:
            runs = [m for m in re.finditer(r"\d+", up)]
            m = rng.choice(runs)
            x = int(m.group())
            if higher:
                x += rng.randint(1, 3)
            else:
                if x == 0:
                    continue
                x -= rng.randint(1, min(x, 3))
            nup = up[:m.start()] + str(x) + up[m.end():]
            if not nup[0].isdigit():
                continue
            cand = f"{prefix}{nup}" + (f"-{rev}" if rev or "-" in v else "")
        c = dpkg_cmp(cand, v)
        if (c > 0) == higher and c != 0:
            return cand
    return None


def cmd_advisories(a):
    rng = random.Random(a.seed + 1)
    with open(a.inventory) as f:
        inv = json.load(f)
    image_names = {p["source"] for p in inv["debian"]} | {p["name"] for p in inv["debian"]} | \
        {p["name"] for p in inv["npm"]} | {p["name"] for p in inv["pypi"]} | {p["name"] for p in inv.get("removed", [])}
    taken = set(image_names)
    docs = []
    counters = {}

    def next_id(kind, year):
        counters[(kind, year)] = counters.get((kind, year), 10000) + rng.randint(1, 7)
        return counters[(kind, year)]

    def advisory(ecosystem, name, affected_entries, aid=None, cve=None, year=None, ghsa_style=False):
        year = year or rng.randint(2015, 2024)
        cve = cve or f"CVE-{year}-{next_id('CVE', year)}"
        doc = {"schema_version": "1.6.0", "id": aid, "modified": stamp(rng, 2024), "published": stamp(rng, year),
               "aliases": [cve],
               "summary": f"{name}: {rng.choice(VULN_CLASSES)} in {rng.choice(WORDS)} {rng.choice(WORDS)}",
               "details": details(rng)}
        if rng.random() < 0.85:
            doc["severity"] = [{"type": "CVSS_V3", "score": cvss_vector(rng)}]
        doc["affected"] = affected_entries
        doc["references"] = [{"type": "ADVISORY", "url": f"https://nvd.nist.gov/vuln/detail/{cve}"},
                             {"type": "WEB", "url": f"https://example.org/{name}/issues/{rng.randint(1, 99999)}"}]
        if ghsa_style:
            doc["database_specific"] = {"severity": rng.choice(["LOW", "MODERATE", "HIGH", "CRITICAL"]),
                                        "cwe_ids": [f"CWE-{rng.randint(20, 1000)}"], "github_reviewed": True,
                                        "github_reviewed_at": stamp(rng, 2024), "nvd_published_at": stamp(rng, year)}
        if rng.random() < 0.002:
            doc["withdrawn"] = stamp(rng, 2024)
        return doc

    def ghsa():
        alphabet = "23456789cfghjmpqrvwx"
        return "GHSA-" + "-".join("".join(rng.choice(alphabet) for _ in range(4)) for _ in range(3))

    def debian_entry(ecosystem, name, events, eco_specific=True):
        e = {"package": {"ecosystem": ecosystem, "name": name, "purl": f"pkg:deb/debian/{name}?arch=source"},
             "ranges": [{"type": "ECOSYSTEM", "events": events}]}
        if eco_specific:
            e["ecosystem_specific"] = {"urgency": rng.choice(["not yet assigned", "low", "medium", "high", "unimportant"])}
        return e

    def debian_doc(name, events, year=None):
        year = year or rng.randint(2015, 2024)
        n = next_id("CVE", year)
        cve = f"CVE-{year}-{n}"
        if rng.random() < 0.8:
            aid = f"DEBIAN-{cve}"
        else:
            aid = f"DSA-{next_id('DSA', 0)}-1"
        entries = [debian_entry("Debian:12", name, events)]
        if rng.random() < 0.3:
            entries.append(debian_entry("Debian:11", name, [{"introduced": "0"}] + ([{"fixed": events[-1]["fixed"]}] if "fixed" in events[-1] else [])))
        doc = advisory("Debian:12", name, entries, aid=aid, cve=cve, year=year)
        if aid.startswith("DSA"):
            doc["upstream"] = doc.pop("aliases")
        return doc

    # Advisories for the image's packages: mostly already fixed in the image, a few still affecting it.
    deb_sources = {}
    for p in inv["debian"]:
        deb_sources.setdefault(p["source"], []).append(p)
    n_src = len(deb_sources)
    match_sources = set(rng.sample(sorted(deb_sources), min(n_src, max(1, a.match_debian * 2 // 3))))
    remaining = a.match_debian
    for src in sorted(deb_sources):
        pkgs = deb_sources[src]
        v = pkgs[0]["version"]  # binNMU'd binaries ("+b1") are a little above it; the expected findings use each one's own
        heavy = rng.random() < 0.08  # glibc, openssl, linux-like: many advisories
        n_old = rng.randint(30, 120) if heavy else rng.randint(2, 25)
        for _ in range(n_old):
            kind = rng.random()
            if kind < 0.75:
                low = mutate_dpkg(rng, v, higher=False)
                if low is None:
                    continue
                docs.append(debian_doc(src, [{"introduced": "0"}, {"fixed": low}]))
            elif kind < 0.9:
                hi = mutate_dpkg(rng, v, higher=True)
                hi2 = hi and mutate_dpkg(rng, hi, higher=True)
                if not hi2:
                    continue
                docs.append(debian_doc(src, [{"introduced": hi}, {"fixed": hi2}]))  # a regression in a later version
            else:
                low = mutate_dpkg(rng, v, higher=False)
                if low is None:
                    continue
                docs.append(debian_doc(src, [{"introduced": "0"}, {"last_affected": low}]))
        if src in match_sources and remaining > 0:
            k = min(remaining, rng.choice([1, 1, 1, 2, 2, 3, 4]))
            for _ in range(k):
                kind = rng.random()
                hi = mutate_dpkg(rng, v, higher=True)
                if kind < 0.7 and hi:
                    events = [{"introduced": "0"}, {"fixed": hi}]
                elif kind < 0.85:
                    events = [{"introduced": "0"}]  # not fixed yet
                else:
                    events = [{"introduced": "0"}, {"last_affected": v}]  # the installed version is the last affected
                docs.append(debian_doc(src, events))
                remaining -= 1

    def lang_docs(packages, ecosystem, n_match, id_fn, range_type):
        pick = set(rng.sample(range(len(packages)), min(len(packages), max(1, n_match // 2))))
        left = n_match
        for i, p in enumerate(packages):
            hist, v = p["history"], p["version"]
            at = hist.index(v)
            n_old = rng.randint(3, 25)
            for _ in range(n_old):
                if at < 2:
                    break
                fixed_at = rng.randint(1, at)  # fixed at or before the installed version
                intro_at = rng.randint(0, fixed_at - 1)
                entry = {"package": {"ecosystem": ecosystem, "name": p["name"]},
                         "ranges": [{"type": range_type, "events": [{"introduced": "0" if intro_at == 0 else hist[intro_at]},
                                                                    {"fixed": hist[fixed_at]}]}]}
                if ecosystem == "PyPI":
                    entry["versions"] = hist[intro_at:fixed_at]
                docs.append(advisory(ecosystem, p["name"], [entry], aid=id_fn(), ghsa_style=ecosystem == "npm"))
            if i in pick and left > 0:
                for _ in range(min(left, rng.choice([1, 1, 2, 2, 3]))):
                    intro_at = rng.randint(0, at)
                    events = [{"introduced": "0" if intro_at == 0 else hist[intro_at]}]
                    if at + 1 < len(hist):
                        events.append({"fixed": hist[rng.randint(at + 1, len(hist) - 1)]})
                    entry = {"package": {"ecosystem": ecosystem, "name": p["name"]}, "ranges": [{"type": range_type, "events": events}]}
                    if ecosystem == "PyPI":
                        end = hist.index(events[1]["fixed"]) if len(events) > 1 else len(hist)
                        entry["versions"] = hist[intro_at:end]
                    docs.append(advisory(ecosystem, p["name"], [entry], aid=id_fn(), ghsa_style=ecosystem == "npm"))
                    left -= 1

    lang_docs(inv["npm"], "npm", a.match_npm, ghsa, "SEMVER")
    lang_docs(inv["pypi"], "PyPI", a.match_pypi, lambda: f"PYSEC-{rng.randint(2017, 2024)}-{next_id('PYSEC', 0)}", "ECOSYSTEM")
    for_image = len(docs)

    # The rest: other packages, spread over the ecosystems roughly as osv.dev's are.
    weights = [("Debian:12", 0.38), ("Alpine:v3.19", 0.12), ("npm", 0.18), ("PyPI", 0.11), ("Go", 0.07), ("Maven", 0.1), ("NuGet", 0.04)]
    rest = max(0, a.count - len(docs))
    for eco, w in weights:
        n = int(round(rest * w)) if eco != "NuGet" else a.count - len(docs)
        names = []
        made = 0
        while made < n:
            # Package names with a Zipf-like number of advisories each (a few popular ones have dozens).
            if not names or rng.random() < 0.3:
                base_name = synth_name(rng, taken)
                names.append({"Debian:12": base_name, "Alpine:v3.19": base_name, "npm": base_name,
                              "PyPI": base_name.capitalize() if rng.random() < 0.2 else base_name,
                              "Go": f"github.com/{synth_name(rng, set())}/{base_name}",
                              "Maven": f"org.{synth_name(rng, set())}:{base_name}-core", "NuGet": base_name.capitalize() + ".Core"}[eco])
            name = names[min(len(names) - 1, int(rng.paretovariate(1.2)) - 1)] if rng.random() < 0.5 else names[-1]
            if eco == "Debian:12":
                v = synth_dpkg_version(rng)
                docs.append(debian_doc(name, [{"introduced": "0"}, {"fixed": v}] if rng.random() < 0.9 else [{"introduced": "0"}]))
            else:
                hist = semver_history(rng)
                fixed_at = rng.randint(1, len(hist) - 1)
                intro_at = rng.randint(0, fixed_at - 1)
                fmt = (lambda s: s + f"-r{rng.randint(0, 5)}") if eco == "Alpine:v3.19" else (lambda s: s)
                events = [{"introduced": "0" if intro_at == 0 else fmt(hist[intro_at])}, {"fixed": fmt(hist[fixed_at])}]
                rtype = "SEMVER" if eco in ("npm", "Go") else "ECOSYSTEM"
                entry = {"package": {"ecosystem": eco, "name": name}, "ranges": [{"type": rtype, "events": events}]}
                if eco == "PyPI" or (eco == "Maven" and rng.random() < 0.3):
                    entry["versions"] = [fmt(x) for x in hist[intro_at:fixed_at]][:40]
                if eco == "Alpine:v3.19":
                    aid = None
                elif eco == "Go":
                    aid = f"GO-{rng.randint(2020, 2024)}-{next_id('GO', 0)}"
                elif eco == "PyPI" and rng.random() < 0.5:
                    aid = f"PYSEC-{rng.randint(2017, 2024)}-{next_id('PYSEC', 0)}"
                else:
                    aid = ghsa()
                doc = advisory(eco, name, [entry], aid=aid, ghsa_style=aid is not None and aid.startswith("GHSA"))
                if aid is None:
                    doc["id"] = "ALPINE-" + doc["aliases"][0]
                docs.append(doc)
            made += 1

    # Unique ids (GHSA ids are random; a clash is renamed).
    seen = set()
    for doc in docs:
        while doc["id"] in seen:
            doc["id"] += "x"
        seen.add(doc["id"])

    # Expected findings: per installed package, each advisory affecting it once.
    by_key = {}
    for doc in docs:
        if "withdrawn" in doc:
            continue
        for e in doc["affected"]:
            by_key.setdefault((e["package"]["ecosystem"], e["package"]["name"]), []).append((doc["id"], e))
    expected = []
    for kind, eco, cmp, key in (("debian", "Debian:12", dpkg_cmp, "source"), ("npm", "npm", num_cmp, "name"), ("pypi", "PyPI", num_cmp, "name")):
        for p in inv[kind]:
            ids = set()
            for aid, e in by_key.get((eco, p[key]), []):
                if aid not in ids and affected(e, p["version"], cmp):
                    ids.add(aid)
            expected += [(aid, p["name"], p["version"]) for aid in sorted(ids)]

    def write_zip(path, documents):
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as z:
            for doc in documents:
                eco = doc["affected"][0]["package"]["ecosystem"].split(":")[0]
                z.writestr(f"{eco}/{doc['id']}.json", json.dumps(doc, indent=2))
    write_zip(a.out, docs)
    updated = 0
    if a.update_out:
        # The next day's download: the same archive with a fraction of the advisories revised (modified time, summary,
        # references; not the ranges, so the expected findings stay the same).
        for doc in rng.sample(docs, int(len(docs) * a.update_fraction)):
            doc["modified"] = "2025-01-15T08:00:00Z"
            doc["summary"] += " (revised)"
            doc["references"].append({"type": "FIX", "url": f"https://example.org/fix/{doc['id']}"})
            updated += 1
        write_zip(a.update_out, docs)
    per_eco = {}
    for doc in docs:
        e = doc["affected"][0]["package"]["ecosystem"]
        per_eco[e] = per_eco.get(e, 0) + 1
    matching_advisories = len({x[0] for x in expected})
    print(json.dumps({"advisories": len(docs), "for_image_packages": for_image, "matching_advisories": matching_advisories,
                      "expected_findings": len(expected), "withdrawn": sum(1 for d in docs if "withdrawn" in d),
                      "with_cvss": sum(1 for d in docs if "severity" in d), "per_ecosystem": per_eco,
                      "zip_bytes": os.path.getsize(a.out), "updated_in_update_zip": updated}))
    if a.expected_out:
        with open(a.expected_out, "w") as f:
            json.dump(expected, f)


# --- wait ----------------------------------------------------------------------------------------------------

def parse_time(s):
    # .NET writes 7 fractional digits ("O" format); datetime takes at most 6.
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)?$", s)
    if not m:
        die(f"unparsable time {s!r}")
    frac = (m.group(2) or ".0")[1:7].ljust(6, "0")
    tz = m.group(3) or "Z"
    tz = "+00:00" if tz == "Z" else tz
    return datetime.fromisoformat(f"{m.group(1)}.{frac}{tz}")


def cmd_wait(a):
    u = urllib.parse.urlsplit(a.url)
    if u.hostname not in ("127.0.0.1", "localhost", "::1"):
        die("refusing a non-loopback URL")
    req = urllib.request.Request(a.url, headers={"Authorization": "Basic " + base64.b64encode(a.auth.encode()).decode()})
    deadline = time.monotonic() + a.timeout
    last = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                report = json.load(r)
        except urllib.error.HTTPError as e:
            die(f"GET {a.url} -> {e.code} {e.read()[:300]!r}")
        last = report.get("status")
        if last == "failed" and report.get("startedAt") != a.after:
            die(f"scan failed: {report.get('reason')}")
        if last == "done" and report.get("startedAt") and report.get("startedAt") != a.after:
            started, finished = parse_time(report["startedAt"]), parse_time(report["finishedAt"])
            findings = report.get("findings", [])
            print(json.dumps({"startedAt": report["startedAt"], "finishedAt": report["finishedAt"],
                              "seconds": round((finished - started).total_seconds(), 3),
                              "packageCount": report.get("packageCount"), "findings": len(findings),
                              "distinctAdvisories": len({f["advisoryId"] for f in findings}),
                              "withFix": sum(1 for f in findings if f.get("fixedVersion")),
                              "summary": report.get("summary"), "os": report.get("os")}))
            if a.findings_out:
                with open(a.findings_out, "w") as f:
                    json.dump([[x["advisoryId"], x["package"], x["installedVersion"]] for x in findings], f)
            return
        time.sleep(0.1)
    die(f"timed out after {a.timeout} s waiting for the scan (last status {last})")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("image")
    s.set_defaults(fn=cmd_image)
    s.add_argument("--dir", required=True)
    s.add_argument("--tag", default="latest")
    s.add_argument("--inventory", required=True, help="where to write the package inventory (JSON)")
    s.add_argument("--mb", type=int, default=150, help="image size in 10^6 bytes (sum of the layers)")
    s.add_argument("--dpkg", type=int, default=450, help="installed dpkg packages")
    s.add_argument("--npm", type=int, default=50)
    s.add_argument("--pypi", type=int, default=15)
    s.add_argument("--filler", choices=("random", "text"), default="random",
                   help="filler contents: random bytes (incompressible) or mostly compressible pseudo-text")
    s.add_argument("--seed", type=int, default=6)
    s = sub.add_parser("advisories")
    s.set_defaults(fn=cmd_advisories)
    s.add_argument("--inventory", required=True)
    s.add_argument("--out", required=True, help="zip to write")
    s.add_argument("--count", type=int, default=50000)
    s.add_argument("--match-debian", type=int, default=220, help="advisories affecting the image's dpkg packages")
    s.add_argument("--match-npm", type=int, default=50)
    s.add_argument("--match-pypi", type=int, default=25)
    s.add_argument("--expected-out", help="write the expected findings [[id, package, version]] here")
    s.add_argument("--update-out", help="also write the whole set again with --update-fraction of it revised, as a zip")
    s.add_argument("--update-fraction", type=float, default=0.01)
    s.add_argument("--seed", type=int, default=6)
    s = sub.add_parser("wait")
    s.set_defaults(fn=cmd_wait)
    s.add_argument("--url", required=True, help="…/manifests/<ref>/vulnerabilities")
    s.add_argument("--auth", required=True, help="user:password")
    s.add_argument("--after", default="", help="startedAt of the previous scan: wait for a newer one")
    s.add_argument("--timeout", type=float, default=300)
    s.add_argument("--findings-out", help="write the findings [[id, package, version]] here")
    a = p.parse_args()
    if getattr(a, "count", 0) > 1_000_000 or getattr(a, "mb", 0) > 4000:
        die("count/mb out of bounds")
    a.fn(a)


if __name__ == "__main__":
    main()
