#!/usr/bin/env python3
"""Small OCI distribution client for bench/run.sh: the parts curl does not do well.

Subcommands (all print one number or a digest on stdout; errors go to stderr and exit 1):
  mono     monolithic blob upload (POST ?digest= with the body, or POST + one PUT with --split) -> seconds
  chunked  POST, PATCH chunks with Content-Range, final PUT ?digest= -> seconds
  small    push a small image (config + 1 layer + OCI manifest) under a tag; writes the manifest to --out
  tags     PUT one manifest under N tag names over K keep-alive connections -> seconds
  mkoci    write an OCI image layout with N random gzip(level 1) layers
Only loopback URLs are accepted.
"""
import argparse
import base64
import gzip
import hashlib
import http.client
import io
import json
import os
import sys
import tarfile
import threading
import time
import urllib.parse

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
OCTET = "application/octet-stream"
BLOCK = 1 << 20
TIMEOUT = 120


def die(msg):
    print(f"regclient: {msg}", file=sys.stderr)
    sys.exit(1)


class Client:
    def __init__(self, base, repo, auth):
        u = urllib.parse.urlsplit(base)
        if u.hostname not in ("127.0.0.1", "localhost"):
            die(f"refusing non-loopback base URL {base}")
        self.host, self.port = u.hostname, u.port
        self.base = base.rstrip("/")
        self.repo = repo
        self.headers = {}
        if auth:
            self.headers["Authorization"] = "Basic " + base64.b64encode(auth.encode()).decode()
        self.conn = self.connect()

    def connect(self):
        return http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT, blocksize=BLOCK)

    def request(self, method, url, body=None, headers=None, expect=(200, 201, 202, 204)):
        """url: absolute, or a path (starting with /). Returns (status, headers, body)."""
        u = urllib.parse.urlsplit(urllib.parse.urljoin(self.base + "/", url))
        path = u.path + ("?" + u.query if u.query else "")
        h = dict(self.headers)
        h.update(headers or {})
        if body is None:
            h.setdefault("Content-Length", "0")
        self.conn.request(method, path, body=body, headers=h)
        r = self.conn.getresponse()
        data = r.read()
        if r.status not in expect:
            die(f"{method} {path} -> {r.status} {data[:300]!r}")
        return r.status, r, data

    def v2(self, suffix):
        return f"/v2/{self.repo}/{suffix}"

    def start_upload(self):
        _, r, _ = self.request("POST", self.v2("blobs/uploads/"), expect=(202,))
        return r.getheader("Location")

    def put_blob(self, data, digest):
        """Small blob upload: POST + PUT with body (works everywhere)."""
        loc = self.start_upload()
        self.request("PUT", add_query(loc, digest=digest), body=data,
                     headers={"Content-Type": OCTET, "Content-Length": str(len(data))}, expect=(201,))


def add_query(url, **params):
    u = urllib.parse.urlsplit(url)
    q = urllib.parse.parse_qsl(u.query, keep_blank_values=True) + list(params.items())
    return urllib.parse.urlunsplit((u.scheme, u.netloc, u.path, urllib.parse.urlencode(q), u.fragment))


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(BLOCK):
            h.update(chunk)
    return "sha256:" + h.hexdigest()


def cmd_mono(a):
    c = Client(a.base, a.repo, a.auth)
    size = os.path.getsize(a.file)
    with open(a.file, "rb") as f:
        hdrs = {"Content-Type": OCTET, "Content-Length": str(size)}
        t0 = time.perf_counter()
        if a.split:
            loc = c.start_upload()
            c.request("PUT", add_query(loc, digest=a.digest), body=f, headers=hdrs, expect=(201,))
        else:
            c.request("POST", add_query(c.v2("blobs/uploads/"), digest=a.digest), body=f, headers=hdrs, expect=(201,))
        print(f"{time.perf_counter() - t0:.4f}")


def cmd_chunked(a):
    c = Client(a.base, a.repo, a.auth)
    size = os.path.getsize(a.file)
    chunk = a.chunk_mib << 20
    with open(a.file, "rb") as f:
        t0 = time.perf_counter()
        loc = c.start_upload()
        off = 0
        while off < size:  # bounded: size / chunk iterations
            data = f.read(chunk)
            end = off + len(data) - 1
            _, r, _ = c.request("PATCH", loc, body=data, expect=(202,), headers={
                "Content-Type": OCTET, "Content-Length": str(len(data)), "Content-Range": f"{off}-{end}"})
            loc = r.getheader("Location")
            off += len(data)
        c.request("PUT", add_query(loc, digest=a.digest), expect=(201,))
        print(f"{time.perf_counter() - t0:.4f}")


