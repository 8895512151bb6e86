#!/usr/bin/env python3
"""Management-side scale: builds 200 registries in one project, 20,000 repositories in one registry and 200,000 tags in
one repository on a running Berth (embedded: SQLite + filesystem), then times the first page and the detail pages of
the management API and the dashboard (median of 3 after a warm-up; bytes of the body), samples the server's memory
throughout, and finally deletes the 200,000-tag repository through the API. See bench/README.md, "Management at scale".

Usage: scale.py BASE_URL ADMIN_PASSWORD DATA_DIR SERVER_PID [--tags N] [--repos N] [--registries N] [--audit N]
"""
import argparse, base64, hashlib, http.cookiejar, json, os, re, sqlite3, statistics, sys, threading, time
import urllib.error, urllib.parse, urllib.request, uuid
from datetime import datetime, timedelta, timezone

p = argparse.ArgumentParser()
p.add_argument('base')
p.add_argument('admin_password')
p.add_argument('data_dir')
p.add_argument('pid', type=int)
p.add_argument('--tags', type=int, default=200_000)
p.add_argument('--repos', type=int, default=20_000)
p.add_argument('--registries', type=int, default=200)
p.add_argument('--audit', type=int, default=100_000)
a = p.parse_args()
base = a.base.rstrip('/')
if not (base.startswith('http://127.0.0.1:') or base.startswith('http://localhost:')):
    sys.exit('only a Berth on 127.0.0.1/localhost')

OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
TARGET_MS, TARGET_KB, TARGET_RSS_MIB = 300, 150, 500


def basic(user, pw):
    return 'Basic ' + base64.b64encode(f'{user}:{pw}'.encode()).decode()


def call(method, path, body=None, auth=None, headers=None, expect=(200, 201, 202, 204), opener=None, timeout=300):
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    req = urllib.request.Request(path if path.startswith('http') else base + path, data=data, method=method)
    if auth:
        req.add_header('Authorization', auth)
    if isinstance(body, (dict, list)):
        req.add_header('Content-Type', 'application/json')
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with (opener.open(req, timeout=timeout) if opener else urllib.request.urlopen(req, timeout=timeout)) as r:
            status, payload, hdrs = r.status, r.read(), r.headers
    except urllib.error.HTTPError as e:
        status, payload, hdrs = e.code, e.read(), e.headers
    if status not in expect:
        raise RuntimeError(f'{method} {path}: {status} {payload[:300]!r}')
    return status, payload, hdrs


def digest(b):
    return 'sha256:' + hashlib.sha256(b).hexdigest()


def push_blob(auth, repo, content):
    d = digest(content)
    call('POST', f'/v2/{repo}/blobs/uploads/?digest={d}', content, auth, {'Content-Type': 'application/octet-stream'})
    return d


def push_image(auth, repo, tag, arch='amd64'):
    """Config + one layer + OCI manifest under `tag`: (manifest JSON bytes, digest, layer digest, config digest)."""
    layer = os.urandom(1024)
    ld = push_blob(auth, repo, layer)
    config = json.dumps({'architecture': arch, 'os': 'linux', 'rootfs': {'type': 'layers', 'diff_ids': [ld]}}).encode()
    cd = push_blob(auth, repo, config)
    body = json.dumps({'schemaVersion': 2, 'mediaType': OCI_MANIFEST,
                       'config': {'mediaType': 'application/vnd.oci.image.config.v1+json', 'digest': cd, 'size': len(config)},
                       'layers': [{'mediaType': 'application/vnd.oci.image.layer.v1.tar', 'digest': ld, 'size': len(layer)}]}).encode()
    call('PUT', f'/v2/{repo}/manifests/{tag}', body, auth, {'Content-Type': OCI_MANIFEST})
    return body, digest(body), ld, cd


def iso(at):
    """.NET's round-trip ("O") format, as Berth stores times in SQLite: seven fractional digits."""
    return at.strftime('%Y-%m-%dT%H:%M:%S.') + f'{at.microsecond:06d}0+00:00'


