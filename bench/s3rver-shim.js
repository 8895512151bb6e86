'use strict';
// Node preload for s3rver 3.7.1 (node --require bench/s3rver-shim.js .../s3rver/bin/s3rver.js ...), used by
// bench/run.sh --config scaleout. See bench/README.md, "S3 server".
//
// 1. The same one-line fix as tests/Shared/S3Server.cs: s3rver decodes x-amz-copy-source with decodeURI, which
//    leaves the %2F that AWS SDKs send between bucket and key, so every CopyObject would fail.
// 2. The multipart calls s3rver answers with 501 NotImplemented, which CNCF Distribution's s3 driver needs for
//    every PATCH/PUT of an upload (it resumes the upload's multipart upload by listing it), and which both
//    registries use to compose objects server-side as on real S3:
//      ListMultipartUploads  GET    /<bucket>?uploads[&prefix=]
//      ListParts             GET    /<bucket>/<key>?uploadId=
//      AbortMultipartUpload  DELETE /<bucket>/<key>?uploadId=
//      UploadPartCopy        PUT    /<bucket>/<key>?partNumber=&uploadId=   with x-amz-copy-source[-range]
//    They work on s3rver's own on-disk upload layout (<root>/<bucket>/._S3rver_uploads/<uploadId>/{key,N,N.md5}).
//    No pagination: every list answer is complete (IsTruncated=false), enough for a benchmark.
// 3. DeleteObjects deletes its keys concurrently, and each delete then removes the object's parent directories
//    while they are empty; two deletes under one directory race there and one fails with ENOENT (scandir/rmdir), so
//    the whole DeleteObjects answers 500 although every object is gone. An ENOENT in that clean-up is ignored.
globalThis.decodeURI = decodeURIComponent;

const fs = require('fs');
const path = require('path');

// The s3rver package: bin/s3rver.js is the main script (process.argv[1]).
const pkgDir = path.resolve(path.dirname(fs.realpathSync(process.argv[1])), '..');
const router = require(path.join(pkgDir, 'lib', 'routes.js'));
const FilesystemStore = require(path.join(pkgDir, 'lib', 'stores', 'filesystem.js'));

const originalDeleteObject = FilesystemStore.prototype.deleteObject;
FilesystemStore.prototype.deleteObject = async function deleteObject(...args) {
  try {
    return await originalDeleteObject.apply(this, args);
  } catch (err) {
    // The object's files are unlinked first; only the empty-directory clean-up after them scans or removes dirs.
    if (err.code === 'ENOENT' && (err.syscall === 'scandir' || err.syscall === 'rmdir')) return undefined;
    throw err;
  }
};

function uploadsDir(store, bucket) {
  return store.getResourcePath(bucket, undefined, 'uploads');
}

function has(query, name) {
  return Object.prototype.hasOwnProperty.call(query, name);
}

