using Berth.Registry.Auditing;
using Berth.Core.Distribution;
using Berth.Core.Metadata;
using Berth.Registry.Retention;

namespace Berth.Registry.Management;

/// <summary>
/// Deleting repositories, tags and manifests from the management API and the dashboard: each delete is audited. Tags
/// and manifests go through <see cref="ArtifactBin"/> (restorable for the recovery window, as the /v2 DELETEs).
/// </summary>
public sealed class ArtifactDeletion(
    IArtifactStore artifacts,
    ArtifactBin bin,
    RegistryLifecycle lifecycle,
    RegistryPurger purger,
    TagImmutability immutability,
    TimeProvider time)
{
    /// <summary>Deletes the repository with its manifests and tags, and frees the blobs no other repository links.</summary>
    public async Task DeleteRepositoryAsync(RegistryRecord registry, string repository, AuditActor actor, CancellationToken ct)
    {
        var record = await RequireRepositoryAsync(registry, repository, ct);
        await RefuseImmutableAsync(() => immutability.EnsureRepositoryDeletableAsync(registry.Id, record, ct));

        // Gone for every request from here on, whatever it holds; its records and the storage only it used are freed
        // in the background, in short batches (a repository of 200,000 tags used to hold the database for minutes).
        if (!await artifacts.DeleteRepositoryAsync(registry.Id, record.Id, time.GetUtcNow(), ct))
        {
            throw RepositoryNotFound(registry, repository);
        }

        purger.EnqueueRepository(registry.Id, record.Id);
        await lifecycle.AuditAsync(registry, actor, "repository.deleted", repository, CancellationToken.None);
    }

    /// <summary>Untags: the manifest stays reachable by digest (as a /v2 tag DELETE).</summary>
    public async Task DeleteTagAsync(RegistryRecord registry, string repository, string tag, AuditActor actor, CancellationToken ct)
    {
        var record = await RequireRepositoryAsync(registry, repository, ct);
        if (!RepositoryName.IsValidTag(tag) || !await RefuseImmutableAsync(() => bin.DeleteTagAsync(registry, record, tag, ct)))
        {
            throw new ManagementException(StatusCodes.Status404NotFound, "Tag not found", $"Repository '{repository}' has no tag '{tag}'.");
        }

        await lifecycle.AuditAsync(registry, actor, "tag.deleted", $"{repository}:{tag}", CancellationToken.None);
    }

    /// <summary>
    /// Deletes a manifest and its tags (as a /v2 manifest DELETE), unless an index of
    /// the repository lists it: that is a 409 naming the indexes, as deleting it would break their pulls for its
    /// platform. (A /v2 DELETE still deletes it: there the client asks for exactly that digest, as the OCI spec allows.)
    /// </summary>
    public async Task DeleteManifestAsync(RegistryRecord registry, string repository, string digest, AuditActor actor, CancellationToken ct)
    {
        var record = await RequireRepositoryAsync(registry, repository, ct);
        if (!Digest.TryParse(digest, out var parsed))
        {
            throw ManifestNotFound(repository, digest);
        }

        // Checked before the delete, not in its transaction: an index pushed in between was validated against the
        // manifest still there, exactly as a push just before the check would have been.
        var referencing = await artifacts.ListReferencingIndexesAsync(record.Id, parsed.ToString(), ct);
        if (referencing.Count > 0)
        {
            throw new ManagementException(StatusCodes.Status409Conflict, "Manifest is part of an index", RefusalReason(referencing))
            {
                Extensions = new Dictionary<string, object?>
                {
                    ["referencingIndexes"] = referencing.Select(i => new { digest = i.Digest, tags = i.Tags }).ToList(),
                },
            };
        }

        if (!await RefuseImmutableAsync(() => bin.DeleteManifestAsync(registry, record, parsed.ToString(), ct)))
        {
            throw ManifestNotFound(repository, digest);
        }

        await lifecycle.AuditAsync(registry, actor, "manifest.deleted", $"{repository}@{parsed}", CancellationToken.None);
    }

    /// <summary>The indexes of the repository that list the manifest (none: it may be deleted).</summary>
    public async Task<IReadOnlyList<ReferencingIndex>> ListReferencingIndexesAsync(RegistryRecord registry, string repository, string digest,
        CancellationToken ct)
    {
        var record = await RequireRepositoryAsync(registry, repository, ct);
        return Digest.TryParse(digest, out var parsed) ? await artifacts.ListReferencingIndexesAsync(record.Id, parsed.ToString(), ct) : [];
    }

    /// <summary>Bytes of the blobs only this repository holds: what deleting it frees.</summary>
    public async Task<long> GetExclusiveBytesAsync(RegistryRecord registry, string repository, CancellationToken ct) =>
        await artifacts.GetRepositoryExclusiveBytesAsync((await RequireRepositoryAsync(registry, repository, ct)).Id, ct);

    /// <summary>Why a manifest that indexes list can't be deleted, the same words in the API and the dashboard.</summary>
    public static string RefusalReason(IReadOnlyList<ReferencingIndex> referencing)
    {
        const int ShownTags = 5;
        var indexes = referencing.Select(i => i.Tags.Count == 0
            ? $"{i.Digest} (untagged)"
            : $"{i.Digest} (tag{(i.Tags.Count == 1 ? "" : "s")} {string.Join(", ", i.Tags.Take(ShownTags))}{(i.Tags.Count > ShownTags ? $" and {i.Tags.Count - ShownTags} more" : "")})");
        return $"Index {string.Join(" and index ", indexes)} lists this manifest: deleting it would break pulls of that index for its platform. " +
            "Delete the index first.";
    }

    /// <summary>A protected tag is a conflict with the registry's rules (409), the same words as /v2's 403.</summary>
    private static async Task RefuseImmutableAsync(Func<Task> check) => await RefuseImmutableAsync(async () =>
    {
        await check();
        return true;
    });

    /// <inheritdoc cref="RefuseImmutableAsync(Func{Task})"/>
    private static async Task<T> RefuseImmutableAsync<T>(Func<Task<T>> delete)
    {
        try
        {
            return await delete();
        }
        catch (ImmutableTagException ex)
        {
            throw new ManagementException(StatusCodes.Status409Conflict, "Tag is immutable", ex.Message)
            {
                Extensions = new Dictionary<string, object?> { ["tag"] = ex.Tag, ["rule"] = ex.Rule.Number },
            };
        }
    }

    private static ManagementException ManifestNotFound(string repository, string digest) =>
        new(StatusCodes.Status404NotFound, "Manifest not found", $"Repository '{repository}' has no manifest '{digest}'.");

    private async Task<RepositoryRecord> RequireRepositoryAsync(RegistryRecord registry, string repository, CancellationToken ct) =>
        (RepositoryName.IsValid(repository) ? await artifacts.GetRepositoryAsync(registry.Id, repository, ct) : null)
        ?? throw RepositoryNotFound(registry, repository);

    private static ManagementException RepositoryNotFound(RegistryRecord registry, string repository) =>
        new(StatusCodes.Status404NotFound, "Repository not found", $"Registry '{registry.Name}' has no repository '{repository}'.");
}
