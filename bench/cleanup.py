#!/usr/bin/env python3
"""Cleanup at scale: a dry run and a run of a cleanup policy over N tags (default 200,000) of a running Berth
(embedded: SQLite). Two steps, as bench/cleanup.sh calls them around a restart of the server:

  cleanup.py prepare BASE_URL ADMIN_PASSWORD   creates the registry and pushes one real image into each repository
                                               (prints the registry's name)
  cleanup.py seed DATA_DIR REGISTRY [TAGS]     with the server stopped: writes the tags, manifests and links straight
                                               into berth.db
  cleanup.py measure BASE_URL ADMIN_PASSWORD SERVER_PID REGISTRY [TAGS]
                                               times POST …/dry-run and POST …/run (polled until finished), samples the
                                               server's VmRSS and VmHWM, prints the figures as JSON

See bench/README.md, "Cleanup at scale".
"""
import base64, hashlib, json, os, sqlite3, sys, threading, time, urllib.error, urllib.request, uuid
from datetime import datetime, timedelta, timezone

REPOSITORIES = 20
TAGS_PER_MANIFEST = 2
UNTAGGED_PER_REPOSITORY = 500
UNIQUE_BLOB_SIZE = 8192
MANIFEST_TYPE = 'application/vnd.oci.image.manifest.v1+json'


def basic(user, pw):
    return 'Basic ' + base64.b64encode(f'{user}:{pw}'.encode()).decode()


def call(base, method, path, auth, body=None, headers=None, expect=(200, 201, 202, 204), timeout=1800):
    if not (base.startswith('http://127.0.0.1:') or base.startswith('http://localhost:')):
        sys.exit('only a Berth on 127.0.0.1/localhost')
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header('Authorization', auth)
    if isinstance(body, (dict, list)):
        req.add_header('Content-Type', 'application/json')
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, payload, hdrs = r.status, r.read(), r.headers
    except urllib.error.HTTPError as e:
        status, payload, hdrs = e.code, e.read(), e.headers
    if status not in expect:
        raise RuntimeError(f'{method} {path}: {status} {payload[:300]!r}')
    return status, payload, hdrs


def digest(b):
    return 'sha256:' + hashlib.sha256(b).hexdigest()


def stamp(t):
    """A time as the server stores it in SQLite: .NET's round-trip format, UTC, 7 fractional digits."""
    return t.strftime('%Y-%m-%dT%H:%M:%S.%f') + '0+00:00'


def repo_name(i):
    return f'app{i:02d}'


def prepare(base, admin_pw):
    admin = basic('admin', admin_pw)
    suffix = uuid.uuid4().hex[:8]
    call(base, 'POST', '/api/v1/projects', admin, {'name': f'cleanup-{suffix}'})
    _, body, _ = call(base, 'POST', f'/api/v1/projects/cleanup-{suffix}/registries', admin, {'name': f'cleanup-{suffix}'})
    reg = json.loads(body)
    auth = basic(reg['username'], reg['password'])
    # One real image per repository: its config and layer exist on disk and are linked to the repository, so the seeded
    # manifests that refer to them are as real as pushed ones (the run moves them to the recovery bin as any other).
    for i in range(REPOSITORIES):
        repo = f"{reg['name']}/{repo_name(i)}"
        blobs = []
        for content in (os.urandom(4096), json.dumps({'architecture': 'amd64', 'os': 'linux', 'n': i}).encode()):
            d = digest(content)
            call(base, 'POST', f'/v2/{repo}/blobs/uploads/?digest={d}', auth, content, {'Content-Type': 'application/octet-stream'})
            blobs.append((d, len(content)))
        (ld, lsize), (cd, csize) = blobs
        manifest = {'schemaVersion': 2, 'mediaType': MANIFEST_TYPE,
                    'config': {'mediaType': 'application/vnd.oci.image.config.v1+json', 'digest': cd, 'size': csize},
                    'layers': [{'mediaType': 'application/vnd.oci.image.layer.v1.tar', 'digest': ld, 'size': lsize}]}
        call(base, 'PUT', f'/v2/{repo}/manifests/seed', auth, json.dumps(manifest).encode(), {'Content-Type': MANIFEST_TYPE})
    print(reg['name'])


