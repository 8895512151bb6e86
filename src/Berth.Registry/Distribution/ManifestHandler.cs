using System.Text.Json;
using Berth.Core.Distribution;
using Berth.Core.Metadata;
using Berth.Registry.Retention;

namespace Berth.Registry.Distribution;

/// <summary><c>/v2/&lt;name&gt;/manifests/&lt;reference&gt;</c>: GET, HEAD, PUT (by tag or digest) and DELETE (by digest or tag).</summary>
public sealed class ManifestHandler(
    IArtifactStore artifacts, ArtifactBin bin, PullRecorder pulls, IManifestPushListener scans, Observability.BerthMetrics metrics,
    ITenantStore tenants, IAuditStore audit, TagImmutability immutability, ITagImmutabilityStore protectedTags, TimeProvider time)
{
    public Task HandleAsync(V2Request request)
    {
        var method = request.Request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method))
        {
            return GetAsync(request, HttpMethods.IsHead(method));
        }

        if (HttpMethods.IsPut(method))
        {
            return PutAsync(request);
        }

        return HttpMethods.IsDelete(method) ? DeleteAsync(request) : throw new OciException(OciErrorCode.Unsupported);
    }

    private async Task GetAsync(V2Request request, bool headOnly)
    {
        // A reference that is neither a digest nor a valid tag names no manifest: it is unknown like any missing one
        // (MANIFEST_INVALID describes a bad manifest body, which a GET has none of). A digest Berth can't use stays
        // 400 DIGEST_INVALID, as the spec asks of an invalid or unsupported digest.
        var reference = Digest.LooksLikeDigest(request.Route.Reference) || RepositoryName.IsValidTag(request.Route.Reference)
            ? ValidateReference(request.Route.Reference)
            : throw new OciException(OciErrorCode.ManifestUnknown, $"manifest unknown: {Shorten(request.Route.Reference)}");
        // One query on the hot path: the repository and the manifest together.
        var found = await artifacts.FindManifestAsync(request.RegistryId, request.Target.Repository, reference, request.Aborted)
            ?? throw new OciException(OciErrorCode.NameUnknown);
        var manifest = found.Manifest ?? throw new OciException(OciErrorCode.ManifestUnknown, $"manifest unknown: {reference}");

        var response = request.Response;
        response.ContentType = manifest.MediaType;
        response.ContentLength = manifest.Content.Length;
        response.Headers["Docker-Content-Digest"] = manifest.Digest;
        response.Headers.ETag = "\"" + manifest.Digest + "\"";
        if (!headOnly)
        {
            await response.Body.WriteAsync(manifest.Content, request.Aborted);
            metrics.ManifestPulled(request.Target.RegistryName);
            pulls.Record(found.RepositoryId, manifest.Digest, time.GetUtcNow());
        }
    }

    private async Task PutAsync(V2Request request)
    {
        var reference = ValidateReference(request.Route.Reference);
        var content = await ReadBodyAsync(request);
        var digest = Digest.TryParse(reference, out var byDigest)
            ? Digest.Compute(content, byDigest.Algorithm)
            : Digest.Compute(content);
        if (Digest.LooksLikeDigest(reference) && digest != byDigest)
        {
            throw new OciException(OciErrorCode.DigestInvalid, $"manifest digest is {digest}, not {reference}");
        }

        var parsed = ManifestValidator.Parse(content, request.Request.ContentType);
        var now = time.GetUtcNow();
        var repository = await artifacts.GetRepositoryAsync(request.RegistryId, request.Target.Repository, request.Aborted);
        var links = await CheckReferencesAsync(repository, parsed, request.Aborted);
        repository ??= await artifacts.EnsureRepositoryAsync(request.RegistryId, request.Target.Repository, now, request.Aborted);

        var record = new ManifestRecord(digest.ToString(), parsed.MediaType, content, parsed.ArtifactType, parsed.Subject?.Digest.ToString(), now);
        var annotations = parsed.Annotations is null ? null : JsonSerializer.Serialize(parsed.Annotations);
        var tag = Digest.LooksLikeDigest(reference) ? null : reference;
        // A protected tag may be created, or pushed again with the same manifest, never moved: the store checks that in
        // the transaction that writes the tag, so two pushes racing to create it can't both win.
        var rule = tag is null ? null : (await immutability.GetRulesAsync(request.RegistryId, request.Aborted)).Protecting(request.Target.Repository, tag);
        var result = rule is null
            ? await artifacts.PutManifestAsync(repository.Id, record, links, annotations, tag, now, request.Aborted) ? ManifestPutResult.Stored : ManifestPutResult.BlobMissing
            : await protectedTags.PutManifestProtectingTagAsync(repository.Id, record, links, annotations, tag!, now, request.Aborted);
        switch (result)
        {
            case ManifestPutResult.BlobMissing:
                // A blob it names was collected since the check above (it was unreferenced for the whole grace).
                throw new OciException(OciErrorCode.ManifestBlobUnknown, "manifest references a blob that is no longer in the repository");
            case ManifestPutResult.TagImmutable:
                throw new OciException(OciErrorCode.Denied, new ImmutableTagException(request.Target.Repository, tag!, rule!).Message);
        }

        scans.ManifestPushed(repository.Id, record.Digest, parsed);

        var response = request.Response;
        response.StatusCode = StatusCodes.Status201Created;
        response.Headers.Location = $"{request.BasePath}/manifests/{digest}";
        response.Headers["Docker-Content-Digest"] = digest.ToString();
        if (parsed.Subject is not null)
        {
            response.Headers["OCI-Subject"] = parsed.Subject.Digest.ToString();
        }

        response.ContentLength = 0;
    }

    /// <summary>
    /// Every blob a manifest names must be in the repository with the declared size, and every child manifest of
    /// an index must be in the repository: checked with one query each, never one per reference.
    /// </summary>
    private async Task<List<ManifestLink>> CheckReferencesAsync(RepositoryRecord? repository, ParsedManifest parsed, CancellationToken cancellationToken)
    {
        var blobDigests = parsed.References.Where(r => r.Kind == ReferenceKind.Blob).Select(r => r.Descriptor.Digest.ToString()).Distinct().ToList();
        var manifestDigests = parsed.References.Where(r => r.Kind == ReferenceKind.Manifest).Select(r => r.Descriptor.Digest.ToString()).Distinct().ToList();
        IReadOnlyDictionary<string, long> blobSizes = new Dictionary<string, long>();
        IReadOnlySet<string> manifests = new HashSet<string>();
        if (repository is not null)
        {
            if (blobDigests.Count > 0)
            {
                blobSizes = await artifacts.GetRepositoryBlobSizesAsync(repository.Id, blobDigests, cancellationToken);
            }

            if (manifestDigests.Count > 0)
            {
                manifests = await artifacts.GetExistingManifestsAsync(repository.Id, manifestDigests, cancellationToken);
            }
        }

        var links = new List<ManifestLink>(parsed.References.Count);
        foreach (var reference in parsed.References)
        {
            var descriptor = reference.Descriptor;
            var digest = descriptor.Digest.ToString();
            if (reference.Kind == ReferenceKind.Manifest)
            {
                if (!manifests.Contains(digest))
                {
                    throw new OciException(OciErrorCode.ManifestBlobUnknown, $"manifest references unknown manifest {digest}", new Dictionary<string, string> { ["digest"] = digest });
                }
            }
            else if (!blobSizes.TryGetValue(digest, out var size))
            {
                throw new OciException(OciErrorCode.ManifestBlobUnknown, $"manifest references unknown blob {digest}", new Dictionary<string, string> { ["digest"] = digest });
            }
            else if (size != descriptor.Size)
            {
                throw new OciException(OciErrorCode.ManifestInvalid, $"descriptor of {digest} says {descriptor.Size} bytes but the blob has {size}");
            }

            if (!links.Exists(l => l.Digest == digest))
            {
                links.Add(new ManifestLink(digest, reference.Kind == ReferenceKind.Manifest, descriptor.Size));
            }
        }

        return links;
    }

    private async Task DeleteAsync(V2Request request)
    {
        var reference = ValidateReference(request.Route.Reference);
        var repository = await artifacts.GetRepositoryAsync(request.RegistryId, request.Target.Repository, request.Aborted)
            ?? throw new OciException(OciErrorCode.NameUnknown);
        var registry = await tenants.GetRegistryByIdAsync(request.RegistryId, request.Aborted)
            ?? throw new OciException(OciErrorCode.NameUnknown);
        try
        {
            if (!Digest.LooksLikeDigest(reference))
            {
                // Untagging leaves the manifest reachable by digest (OCI 1.1 tag delete).
                if (!await bin.DeleteTagAsync(registry, repository, reference, request.Aborted))
                {
                    throw new OciException(OciErrorCode.ManifestUnknown, $"manifest unknown: {reference}");
                }

                await AuditDeleteAsync(request, registry, "tag.deleted", $"{request.Target.Repository}:{reference}");
            }
            else if (!await bin.DeleteManifestAsync(registry, repository, reference, request.Aborted))
            {
                throw new OciException(OciErrorCode.ManifestUnknown, $"manifest unknown: {reference}");
            }
            else
            {
                await AuditDeleteAsync(request, registry, "manifest.deleted", $"{request.Target.Repository}@{reference}");
            }
        }
        catch (ImmutableTagException ex)
        {
            throw new OciException(OciErrorCode.Denied, ex.Message);
        }

        request.Response.StatusCode = StatusCodes.Status202Accepted;
        request.Response.ContentLength = 0;
    }

    /// <summary>
    /// The same event as a delete through the management API, with the credential that was used (the registry's, or the
    /// user of an access token) as the actor. Written even if the client has gone: the delete has happened.
    /// </summary>
    private Task AuditDeleteAsync(V2Request request, RegistryRecord registry, string action, string detail) =>
        audit.AppendAuditAsync(new AuditEvent(time.GetUtcNow(), request.Principal.Subject, action, registry.ProjectId, registry.ProjectName,
            registry.Id, registry.Name, request.Http.Connection.RemoteIpAddress?.ToString(), detail), CancellationToken.None);

    private static string ValidateReference(string reference)
    {
        if (Digest.LooksLikeDigest(reference))
        {
            return Digest.Parse(reference).ToString();
        }

        return RepositoryName.IsValidTag(reference)
            ? reference
            : throw new OciException(OciErrorCode.ManifestInvalid, $"invalid tag '{Shorten(reference)}'");
    }

    /// <summary>A reference as quoted back in an error message: a tag is at most 128 characters, anything longer is cut.</summary>
    private static string Shorten(string reference) => reference.Length > 130 ? reference[..130] : reference;

    private static async Task<byte[]> ReadBodyAsync(V2Request request)
    {
        var declared = request.Request.ContentLength;
        if (declared > ManifestValidator.MaxManifestBytes)
        {
            throw new OciException(OciErrorCode.ManifestTooLarge, $"manifest is {declared} bytes; the limit is {ManifestValidator.MaxManifestBytes}");
        }

        // Read at most one byte past the limit: enough to tell "too large" without buffering an unbounded body.
        using var buffer = new MemoryStream(declared is > 0 ? (int)declared : 16 * 1024);
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await request.Request.Body.ReadAsync(chunk, request.Aborted)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > ManifestValidator.MaxManifestBytes)
            {
                throw new OciException(OciErrorCode.ManifestTooLarge, $"manifest exceeds the limit of {ManifestValidator.MaxManifestBytes} bytes");
            }
        }

        return buffer.ToArray();
    }
}
