#!/usr/bin/env python3
"""Deletes a repository of N tags (default 200,000) through the management API of a running Berth (embedded:
SQLite) while another tenant pushes, pulls and creates projects; reports the delete's answer time, the background
purge time, the server's peak memory and the longest wait the other tenant saw. See bench/README.md, "Big delete".

Usage: bigdelete.py BASE_URL ADMIN_PASSWORD DATA_DIR SERVER_PID [TAGS [METRICS_TOKEN [CLIENTS]]]
"""
import base64, hashlib, json, os, sqlite3, sys, threading, time, urllib.request, urllib.error, uuid
from datetime import datetime, timezone

base, admin_pw, data_dir, pid = sys.argv[1].rstrip('/'), sys.argv[2], sys.argv[3], int(sys.argv[4])
tags = int(sys.argv[5]) if len(sys.argv) > 5 else 200_000
metrics_token = sys.argv[6] if len(sys.argv) > 6 else None
clients = int(sys.argv[7]) if len(sys.argv) > 7 else 4
if not (base.startswith('http://127.0.0.1:') or base.startswith('http://localhost:')):
    sys.exit('only a Berth on 127.0.0.1/localhost')
db_path = os.path.join(data_dir, 'berth.db')


def basic(user, pw):
    return 'Basic ' + base64.b64encode(f'{user}:{pw}'.encode()).decode()


ADMIN = basic('admin', admin_pw)


def call(method, path, body=None, auth=ADMIN, headers=None, expect=(200, 201, 202, 204)):
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header('Authorization', auth)
    if isinstance(body, (dict, list)):
        req.add_header('Content-Type', 'application/json')
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
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


def small_image(auth, repo, tag):
    layer = os.urandom(1024)
    ld = push_blob(auth, repo, layer)
    config = json.dumps({'architecture': 'amd64', 'os': 'linux', 'rootfs': {'type': 'layers', 'diff_ids': [ld]},
                         'config': {'Labels': {'n': uuid.uuid4().hex}}}).encode()
    cd = push_blob(auth, repo, config)
    manifest = {'schemaVersion': 2, 'mediaType': 'application/vnd.oci.image.manifest.v1+json',
                'config': {'mediaType': 'application/vnd.oci.image.config.v1+json', 'digest': cd, 'size': len(config)},
                'layers': [{'mediaType': 'application/vnd.oci.image.layer.v1.tar', 'digest': ld, 'size': len(layer)}]}
    body = json.dumps(manifest).encode()
    call('PUT', f'/v2/{repo}/manifests/{tag}', body, auth, {'Content-Type': 'application/vnd.oci.image.manifest.v1+json'})
    return manifest, ld, cd


def registry(prefix):
    suffix = uuid.uuid4().hex[:8]
    call('POST', '/api/v1/projects', {'name': f'{prefix}p-{suffix}'})
    _, body, _ = call('POST', f'/api/v1/projects/{prefix}p-{suffix}/registries', {'name': f'{prefix}r-{suffix}'})
    r = json.loads(body)
    return r['name'], basic(r['username'], r['password'])


def histogram(family, having=''):
    """Sums a Prometheus histogram family of the server's /metrics over its series (those whose labels contain
    `having`): {le: count}, counting +Inf."""
    if metrics_token is None:
        return {}
    _, body, _ = call('GET', '/metrics', auth=f'Bearer {metrics_token}')
    buckets = {}
    for line in body.decode().splitlines():
        if line.startswith(family + '_bucket{') and having in line:
            le = line[line.index('le="') + 4:].split('"', 1)[0]
            buckets[le] = buckets.get(le, 0) + float(line.rsplit(' ', 1)[1])
        elif line.startswith(family + '_sum') and having in line:
            buckets['sum'] = buckets.get('sum', 0) + float(line.rsplit(' ', 1)[1])
    return buckets


def counters(prefixes):
    """Sums the server's /metrics counters whose series start with one of `prefixes`: {series: value}."""
    if metrics_token is None:
        return {}
    _, body, _ = call('GET', '/metrics', auth=f'Bearer {metrics_token}')
    return {line.rsplit(' ', 1)[0]: float(line.rsplit(' ', 1)[1]) for line in body.decode().splitlines()
            if line.startswith(prefixes)}