def seed(data_dir, registry, tags):
    """Per repository: tags/2 manifests with two tags each (t000000, t000001 on the newest one, …, one second apart),
    each manifest with the repository's real config and layer plus a layer of its own (a blob row with no file: only
    the collector would read it, after the recovery window), and UNTAGGED_PER_REPOSITORY manifests untagged 10 days ago."""
    started = time.monotonic()
    per_repo = tags // REPOSITORIES
    now = datetime.now(timezone.utc)
    con = sqlite3.connect(os.path.join(data_dir, 'berth.db'), timeout=60)
    con.execute('BEGIN IMMEDIATE')
    (registry_id,) = con.execute('SELECT id FROM registries WHERE name = ?', (registry,)).fetchone()
    seeded = 0
    for i in range(REPOSITORIES):
        (repo_id,) = con.execute('SELECT id FROM repositories WHERE registry_id = ? AND name = ?', (registry_id, repo_name(i))).fetchone()
        (seed_content,) = con.execute("SELECT m.content FROM manifests m JOIN tags t ON t.repository_id = m.repository_id "
                                      "AND t.manifest_digest = m.digest WHERE t.repository_id = ? AND t.name = 'seed'", (repo_id,)).fetchone()
        manifest = json.loads(seed_content)
        base_layers = manifest['layers']
        shared = [(manifest['config']['digest'], manifest['config']['size'])] + [(l['digest'], l['size']) for l in base_layers]
        rows_m, rows_l, rows_t, rows_b, rows_rb = [], [], [], [], []
        manifests = per_repo // TAGS_PER_MANIFEST + UNTAGGED_PER_REPOSITORY
        for k in range(manifests):
            untagged = k >= per_repo // TAGS_PER_MANIFEST
            own = f'{registry}/{i}/{k}'.encode()
            own_digest = digest(own)
            manifest['layers'] = base_layers + [{'mediaType': 'application/vnd.oci.image.layer.v1.tar', 'digest': own_digest,
                                                 'size': UNIQUE_BLOB_SIZE}]
            content = json.dumps(manifest).encode()
            d = digest(content)
            pushed = now - (timedelta(days=10, seconds=k) if untagged else timedelta(seconds=k * TAGS_PER_MANIFEST))
            rows_m.append((repo_id, d, MANIFEST_TYPE, content, len(content), stamp(pushed),
                           stamp(now - timedelta(days=10)) if untagged else None))
            rows_l.extend((repo_id, d, c, 0, s) for c, s in shared)
            rows_l.append((repo_id, d, own_digest, 0, UNIQUE_BLOB_SIZE))
            rows_b.append((registry_id, own_digest, UNIQUE_BLOB_SIZE, stamp(pushed)))
            rows_rb.append((repo_id, registry_id, own_digest, stamp(pushed)))
            if not untagged:
                for n in range(TAGS_PER_MANIFEST):
                    index = k * TAGS_PER_MANIFEST + n
                    rows_t.append((repo_id, f't{index:06d}', d, stamp(now - timedelta(seconds=index))))
        con.executemany('INSERT INTO manifests (repository_id, digest, media_type, content, size, created_at, untagged_at) '
                        'VALUES (?,?,?,?,?,?,?)', rows_m)
        con.executemany('INSERT INTO manifest_links (repository_id, manifest_digest, child_digest, is_manifest, size) '
                        'VALUES (?,?,?,?,?)', rows_l)
        con.executemany('INSERT INTO tags (repository_id, name, manifest_digest, updated_at) VALUES (?,?,?,?)', rows_t)
        con.executemany('INSERT INTO blobs (registry_id, digest, size, created_at) VALUES (?,?,?,?)', rows_b)
        con.executemany('INSERT INTO repository_blobs (repository_id, registry_id, digest, created_at) VALUES (?,?,?,?)', rows_rb)
        seeded += len(rows_t)
    # Room for the seeded bytes: the allocation is not what this measures.
    con.execute('UPDATE registries SET storage_limit_bytes = ? WHERE id = ?', (1 << 40, registry_id))
    con.commit()
    con.execute('PRAGMA wal_checkpoint(TRUNCATE)')
    con.close()
    print(f'seeded {seeded} tags, {seeded // TAGS_PER_MANIFEST + REPOSITORIES * UNTAGGED_PER_REPOSITORY} manifests '
          f'in {REPOSITORIES} repositories in {time.monotonic() - started:.1f} s', file=sys.stderr, flush=True)