def rss_kib():
    with open(f'/proc/{a.pid}/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    return -1


def cpu_seconds():
    with open(f'/proc/{a.pid}/stat') as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


peak = [rss_kib()]
stop = threading.Event()


def sample_rss():
    while not stop.is_set():
        peak[0] = max(peak[0], rss_kib())
        time.sleep(0.05)


threading.Thread(target=sample_rss, daemon=True).start()
ADMIN = basic('admin', a.admin_password)
_, token_body, _ = call('POST', '/api/v1/users/me/tokens', {'name': 'scale-bench'}, ADMIN)
API = 'Bearer ' + json.loads(token_body)['token']

# --- The data set ---------------------------------------------------------------------------------------------------
started = time.monotonic()
project = 'scale-' + uuid.uuid4().hex[:6]
call('POST', '/api/v1/projects', {'name': project}, API)
registries = []
for i in range(a.registries):
    _, body, _ = call('POST', f'/api/v1/projects/{project}/registries', {'name': f'{project}-r{i:03d}'}, API)
    r = json.loads(body)
    registries.append((r['name'], basic(r['username'], r['password'])))
reg, reg_auth = registries[0]
print(f'{a.registries} registries created through the API in {time.monotonic() - started:.1f} s', flush=True)

# Through /v2: the seed image of the big repository, a 3-platform index over three images with a signature-like
# referrer on it, and one image in the first of the many repositories (the others are copies of it, in SQL).
seed, seed_digest, ld, cd = push_image(reg_auth, f'{reg}/big', 'seed')
children = [push_image(reg_auth, f'{reg}/big', f'plat-{arch}', arch) for arch in ('amd64', 'arm64', 's390x')]
index = json.dumps({'schemaVersion': 2, 'mediaType': OCI_INDEX, 'manifests': [
    {'mediaType': OCI_MANIFEST, 'digest': d, 'size': len(b), 'platform': {'os': 'linux', 'architecture': arch}}
    for (b, d, _, _), arch in zip(children, ('amd64', 'arm64', 's390x'))]}).encode()
call('PUT', f'/v2/{reg}/big/manifests/latest', index, reg_auth, {'Content-Type': OCI_INDEX})
index_digest = digest(index)
empty = push_blob(reg_auth, f'{reg}/big', b'{}')
signature = json.dumps({'schemaVersion': 2, 'mediaType': OCI_MANIFEST, 'artifactType': 'application/vnd.dev.cosign.artifact.sig.v1+json',
                        'config': {'mediaType': 'application/vnd.oci.empty.v1+json', 'digest': empty, 'size': 2},
                        'layers': [{'mediaType': 'application/vnd.oci.empty.v1+json', 'digest': empty, 'size': 2}],
                        'subject': {'mediaType': OCI_INDEX, 'digest': index_digest, 'size': len(index)}}).encode()
call('PUT', f'/v2/{reg}/big/manifests/{digest(signature)}', signature, reg_auth, {'Content-Type': OCI_MANIFEST})
one, _, one_ld, one_cd = push_image(reg_auth, f'{reg}/repo-00000', 'v1')

db_path = os.path.join(a.data_dir, 'berth.db')
con = sqlite3.connect(db_path, timeout=120)
con.execute('BEGIN IMMEDIATE')
(registry_id, project_id) = con.execute('SELECT id, project_id FROM registries WHERE name = ?', (reg,)).fetchone()
(big_id,) = con.execute('SELECT id FROM repositories WHERE registry_id = ? AND name = ?', (registry_id, 'big')).fetchone()
t0 = datetime.now(timezone.utc) - timedelta(days=30)
manifest = json.loads(seed)
m_rows, l_rows, t_rows, pull_rows = [], [], [], []
for i in range(a.tags):
    manifest['annotations'] = {'seq': str(i)}
    content = json.dumps(manifest).encode()
    d = digest(content)
    at = iso(t0 + timedelta(seconds=i * 10))
    m_rows.append((big_id, d, OCI_MANIFEST, content, len(content), at))
    l_rows += [(big_id, d, cd, 0, 200), (big_id, d, ld, 0, 1024)]
    t_rows.append((big_id, f't{i:06d}', d, at))
    if i % 20 == 0:
        pull_rows.append((big_id, d, iso(t0.replace(minute=0, second=0, microsecond=0)), 3, at))
con.executemany('INSERT INTO manifests (repository_id, digest, media_type, content, size, created_at) VALUES (?,?,?,?,?,?)', m_rows)
con.executemany('INSERT INTO manifest_links (repository_id, manifest_digest, child_digest, is_manifest, size) VALUES (?,?,?,?,?)', l_rows)
con.executemany('INSERT INTO tags (repository_id, name, manifest_digest, updated_at) VALUES (?,?,?,?)', t_rows)
con.executemany('INSERT INTO pull_counts (repository_id, manifest_digest, hour_start, count, last_pulled_at) VALUES (?,?,?,?,?)', pull_rows)
del m_rows, l_rows, t_rows, pull_rows

# The many repositories: each holds the one image pushed above under tag v1 and links its two blobs.
one_digest = digest(one)
now_at = datetime.now(timezone.utc)
now, hour = iso(now_at), iso(now_at.replace(minute=0, second=0, microsecond=0))
for i in range(1, a.repos):
    cur = con.execute('INSERT INTO repositories (registry_id, name, created_at, updated_at) VALUES (?,?,?,?)',
                      (registry_id, f'repo-{i:05d}', now, now))
    rid = cur.lastrowid
    con.execute('INSERT INTO manifests (repository_id, digest, media_type, content, size, created_at) VALUES (?,?,?,?,?,?)',
                (rid, one_digest, OCI_MANIFEST, one, len(one), now))
    con.executemany('INSERT INTO manifest_links (repository_id, manifest_digest, child_digest, is_manifest, size) VALUES (?,?,?,?,?)',
                    [(rid, one_digest, one_cd, 0, 200), (rid, one_digest, one_ld, 0, 1024)])
    con.execute('INSERT INTO tags (repository_id, name, manifest_digest, updated_at) VALUES (?,?,?,?)', (rid, 'v1', one_digest, now))
    con.executemany('INSERT INTO repository_blobs (repository_id, registry_id, digest, created_at) VALUES (?,?,?,?)',
                    [(rid, registry_id, one_cd, now), (rid, registry_id, one_ld, now)])
    if i % 10 == 0:
        con.execute('INSERT INTO pull_counts (repository_id, manifest_digest, hour_start, count, last_pulled_at) VALUES (?,?,?,?,?)',
                    (rid, one_digest, hour, 1, now))

con.executemany('INSERT INTO audit_events (at, actor, action, project_id, project_name, registry_id, registry_name, remote_addr, detail) '
                'VALUES (?,?,?,?,?,?,?,?,?)',
                ((now, 'admin', 'manifest.deleted', project_id, project, registry_id, reg, '127.0.0.1', f'big@sha256:{i:064x}')
                 for i in range(a.audit)))
con.commit()
con.execute('PRAGMA wal_checkpoint(TRUNCATE)')
con.close()
print(f'data set ready in {time.monotonic() - started:.1f} s: {a.registries} registries, {a.repos} repositories in {reg}, '
      f'{a.tags} tags (+{a.tags} manifests) in {reg}/big, {a.audit} audit events', flush=True)

# --- Measurements ---------------------------------------------------------------------------------------------------
jar = http.cookiejar.CookieJar()
browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
_, login, _ = call('GET', '/login', opener=browser)
token = re.search(rb'name="__RequestVerificationToken" type="hidden" value="([^"]+)"', login)
if token is None:
    token = re.search(rb'name="__RequestVerificationToken"[^>]*value="([^"]+)"', login)
form = urllib.parse.urlencode({'Username': 'admin', 'Password': a.admin_password, '__RequestVerificationToken': token.group(1).decode()}).encode()
call('POST', '/login', form, headers={'Content-Type': 'application/x-www-form-urlencoded'}, expect=(200, 302, 303), opener=browser)

big_path = f'/api/v1/registries/{reg}/repositories/big'
quoted = urllib.parse.quote(index_digest)
targets = [
    ('API', 'projects', '', '/api/v1/projects'),
    ('API', 'registries of a project', f'{a.registries}', f'/api/v1/projects/{project}/registries'),
    ('API', 'registry detail', '', f'/api/v1/registries/{reg}'),
    ('API', 'repositories of a registry', f'{a.repos}', f'/api/v1/registries/{reg}/repositories'),
    ('API', 'tags of a repository', f'{a.tags}', f'{big_path}/tags'),
    ('API', 'tag search', f'q=t{a.tags - 1:06d}', f'{big_path}/tags?q=t{a.tags - 1:06d}'),
    ('API', 'artifacts of a repository', f'{a.tags}', f'{big_path}/artifacts'),
    ('API', 'manifest detail', 'index', f'{big_path}/manifests/{index_digest}'),
    ('API', 'manifest detail', 'image', f'{big_path}/manifests/{digest(children[0][0])}'),
    ('API', 'safety report', '', f'/api/v1/registries/{reg}/safety-report'),
    ('API', 'project audit', f'{a.audit}', f'/api/v1/projects/{project}/audit'),
    ('API', 'registry audit', '', f'/api/v1/registries/{reg}/audit'),
    ('dashboard', 'projects', '', '/projects'),
    ('dashboard', 'registries of a project', f'{a.registries}', f'/projects/{project}/registries'),
    ('dashboard', 'registry page', f'{a.repos} repositories', f'/registries/{reg}'),
    ('dashboard', 'repository page', f'{a.tags} tags', f'/registries/{reg}/repositories/big'),
    ('dashboard', 'manifest page', 'index', f'/registries/{reg}/manifests/{quoted}?repository=big'),
    ('dashboard', 'delete page', '', f'/registries/{reg}/delete'),
    ('dashboard', 'password page', '', f'/registries/{reg}/password'),
    ('dashboard', 'project audit', f'{a.audit}', f'/projects/{project}/audit'),
]
rows = []
for kind, what, at, path in targets:
    times, size, cpu = [], 0, 0.0
    for run in range(4):
        c0, t = cpu_seconds(), time.monotonic()
        try:
            _, body, _ = call('GET', path, auth=API if kind == 'API' else None, opener=None if kind == 'API' else browser)
        except Exception as e:  # noqa: BLE001 - shown in the table
            times, size = [float('nan')], -1
            print(f'{kind} {what} {at}: {e}', file=sys.stderr)
            break
        if run > 0:
            times.append(time.monotonic() - t)
            cpu += cpu_seconds() - c0
        size = len(body)
    ms = statistics.median(times) * 1000
    rows.append((kind, what, at, ms, size / 1024, cpu / max(1, len(times)), ms < TARGET_MS and 0 <= size / 1024 < TARGET_KB))
    print(f'  {kind:9} {what:28} {at:24} {ms:9.1f} ms {size / 1024:10.1f} KB', flush=True)

rss_before_delete = rss_kib()
t = time.monotonic()
call('DELETE', big_path, auth=API, expect=(204,))
answered = time.monotonic() - t
check = sqlite3.connect(f'file:{db_path}?mode=ro', uri=True, timeout=60)
while check.execute('SELECT COUNT(*) FROM repositories WHERE id = ?', (big_id,)).fetchone()[0]:
    time.sleep(0.2)
purged = time.monotonic() - t
check.close()
stop.set()

print()
print('| surface | at | first page / detail | ms (median of 3) | KB | server CPU-s | under 300 ms and 150 KB |')
print('|---|---|---|---:|---:|---:|---|')
for kind, what, at, ms, kb, cpu, ok in rows:
    print(f'| {kind} | {at or "-"} | {what} | {ms:.1f} | {kb:.1f} | {cpu:.2f} | {"yes" if ok else "**no**"} |')
print()
print(f'Deleting the {a.tags}-tag repository: answered in {answered * 1000:.0f} ms, purged in {purged:.1f} s.')
print(f'Server RSS: peak {peak[0] / 1024:.0f} MiB over the whole run (target < {TARGET_RSS_MIB}), '
      f'{rss_before_delete / 1024:.0f} MiB before the delete.')