function notFound(ctx, code, message) {
  ctx.status = 404;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

async function listUploads(ctx, bucket) {
  const dir = uploadsDir(ctx.store, bucket);
  const prefix = ctx.query.prefix || '';
  const uploads = [];
  let ids = [];
  try {
    ids = await fs.promises.readdir(dir);
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
  for (const id of ids) {
    let key;
    try {
      key = (await fs.promises.readFile(path.join(dir, id, 'key'))).toString();
    } catch (err) {
      if (err.code === 'ENOENT') continue; // completed or aborted meanwhile
      throw err;
    }
    if (!key.startsWith(prefix)) continue;
    const stat = await fs.promises.stat(path.join(dir, id));
    uploads.push({ Key: key, UploadId: id, Initiated: stat.birthtime.toISOString(), StorageClass: 'STANDARD' });
  }
  uploads.sort((a, b) => (a.Key < b.Key ? -1 : a.Key > b.Key ? 1 : a.Initiated < b.Initiated ? -1 : 1));
  const result = {
    Bucket: bucket,
    KeyMarker: '',
    UploadIdMarker: '',
    Prefix: prefix,
    MaxUploads: 1000,
    IsTruncated: false,
  };
  if (uploads.length) result.Upload = uploads;
  ctx.body = { ListMultipartUploadsResult: result };
}

async function listParts(ctx, bucket, key) {
  const dir = path.join(uploadsDir(ctx.store, bucket), ctx.query.uploadId);
  let names;
  try {
    names = await fs.promises.readdir(dir);
  } catch (err) {
    if (err.code === 'ENOENT') return notFound(ctx, 'NoSuchUpload', 'The specified upload does not exist.');
    throw err;
  }
  const marker = Number(ctx.query['part-number-marker'] || 0);
  const numbers = names.filter(n => /^[0-9]+$/.test(n)).map(Number).filter(n => n > marker).sort((a, b) => a - b);
  const parts = [];
  for (const n of numbers) {
    const stat = await fs.promises.stat(path.join(dir, String(n)));
    let md5 = '';
    try {
      md5 = (await fs.promises.readFile(path.join(dir, `${n}.md5`))).toString();
    } catch (err) {
      if (err.code === 'ENOENT') continue; // part still being written
      throw err;
    }
    parts.push({ PartNumber: n, LastModified: stat.mtime.toISOString(), ETag: `"${md5}"`, Size: stat.size });
  }
  const result = {
    Bucket: bucket,
    Key: key,
    UploadId: ctx.query.uploadId,
    StorageClass: 'STANDARD',
    PartNumberMarker: marker,
    NextPartNumberMarker: parts.length ? parts[parts.length - 1].PartNumber : marker,
    MaxParts: 1000,
    IsTruncated: false,
  };
  if (parts.length) result.Part = parts;
  ctx.body = { ListPartsResult: result };
}

async function abortUpload(ctx, bucket) {
  const dir = path.join(uploadsDir(ctx.store, bucket), ctx.query.uploadId);
  if (!fs.existsSync(dir)) return notFound(ctx, 'NoSuchUpload', 'The specified upload does not exist.');
  await fs.promises.rm(dir, { recursive: true, force: true });
  ctx.status = 204;
  ctx.body = '';
}

async function uploadPartCopy(ctx, bucket) {
  const dir = path.join(uploadsDir(ctx.store, bucket), ctx.query.uploadId);
  if (!fs.existsSync(dir)) return notFound(ctx, 'NoSuchUpload', 'The specified upload does not exist.');
  let source = decodeURIComponent(ctx.headers['x-amz-copy-source']).split('?')[0];
  if (source.startsWith('/')) source = source.slice(1);
  const slash = source.indexOf('/');
  const srcBucket = source.slice(0, slash);
  const srcKey = source.slice(slash + 1);
  const options = {};
  const range = ctx.headers['x-amz-copy-source-range'];
  if (range) {
    const m = /^bytes=([0-9]+)-([0-9]+)$/.exec(range);
    if (!m) throw new Error(`bad x-amz-copy-source-range: ${range}`);
    options.start = Number(m[1]);
    options.end = Number(m[2]);
  }
  const object = await ctx.store.getObject(srcBucket, srcKey, range ? options : undefined);
  if (!object || !object.content) return notFound(ctx, 'NoSuchKey', 'The specified key does not exist.');
  const { md5 } = await ctx.store.putPart(bucket, ctx.query.uploadId, ctx.query.partNumber, object.content);
  ctx.body = { CopyPartResult: { LastModified: new Date().toISOString(), ETag: `"${md5}"` } };
}

// Runs inside s3rver's middleware chain (after its logger and XML encoder), before its router.
async function shim(ctx) {
  const segments = ctx.path.split('/').slice(1);
  if (segments.length < 1 || segments[0] === '') return false;
  const bucket = decodeURIComponent(segments[0]);
  const key = segments.slice(1).map(decodeURIComponent).join('/');
  const q = ctx.query;
  if (key === '') {
    if (ctx.method === 'GET' && has(q, 'uploads')) {
      await listUploads(ctx, bucket);
      return true;
    }
    return false;
  }
  if (!has(q, 'uploadId')) return false;
  if (ctx.method === 'GET') {
    await listParts(ctx, bucket, key);
    return true;
  }
  if (ctx.method === 'DELETE') {
    await abortUpload(ctx, bucket);
    return true;
  }
  if (ctx.method === 'PUT' && 'x-amz-copy-source' in ctx.headers) {
    await uploadPartCopy(ctx, bucket);
    return true;
  }
  return false;
}

const originalRoutes = router.routes.bind(router);
router.routes = router.middleware = function routes() {
  const dispatch = originalRoutes();
  return async function shimmedRoutes(ctx, next) {
    if (await shim(ctx)) return;
    return dispatch(ctx, next);
  };
};