def proc_kib(pid, field):
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1])
    return -1


def measure(base, admin_pw, pid, registry, tags):
    admin = basic('admin', admin_pw)
    per_repo = tags // REPOSITORIES
    # Keep the newest half of each repository's tags; untagged manifests older than a day go too.
    policy = {'rules': [{'repositories': '**', 'tagPattern': '^t', 'keepMostRecent': per_repo // 2}],
              'untaggedOlderThanHours': 24, 'schedule': 'off'}
    call(base, 'PUT', f'/api/v1/registries/{registry}/cleanup-policy', admin, policy)

    stop = threading.Event()
    peak = [proc_kib(pid, 'VmRSS')]

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], proc_kib(pid, 'VmRSS'))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    rss_before = peak[0]
    sampler.start()
    try:
        t0 = time.monotonic()
        _, body, _ = call(base, 'POST', f'/api/v1/registries/{registry}/cleanup-policy/dry-run', admin)
        dry_s = time.monotonic() - t0
        dry_bytes, dry = len(body), json.loads(body)
        rss_after_dry, peak_dry = proc_kib(pid, 'VmRSS'), peak[0]
        print(f"dry run: {dry_s:.2f} s, {len(dry['tags'])} tags, {len(dry['manifests'])} manifests, {len(dry['protected'])} protected, "
              f"{dry['bytesFreed']} bytes freed, {dry_bytes / 1048576:.1f} MiB answer; server RSS {rss_before // 1024} -> peak "
              f"{peak_dry // 1024} MiB", file=sys.stderr, flush=True)
        peak[0] = rss_after_dry

        t0 = time.monotonic()
        _, body, _ = call(base, 'POST', f'/api/v1/registries/{registry}/cleanup-policy/run', admin, expect=(202,))
        accepted_s = time.monotonic() - t0
        run = json.loads(body)
        while run['status'] == 'running':
            time.sleep(0.2)
            _, body, _ = call(base, 'GET', f"/api/v1/registries/{registry}/cleanup-runs/{run['id']}", admin)
            run = json.loads(body)
        run_s = time.monotonic() - t0
    finally:
        stop.set()
        sampler.join()

    print(json.dumps({
        'tags': tags,
        'repositories': REPOSITORIES,
        'dry_run_s': round(dry_s, 2),
        'dry_run_response_mib': round(dry_bytes / 1048576, 1),
        'dry_run_tags': len(dry['tags']),
        'dry_run_manifests': len(dry['manifests']),
        'dry_run_protected': len(dry['protected']),
        'dry_run_bytes_freed': dry['bytesFreed'],
        'run_accepted_ms': round(accepted_s * 1000, 1),
        'run_finished_s': round(run_s, 2),
        'run': {k: run[k] for k in ('status', 'tagsDeleted', 'manifestsDeleted', 'skipped', 'bytesFreed')},
        'run_errors': run['errors'][:5],
        'server_rss_before_mib': round(rss_before / 1024),
        'server_rss_peak_dry_run_mib': round(peak_dry / 1024),
        'server_rss_peak_run_mib': round(peak[0] / 1024),
        'server_vmhwm_mib': round(proc_kib(pid, 'VmHWM') / 1024),
    }, indent=2))


if __name__ == '__main__':
    step = sys.argv[1]
    if step == 'prepare':
        prepare(sys.argv[2].rstrip('/'), sys.argv[3])
    elif step == 'seed':
        seed(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 200_000)
    elif step == 'measure':
        measure(sys.argv[2].rstrip('/'), sys.argv[3], int(sys.argv[4]), sys.argv[5], int(sys.argv[6]) if len(sys.argv) > 6 else 200_000)
    else:
        sys.exit(__doc__)