RUNTIME = ('dotnet_gc_pause_time', 'dotnet_gc_collections')


def over(before, after, bound):
    """How many observations between two scrapes exceeded the bucket bound `bound` (a string as in le="...")."""
    if not after:
        return None
    return int((after['+Inf'] - before.get('+Inf', 0)) - (after[bound] - before.get(bound, 0)))


SERVER_SIDE = {'db_write_wait': ('berth_metadata_sqlite_write_wait_seconds', ''),
               'db_write_hold_purge': ('berth_metadata_sqlite_write_hold_seconds', 'purge="true"'),
               'db_write_hold_other': ('berth_metadata_sqlite_write_hold_seconds', 'purge="false"'),
               'v2_request': ('berth_v2_request_duration_seconds', ''),
               'http_request': ('http_server_request_duration_seconds', ''),
               'api_project_create': ('http_server_request_duration_seconds', 'http_route="/api/v1/projects"')}


def rss_kib(field):
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1])
    return -1


# The other tenant's automation calls the management API with a personal access token, as a CI job would: HTTP Basic
# with the administrator's password would time the slow password hash whenever its remembered check lapses (1 min).
_, token_body, _ = call('POST', '/api/v1/users/me/tokens', {'name': 'bigdelete-bench'})
API = 'Bearer ' + json.loads(token_body)['token']
a_name, a_auth = registry('big')
b_name, b_auth = registry('other')
manifest, ld, cd = small_image(a_auth, f'{a_name}/big', 'seed')

# Seed: distinct manifests over the same two blobs, one tag each, straight into the database (one transaction).
started = time.monotonic()
con = sqlite3.connect(db_path, timeout=60)
con.execute('BEGIN IMMEDIATE')
(repo_id,) = con.execute("SELECT r.id FROM repositories r JOIN registries g ON g.id = r.registry_id "
                         "WHERE g.name = ? AND r.name = 'big'", (a_name,)).fetchone()
now = datetime.now(timezone.utc).isoformat()
rows_m, rows_l, rows_t = [], [], []
for i in range(tags):
    manifest['annotations'] = {'seq': str(i)}
    content = json.dumps(manifest).encode()
    d = digest(content)
    rows_m.append((repo_id, d, 'application/vnd.oci.image.manifest.v1+json', content, len(content), now))
    rows_l.append((repo_id, d, cd, 0, 200))
    rows_l.append((repo_id, d, ld, 0, 1024))
    rows_t.append((repo_id, f't{i:06d}', d, now))
con.executemany('INSERT INTO manifests (repository_id, digest, media_type, content, size, created_at) VALUES (?,?,?,?,?,?)', rows_m)
con.executemany('INSERT INTO manifest_links (repository_id, manifest_digest, child_digest, is_manifest, size) VALUES (?,?,?,?,?)', rows_l)
con.executemany('INSERT INTO tags (repository_id, name, manifest_digest, updated_at) VALUES (?,?,?,?)', rows_t)
con.commit()
# Into the database file, as it would be long before anyone deletes a repository this size: the delete does not pay
# for copying a freshly written 300 MB log.
con.execute('PRAGMA wal_checkpoint(TRUNCATE)')
con.close()
del rows_m, rows_l, rows_t
print(f'seeded {tags} tags (+{tags} manifests, {2 * tags} links) in {time.monotonic() - started:.1f} s', flush=True)


def rows_left():
    c = sqlite3.connect(f'file:{db_path}?mode=ro', uri=True, timeout=60)
    try:
        return c.execute('SELECT (SELECT COUNT(*) FROM tags WHERE repository_id = ?) + (SELECT COUNT(*) FROM manifests WHERE repository_id = ?) '
                         '+ (SELECT COUNT(*) FROM repositories WHERE id = ?)', (repo_id, repo_id, repo_id)).fetchone()[0]
    finally:
        c.close()


# The other tenant: push (manifest PUT of a new tag), pull (manifest GET, blob HEAD), create a project, in a loop.
stop = threading.Event()
timings, failures = [], []
b_repo = f'{b_name}/app'
b_manifest, b_layer, _ = small_image(b_auth, b_repo, 'base')
b_body = json.dumps(b_manifest).encode()


