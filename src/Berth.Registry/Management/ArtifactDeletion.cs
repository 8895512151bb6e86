using Berth.Core.Distribution;
using Berth.Core.Metadata;
using Berth.Registry.Storage;

namespace Berth.Registry.Management;

/// <summary>
/// Deleting repositories, tags and manifests from the management API and the dashboard: each delete is audited, and
/// frees the storage only the deleted artifacts used (as the /v2 DELETEs do).
/// </summary>
public sealed class ArtifactDeletion(
    IArtifactStore artifacts,
    RegistryBlobStore blobs,
    RegistryLifecycle lifecycle,
    RegistryPurger purger,
    TimeProvider time)
{
    /// <summary>Deletes the repository with its manifests and tags, and frees the blobs no other repository links.</summary>
    public async Task DeleteRepositoryAsync(RegistryRecord registry, string repository, AuditActor actor, CancellationToken ct)
    {
        var record = await RequireRepositoryAsync(registry, repository, ct);

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
        if (!RepositoryName.IsValidTag(tag) || !await artifacts.DeleteTagAsync(record.Id, tag, ct))
        {
            throw new ManagementException(StatusCodes.Status404NotFound, "Tag not found", $"Repository '{repository}' has no tag '{tag}'.");
        }

        await lifecycle.AuditAsync(registry, actor, "tag.deleted", $"{repository}:{tag}", CancellationToken.None);
    }

    /// <summary>Deletes a manifest and its tags and frees the blobs only it used (as a /v2 manifest DELETE).</summary>
    public async Task DeleteManifestAsync(RegistryRecord registry, string repository, string digest, AuditActor actor, CancellationToken ct)
    {
        var record = await RequireRepositoryAsync(registry, repository, ct);
        if (!Digest.TryParse(digest, out var parsed) || !await blobs.DeleteManifestAsync(registry.Id, record.Id, parsed.ToString(), ct))
        {
            throw new ManagementException(StatusCodes.Status404NotFound, "Manifest not found", $"Repository '{repository}' has no manifest '{digest}'.");
        }

        await lifecycle.AuditAsync(registry, actor, "manifest.deleted", $"{repository}@{parsed}", CancellationToken.None);
    }

    private async Task<RepositoryRecord> RequireRepositoryAsync(RegistryRecord registry, string repository, CancellationToken ct) =>
        (RepositoryName.IsValid(repository) ? await artifacts.GetRepositoryAsync(registry.Id, repository, ct) : null)
        ?? throw RepositoryNotFound(registry, repository);

    private static ManagementException RepositoryNotFound(RegistryRecord registry, string repository) =>
        new(StatusCodes.Status404NotFound, "Repository not found", $"Registry '{registry.Name}' has no repository '{repository}'.");
}
