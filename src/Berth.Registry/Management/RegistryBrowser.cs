using System.Text;
using System.Text.Json;
using Berth.Api;
using Berth.Core.Distribution;
using Berth.Core.Metadata;
using Berth.Core.Storage;
using Berth.Registry.Scanning;
using Berth.Registry.Storage;
using Microsoft.Extensions.Caching.Memory;

namespace Berth.Registry.Management;

/// <summary>
/// Reads what a registry holds, for the management API and the dashboard alike (neither duplicates any of it; deleting
/// is <see cref="ArtifactDeletion"/>'s). Every read is a fixed number of queries, whatever the number of repositories
/// or manifests; image configs (for platforms and image details) are read from storage at most once each and cached,
/// being immutable.
/// </summary>
public sealed class RegistryBrowser(
    IArtifactStore artifacts,
    IPullStatsStore pullStats,
    VulnerabilityReports vulnerabilities,
    RegistryBlobStore blobs,
    TimeProvider time) : IDisposable
{
    /// <summary>Configs are small; a larger "config" is not an image config worth reading for a listing.</summary>
    private const long MaxConfigBytes = 1024 * 1024;

    // Parsed image configs by (registry, digest): content-addressed, so an entry never goes stale.
    private readonly MemoryCache _configs = new(new MemoryCacheOptions { SizeLimit = 20_000 });

    /// <summary>Sort keys of <see cref="ListRepositoriesAsync"/>.</summary>
    public static readonly string[] RepositorySortKeys = [ListSort.NameKey, ListSort.UpdatedKey];

    /// <summary>A page of the registry's repositories (one query, whatever the registry holds).</summary>
    public async Task<ListPage<RepositoryView>> ListRepositoriesAsync(RegistryRecord registry, ListPageRequest request, CancellationToken ct)
    {
        var page = await artifacts.ListRepositorySummariesAsync(registry.Id, request, ct);
        return new ListPage<RepositoryView>(page.Items.Select(r => new RepositoryView(r.Summary.Name, r.Summary.TagCount, r.Summary.ManifestCount,
            r.Summary.SizeBytes, r.PullCount, r.LastPulledAt, r.Summary.UpdatedAt)).ToList(), page.HasMore, page.First, page.Last);
    }

    /// <summary>
    /// Every manifest of the repository: the top-level ones newest first, each followed by what hangs under it (see
    /// <see cref="WithDependentsAsync"/>). Unknown repository: <see cref="ManagementException"/> 404.
    /// </summary>
    public async Task<IReadOnlyList<ArtifactView>> ListArtifactsAsync(RegistryRecord registry, string repository, CancellationToken ct)
    {
        var record = await RequireRepositoryAsync(registry, repository, ct);
        var contents = await LoadAsync(record, ct);
        var topLevel = new List<ArtifactView>();
        foreach (var manifest in contents.Manifests.Values
                     .Where(m => !contents.HasParent(m))
                     .OrderByDescending(m => m.Record.CreatedAt).ThenBy(m => m.Record.Digest, StringComparer.Ordinal))
        {
            topLevel.Add(await ViewAsync(registry, contents, manifest, ct));
        }

        var listed = await WithDependentsAsync(record, topLevel, (dependent, c) => ViewAsync(registry, contents, contents.Manifests[dependent.Manifest.Digest], c), ct);

        // Deeper than the two levels nested (a signature of a signature of a signature): still listed, at the top.
        var shown = listed.Select(a => a.Digest).ToHashSet(StringComparer.Ordinal);
        foreach (var manifest in contents.Manifests.Values.Where(m => !shown.Contains(m.Record.Digest)).OrderByDescending(m => m.Record.CreatedAt))
        {
            listed.Add(await ViewAsync(registry, contents, manifest, ct));
        }

        return listed;
    }

    /// <summary>
    /// A page of top-level artifacts with what hangs under each, fetched in one query whatever the page's size: an
    /// index's platform images (by platform), then its referrers (signatures, SBOMs, attestations; newest first), each
    /// followed by its own referrers, every one with <see cref="ArtifactView.ParentDigest"/> set. A manifest under two
    /// parents is listed under both; <paramref name="viewOf"/> builds the row of a dependent.
    /// </summary>
    public async Task<List<ArtifactView>> WithDependentsAsync(RepositoryRecord repository, IReadOnlyList<ArtifactView> page,
        Func<DependentManifest, CancellationToken, Task<ArtifactView>> viewOf, CancellationToken ct)
    {
        var dependents = await artifacts.ListDependentsAsync(repository.Id, page.Select(a => a.Digest).ToList(), ct);
        var views = new Dictionary<(string Parent, string Digest), ArtifactView>();
        foreach (var dependent in dependents)
        {
            views[(dependent.ParentDigest, dependent.Manifest.Digest)] = await viewOf(dependent, ct) with { ParentDigest = dependent.ParentDigest };
        }

        var byParent = dependents
            .GroupBy(d => d.ParentDigest, StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => g.DistinctBy(d => d.Manifest.Digest, StringComparer.Ordinal)
                    .Select(d => (d.Kind, View: views[(d.ParentDigest, d.Manifest.Digest)]))
                    .OrderBy(d => d.Kind)
                    .ThenBy(d => d.Kind == DependentKind.Child ? string.Join(',', d.View.Platforms) : "", StringComparer.Ordinal)
                    .ThenByDescending(d => d.View.PushedAt)
                    .ThenBy(d => d.View.Digest, StringComparer.Ordinal)
                    .Select(d => d.View)
                    .ToList(),
                StringComparer.Ordinal);
        var result = new List<ArtifactView>(page.Count + views.Count);
        foreach (var artifact in page)
        {
            Add(artifact, depth: 0);
        }

        return result;

        void Add(ArtifactView artifact, int depth)
        {
            result.Add(artifact);
            // The query goes two levels down from the page; the depth guard also ends any cycle of subjects.
            if (depth < 2 && byParent.TryGetValue(artifact.Digest, out var below))
            {
                foreach (var dependent in below)
                {
                    Add(dependent, depth + 1);
                }
            }
        }
    }

    private async Task<ArtifactView> ViewAsync(RegistryRecord registry, RepositoryContents contents, StoredManifest manifest, CancellationToken ct)
    {
        var digest = manifest.Record.Digest;
        var pulls = contents.Pulls.GetValueOrDefault(digest);
        var scan = contents.ScanOf(digest, manifest.Parsed);
        var (platforms, configUnreadable) = await PlatformsAsync(registry, contents, manifest, ct);
        return new ArtifactView(digest, contents.TagsOf(digest), ManifestKinds.Classify(manifest.Parsed), manifest.Record.MediaType,
            contents.SizeOf(digest), platforms, manifest.Record.CreatedAt,
            pulls?.LastPulledAt, pulls?.PullCount ?? 0, scan.Status, scan.Summary, manifest.Record.SubjectDigest, configUnreadable);
    }

    /// <summary>One manifest by digest, or null when the repository or the manifest does not exist.</summary>
    public async Task<ManifestDetailView?> GetManifestAsync(RegistryRecord registry, string repository, string digest, CancellationToken ct)
    {
        var record = RepositoryName.IsValid(repository) ? await artifacts.GetRepositoryAsync(registry.Id, repository, ct) : null;
        if (record is null || !Digest.TryParse(digest, out var parsedDigest))
        {
            return null;
        }

        var contents = await LoadAsync(record, ct);
        if (!contents.Manifests.TryGetValue(parsedDigest.ToString(), out var manifest))
        {
            return null;
        }

        var parsed = manifest.Parsed;
        var key = manifest.Record.Digest;
        ConfigView? config = null;
        if (parsed.Config is { } descriptor)
        {
            var image = ManifestKinds.IsImageConfig(descriptor.MediaType) ? await ReadConfigAsync(registry, descriptor, ct) : null;
            config = new ConfigView(descriptor.Digest.ToString(), descriptor.MediaType, descriptor.Size, image?.Os, image?.Architecture,
                image?.Variant, image?.Created, image?.Entrypoint, image?.Cmd, image?.Env, image?.Labels, image?.Unreadable);
        }

        var layers = parsed.References
            .Where(r => r.Kind == ReferenceKind.Blob && r.Descriptor != parsed.Config)
            .Select(r => new LayerView(r.Descriptor.Digest.ToString(), r.Descriptor.MediaType, r.Descriptor.Size))
            .ToList();
        var children = parsed.References
            .Where(r => r.Kind == ReferenceKind.Manifest)
            .Select(r => new IndexChildView(r.Descriptor.Digest.ToString(), r.Descriptor.MediaType, ManifestKinds.FormatPlatform(r.Descriptor.Platform),
                contents.SizeOf(r.Descriptor.Digest.ToString(), r.Descriptor.Size)))
            .ToList();
        var referrers = (await artifacts.ListReferrersAsync(record.Id, key, null, ct))
            .Select(r => new ReferrerView(r.Digest, r.MediaType, r.ArtifactType, r.Size))
            .ToList();
        var pulls = contents.Pulls.GetValueOrDefault(key);
        var scan = contents.ScanOf(key, parsed);
        return new ManifestDetailView(key, manifest.Record.MediaType, ManifestKinds.Classify(parsed), parsed.ArtifactType, contents.TagsOf(key),
            contents.SizeOf(key), (await PlatformsAsync(registry, contents, manifest, ct)).Platforms, manifest.Record.CreatedAt, pulls?.PullCount ?? 0,
            pulls?.LastPulledAt, config, layers, children, manifest.Record.SubjectDigest, parsed.Annotations, referrers,
            scan.Status, scan.Summary, Encoding.UTF8.GetString(manifest.Record.Content));
    }

    public async Task<SafetyReport> GetSafetyReportAsync(RegistryRecord registry, CancellationToken ct)
    {
        var pulls = await pullStats.GetRepositoryPullStatsAsync(registry.Id, time.GetUtcNow(), ct);
        var summaries = await artifacts.ListRepositorySummariesAsync(registry.Id, ct);
        var usage = await artifacts.GetUsageAsync(registry.Id, ct);
        return new SafetyReport(
            pulls.Sum(p => p.PullsLast24Hours),
            pulls.Sum(p => p.PullsLast7Days),
            pulls.Max(p => p.LastPulledAt),
            pulls.Select(p => new RepositoryPulls(p.Repository, p.PullsLast24Hours, p.PullsLast7Days, p.LastPulledAt)).ToList(),
            summaries.Count,
            summaries.Sum(s => s.TagCount),
            summaries.Sum(s => s.ManifestCount),
            usage.StorageUsageBytes);
    }

    public void Dispose() => _configs.Dispose();

    /// <summary>
    /// An index's platforms come from its entries; an image's from the index that lists it, else its config (with the
    /// reason when that config is unreadable).
    /// </summary>
    private async Task<(IReadOnlyList<string> Platforms, string? ConfigUnreadable)> PlatformsAsync(
        RegistryRecord registry, RepositoryContents contents, StoredManifest manifest, CancellationToken ct)
    {
        var parsed = manifest.Parsed;
        if (MediaTypes.IsIndex(parsed.MediaType))
        {
            return (parsed.References
                .Select(r => ManifestKinds.FormatPlatform(r.Descriptor.Platform))
                .OfType<string>()
                .Distinct(StringComparer.Ordinal)
                .ToList(), null);
        }

        if (contents.IndexedPlatforms.TryGetValue(manifest.Record.Digest, out var indexed))
        {
            return ([indexed], null);
        }

        if (parsed.Config is not { } config || !ManifestKinds.IsImageConfig(config.MediaType))
        {
            return ([], null);
        }

        var image = await ReadConfigAsync(registry, config, ct);
        return ManifestKinds.FormatPlatform(image is null ? null : new Platform(image.Os ?? "", image.Architecture ?? "", image.Variant)) is { } platform
            ? ([platform], null)
            : ([], image?.Unreadable);
    }

    /// <summary>Reads and parses an image config (cached); null when it is too large or missing.</summary>
    private async Task<ImageConfig?> ReadConfigAsync(RegistryRecord registry, Descriptor config, CancellationToken ct)
    {
        if (config.Size > MaxConfigBytes)
        {
            return null;
        }

        var key = (registry.Id, config.Digest);
        if (_configs.TryGetValue(key, out ImageConfig? cached))
        {
            return cached;
        }

        byte[] content;
        try
        {
            await using var stream = await blobs.OpenReadAsync(registry.Id, config.Digest, 0, ct);
            content = new byte[config.Size];
            await stream.ReadExactlyAsync(content, ct);
        }
        catch (Exception ex) when (ex is BlobPathNotFoundException or EndOfStreamException)
        {
            return null;
        }

        var parsed = ImageConfig.Parse(content);
        _configs.Set(key, parsed, new MemoryCacheEntryOptions { Size = 1 });
        return parsed;
    }

    private async Task<RepositoryRecord> RequireRepositoryAsync(RegistryRecord registry, string repository, CancellationToken ct) =>
        (RepositoryName.IsValid(repository) ? await artifacts.GetRepositoryAsync(registry.Id, repository, ct) : null)
        ?? throw RepositoryNotFound(registry, repository);

    private static ManagementException RepositoryNotFound(RegistryRecord registry, string repository) =>
        new(StatusCodes.Status404NotFound, "Repository not found", $"Registry '{registry.Name}' has no repository '{repository}'.");

    /// <summary>Everything about a repository's manifests that listings need, in five queries.</summary>
    private async Task<RepositoryContents> LoadAsync(RepositoryRecord repository, CancellationToken ct)
    {
        var manifests = (await artifacts.ListManifestsAsync(repository.Id, ct))
            .ToDictionary(m => m.Digest, m => new StoredManifest(m, ManifestValidator.ParseStored(m.Content, m.MediaType)), StringComparer.Ordinal);
        var tags = (await artifacts.ListTagRecordsAsync(repository.Id, ct))
            .GroupBy(t => t.ManifestDigest, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(t => t.Name).ToList(), StringComparer.Ordinal);
        var pulls = (await pullStats.GetManifestPullStatsAsync(repository.Id, ct)).ToDictionary(p => p.ManifestDigest, StringComparer.Ordinal);
        var indexes = manifests.Values.Where(m => MediaTypes.IsIndex(m.Parsed.MediaType)).Select(m => m.Record.Digest).ToList();
        return new RepositoryContents(manifests, tags, pulls, await vulnerabilities.LoadBadgesAsync(repository.Id, indexes, ct));
    }

    private sealed record StoredManifest(ManifestRecord Record, ParsedManifest Parsed);

    private sealed class RepositoryContents(
        IReadOnlyDictionary<string, StoredManifest> manifests,
        IReadOnlyDictionary<string, IReadOnlyList<string>> tags,
        IReadOnlyDictionary<string, ManifestPullStats> pulls,
        Func<string, ParsedManifest, ScanBadge> scans)
    {
        private readonly Dictionary<string, long> _sizes = new(StringComparer.Ordinal);

        private readonly HashSet<string> _listed = manifests.Values
            .SelectMany(m => m.Parsed.References.Where(r => r.Kind == ReferenceKind.Manifest))
            .Select(r => r.Descriptor.Digest.ToString())
            .ToHashSet(StringComparer.Ordinal);

        public IReadOnlyDictionary<string, StoredManifest> Manifests => manifests;

        public IReadOnlyDictionary<string, ManifestPullStats> Pulls => pulls;

        /// <summary>The platform an index of the repository declares for each child manifest.</summary>
        public Dictionary<string, string> IndexedPlatforms { get; } = manifests.Values
            .SelectMany(m => m.Parsed.References.Where(r => r.Kind == ReferenceKind.Manifest))
            .Select(r => (Digest: r.Descriptor.Digest.ToString(), Platform: ManifestKinds.FormatPlatform(r.Descriptor.Platform)))
            .Where(c => c.Platform is not null)
            .DistinctBy(c => c.Digest, StringComparer.Ordinal)
            .ToDictionary(c => c.Digest, c => c.Platform!, StringComparer.Ordinal);

        public IReadOnlyList<string> TagsOf(string digest) => tags.GetValueOrDefault(digest) ?? [];

        /// <summary>Listed by an index of the repository, or a referrer of a manifest the repository has: shown under it.</summary>
        public bool HasParent(StoredManifest manifest) =>
            _listed.Contains(manifest.Record.Digest) || (manifest.Record.SubjectDigest is { } subject && manifests.ContainsKey(subject));

        public ScanBadge ScanOf(string digest, ParsedManifest parsed) => scans(digest, parsed);

        /// <summary>
        /// The manifest's bytes plus its distinct blobs, plus (an index) its children's sizes; a child the repository
        /// lacks counts with its descriptor size. Memoised: children shared by several indexes are summed once each.
        /// </summary>
        public long SizeOf(string digest, long fallback = 0)
        {
            if (_sizes.TryGetValue(digest, out var known))
            {
                return known;
            }

            if (!manifests.TryGetValue(digest, out var manifest))
            {
                return fallback;
            }

            var size = manifest.Record.Content.LongLength;
            foreach (var reference in manifest.Parsed.References.DistinctBy(r => r.Descriptor.Digest))
            {
                size += reference.Kind == ReferenceKind.Manifest
                    ? SizeOf(reference.Descriptor.Digest.ToString(), reference.Descriptor.Size)
                    : reference.Descriptor.Size;
            }

            _sizes[digest] = size;
            return size;
        }
    }

    /// <summary>The fields of an OCI/Docker image config the detail view shows, or why the config is unreadable.</summary>
    private sealed record ImageConfig(
        string? Os,
        string? Architecture,
        string? Variant,
        DateTimeOffset? Created,
        IReadOnlyList<string>? Entrypoint,
        IReadOnlyList<string>? Cmd,
        IReadOnlyList<string>? Env,
        IReadOnlyDictionary<string, string>? Labels,
        string? Unreadable)
    {
        private static readonly ImageConfig Empty = new(null, null, null, null, null, null, null, null, null);

        /// <summary>
        /// Lenient: a field of an unexpected type is left out rather than failing the view. A config that can't be read
        /// faithfully (any registry accepts any config bytes at push) is shown as unreadable, never fails the view:
        /// not UTF-8, not JSON, or with a key given twice (tools disagree on which value counts, so no value is shown).
        /// </summary>
        public static ImageConfig Parse(byte[] content)
        {
            if (!System.Text.Unicode.Utf8.IsValid(content))
            {
                return Empty with { Unreadable = "the config is not valid UTF-8" };
            }

            try
            {
                using var doc = JsonDocument.Parse(content, new JsonDocumentOptions { AllowDuplicateProperties = false });
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    return Empty;
                }

                var config = root.TryGetProperty("config", out var c) && c.ValueKind == JsonValueKind.Object ? c : default;
                return new ImageConfig(
                    String(root, "os"),
                    String(root, "architecture"),
                    String(root, "variant"),
                    String(root, "created") is { } created && DateTimeOffset.TryParse(created, out var at) ? at : null,
                    Strings(config, "Entrypoint"),
                    Strings(config, "Cmd"),
                    Strings(config, "Env"),
                    config.ValueKind == JsonValueKind.Object && config.TryGetProperty(nameof(Labels), out var labels) && labels.ValueKind == JsonValueKind.Object
                        ? labels.EnumerateObject().Where(l => l.Value.ValueKind == JsonValueKind.String)
                            .ToDictionary(l => l.Name, l => l.Value.GetString()!, StringComparer.Ordinal)
                        : null,
                    null);
            }
            catch (JsonException ex)
            {
                return Empty with { Unreadable = $"the config is not valid JSON: {ex.Message}" };
            }
            catch (InvalidOperationException)
            {
                // A string escape that is not valid UTF-16 (a lone surrogate) fails only when read.
                return Empty with { Unreadable = "the config has a string that is not valid Unicode" };
            }
        }

        private static string? String(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        private static List<string>? Strings(JsonElement element, string name) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
                ? value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToList()
                : null;
    }
}