def cmd_small(a):
    c = Client(a.base, a.repo, a.auth)
    layer = os.urandom(4096)
    layer_d = "sha256:" + hashlib.sha256(layer).hexdigest()
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "rootfs": {"type": "layers", "diff_ids": [layer_d]}}).encode()
    config_d = "sha256:" + hashlib.sha256(config).hexdigest()
    c.put_blob(config, config_d)
    c.put_blob(layer, layer_d)
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": config_d, "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer_d, "size": len(layer)}],
    }).encode()
    c.request("PUT", c.v2(f"manifests/{a.tag}"), body=manifest,
              headers={"Content-Type": OCI_MANIFEST, "Content-Length": str(len(manifest))}, expect=(201,))
    with open(a.out, "wb") as f:
        f.write(manifest)
    print("sha256:" + hashlib.sha256(manifest).hexdigest())


def cmd_tags(a):
    with open(a.manifest, "rb") as f:
        manifest = f.read()
    names = [f"{a.prefix}{i:04d}" for i in range(a.count)]
    errors = []

    def worker(part):
        try:
            c = Client(a.base, a.repo, a.auth)
            for tag in part:
                c.request("PUT", c.v2(f"manifests/{tag}"), body=manifest, expect=(201,),
                          headers={"Content-Type": OCI_MANIFEST, "Content-Length": str(len(manifest))})
        except BaseException as e:  # SystemExit from die() included
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(names[i::a.conns],)) for i in range(a.conns)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    if errors:
        die(f"{len(errors)} worker(s) failed: {errors[0]!r}")
    print(f"{elapsed:.4f}")


def cmd_mkoci(a):
    d = a.dir
    os.makedirs(os.path.join(d, "blobs", "sha256"), exist_ok=True)

    def write_blob(data):
        hexd = hashlib.sha256(data).hexdigest()
        with open(os.path.join(d, "blobs", "sha256", hexd), "wb") as f:
            f.write(data)
        return "sha256:" + hexd

    layers, diff_ids = [], []
    for i in range(a.layers):
        payload = os.urandom(a.layer_mib << 20)
        tbuf = io.BytesIO()
        with tarfile.open(fileobj=tbuf, mode="w", format=tarfile.PAX_FORMAT) as tf:
            info = tarfile.TarInfo(f"data/layer{i}.bin")
            info.size = len(payload)
            info.mtime = 0
            tf.addfile(info, io.BytesIO(payload))
        tar = tbuf.getvalue()
        diff_ids.append("sha256:" + hashlib.sha256(tar).hexdigest())
        gz = gzip.compress(tar, compresslevel=1, mtime=0)
        layers.append({"mediaType": OCI_LAYER_GZIP, "digest": write_blob(gz), "size": len(gz)})
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": write_blob(config), "size": len(config)},
        "layers": layers}).encode()
    md = write_blob(manifest)
    with open(os.path.join(d, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    with open(os.path.join(d, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [{
            "mediaType": OCI_MANIFEST, "digest": md, "size": len(manifest),
            "annotations": {"org.opencontainers.image.ref.name": a.tag}}]}, f)
    print(sum(l["size"] for l in layers))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    def reg(name, fn):
        s = sub.add_parser(name)
        s.set_defaults(fn=fn)
        if name != "mkoci":
            s.add_argument("--base", required=True, help="http://127.0.0.1:PORT")
            s.add_argument("--repo", required=True, help="repository name as used in /v2/<name>/")
            s.add_argument("--auth", default="", help="user:password for HTTP Basic")
        return s

    s = reg("mono", cmd_mono)
    s.add_argument("--file", required=True)
    s.add_argument("--digest", required=True)
    s.add_argument("--split", action="store_true", help="POST without body, then one PUT with the whole body")
    s = reg("chunked", cmd_chunked)
    s.add_argument("--file", required=True)
    s.add_argument("--digest", required=True)
    s.add_argument("--chunk-mib", type=int, default=16)
    s = reg("small", cmd_small)
    s.add_argument("--tag", required=True)
    s.add_argument("--out", required=True)
    s = reg("tags", cmd_tags)
    s.add_argument("--manifest", required=True)
    s.add_argument("--count", type=int, default=1000)
    s.add_argument("--conns", type=int, default=8)
    s.add_argument("--prefix", default="t")
    s = reg("mkoci", cmd_mkoci)
    s.add_argument("--dir", required=True)
    s.add_argument("--tag", default="latest")
    s.add_argument("--layers", type=int, default=5)
    s.add_argument("--layer-mib", type=int, default=30)
    a = p.parse_args()
    if getattr(a, "count", 1) > 100000 or getattr(a, "conns", 1) > 64:
        die("count/conns out of bounds")
    a.fn(a)


if __name__ == "__main__":
    main()