def other_tenant(worker):
    i = 0
    while not stop.is_set():
        i += 1
        for what, fn in (
                ('manifest PUT', lambda: call('PUT', f'/v2/{b_repo}/manifests/w{worker}-{i}', b_body, b_auth,
                                              {'Content-Type': 'application/vnd.oci.image.manifest.v1+json'})),
                ('manifest GET', lambda: call('GET', f'/v2/{b_repo}/manifests/w{worker}-{i}', None, b_auth,
                                              {'Accept': 'application/vnd.oci.image.manifest.v1+json'})),
                ('blob HEAD', lambda: call('HEAD', f'/v2/{b_repo}/blobs/{b_layer}', None, b_auth)),
                ('project create', lambda: call('POST', '/api/v1/projects', {'name': f'op-{uuid.uuid4().hex[:12]}'}, API))):
            t0 = time.monotonic()
            try:
                fn()
                timings.append((time.monotonic() - t0, what, time.monotonic()))
            except Exception as e:  # noqa: BLE001 - every failure is counted and shown
                failures.append(f'{what}: {e}')


def sample_rss(peak):
    while not stop.is_set():
        peak[0] = max(peak[0], rss_kib('VmRSS'))
        time.sleep(0.05)


rss_before = rss_kib('VmRSS')
peak = [rss_before]
threads = [threading.Thread(target=other_tenant, args=(w,)) for w in range(clients)] + [threading.Thread(target=sample_rss, args=(peak,))]
for t in threads:
    t.start()
time.sleep(2)
baseline = [t for t, _, _ in timings]

scraped_before = {k: histogram(*v) for k, v in SERVER_SIDE.items()}
runtime_before = counters(RUNTIME)
t_delete = time.monotonic()
call('DELETE', f'/api/v1/registries/{a_name}/repositories/big', expect=(204,))
answered = time.monotonic() - t_delete
while rows_left() > 0:
    time.sleep(0.2)
purged = time.monotonic() - t_delete
scraped_after = {k: histogram(*v) for k, v in SERVER_SIDE.items()}
runtime_after = counters(RUNTIME)
time.sleep(1)
stop.set()
for t in threads:
    t.join()

during = sorted((t, w) for t, w, at in timings if t_delete <= at <= t_delete + purged)
lat = [t for t, _ in during]


def pct(values, p):
    return sorted(values)[min(len(values) - 1, int(p * len(values)))] if values else float('nan')


print(json.dumps({
    'tags': tags,
    'delete_answered_ms': round(answered * 1000, 1),
    'purge_finished_s': round(purged, 2),
    'server_rss_before_mib': round(rss_before / 1024),
    'server_rss_peak_during_mib': round(peak[0] / 1024),
    'other_tenant_requests_during_purge': len(lat),
    'other_tenant_failures': len(failures),
    'other_tenant_max_ms': round(max(lat) * 1000, 1) if lat else None,
    'other_tenant_max_what': during[-1][1] if during else None,
    'other_tenant_p99_ms': round(pct(lat, 0.99) * 1000, 1),
    'other_tenant_p50_ms': round(pct(lat, 0.50) * 1000, 1),
    'other_tenant_baseline_max_ms': round(max(baseline) * 1000, 1) if baseline else None,
    'other_tenant_baseline_p99_ms': round(pct(baseline, 0.99) * 1000, 1),
    'server_side_during_purge': {k: {'count': int(scraped_after[k]['+Inf'] - scraped_before[k].get('+Inf', 0)),
                                     'total_s': round(scraped_after[k].get('sum', 0) - scraped_before[k].get('sum', 0), 2),
                                     'over_100ms': over(scraped_before[k], scraped_after[k], '0.1'),
                                     'over_250ms': over(scraped_before[k], scraped_after[k], '0.25')}
                                 for k in SERVER_SIDE if scraped_after.get(k)},
    'server_runtime_during_purge': {k: round(v - runtime_before.get(k, 0), 3) for k, v in runtime_after.items()},
    'first_failures': failures[:5],
    'slowest': [(round(t*1000), w, round(at - t_delete, 2)) for t, w, at in sorted(timings, reverse=True)[:10]],
}, indent=2))
