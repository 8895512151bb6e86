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
/// is <see cref="ArtifactDeletion"/>'s). Every read is a fixed number of queries for a page, whatever the number of
/// repositories or manifests, and no read loads a whole repository; image configs (for platforms and image details) are read from storage at most once each and cached,
/// being immutable.
/// </summary>
public sealed class RegistryBrowser(
    IArtifactStore artifacts,
    IPullStatsStore pullStats,
    VulnerabilityReports vulnerabilities,
    RegistryBlobStore blobs,
    TimeProvider time) : IDisposable
{
    /// <summary>Repositories the safety report lists: the most recently pulled (the totals count them all).</summary>
    public const int SafetyReportRepositories = 20;

    /// <summary>Configs are small; a larger "config" is not an image config worth reading for a listing.</summary>
    private const long MaxConfigBytes = 1024 * 1024;

    // Parsed image configs by (registry, digest): content-addressed, so an entry never goes stale.
    private readonly MemoryCache _configs = new(new MemoryCacheOptions { SizeLimit = 20_000 });

    /// <summary>Sort keys of <see cref="ListRepositoriesAsync"/>.</summary>
    public static readonly string[] RepositorySortKeys = [ListSort.NameKey, ListSort.UpdatedKey];

    /// <summary>Sort key of <see cref="ListArtifactsAsync"/>: newest first by default (<see cref="DefaultArtifactSort"/>).</summary>
    public static readonly string[] ArtifactSortKeys = [ListSort.PushedKey];

    public static readonly ListSort DefaultArtifactSort = ListSort.Descend(ListSort.PushedKey);

    /// <summary>Sort keys of <see cref="ListTagsAsync"/>, by name by default.</summary>
    public static readonly string[] TagSortKeys = [ListSort.NameKey, ListSort.UpdatedKey];

    /// <summary>A page of the registry's repositories (one query, whatever the registry holds).</summary>
    public async Task<ListPage<RepositoryView>> ListRepositoriesAsync(RegistryRecord registry, ListPageRequest request, CancellationToken ct)
    {
        var page = await artifacts.ListRepositorySummariesAsync(registry.Id, request, ct);
        return new ListPage<RepositoryView>(page.Items.Select(r => new RepositoryView(r.Summary.Name, r.Summary.TagCount, r.Summary.ManifestCount,
            r.Summary.SizeBytes, r.PullCount, r.LastPulledAt, r.Summary.UpdatedAt)).ToList(), page.HasMore, page.First, page.Last);
    }

    /// <summary>
    /// A page of the repository's top-level artifacts (<see cref="ArtifactSortKeys"/>), each followed by what hangs
    /// under it (see <see cref="Nest"/>), with their tags, sizes, platforms, pulls and scan badges: a fixed number of
    /// queries for the page, whatever the repository holds. Unknown repository: <see cref="ManagementException"/> 404.
    /// </summary>
    /// <exception cref="InvalidCursorException">the cursor is of another sort key</exception>
    public async Task<ListPage<ArtifactView>> ListArtifactsAsync(RegistryRecord registry, string repository, ListPageRequest request, CancellationToken ct)
    {
        var record = await RequireRepositoryAsync(registry, repository, ct);
        var page = await artifacts.ListArtifactPageAsync(record.Id, request, ct);
        // What hangs under the page's artifacts, for the whole page in one query.
        var dependents = await artifacts.ListDependentsAsync(record.Id, page.Items.Select(a => a.Manifest.Digest).ToList(), ct);
        var manifests = page.Items.Select(a => a.Manifest)
            .Concat(dependents.Select(d => d.Manifest))
            .DistinctBy(m => m.Digest, StringComparer.Ordinal)
            .Select(Parse)
            .ToList();
        var contents = await LoadAsync(record, manifests, ct);
        var tags = page.Items.ToDictionary(a => a.Manifest.Digest, a => a.Tags, StringComparer.Ordinal);
        var dependentDigests = dependents.Select(d => d.Manifest.Digest).Where(d => !tags.ContainsKey(d)).Distinct(StringComparer.Ordinal).ToList();
        foreach (var group in (await artifacts.ListTagsOfAsync(record.Id, dependentDigests, ct)).GroupBy(t => t.ManifestDigest, StringComparer.Ordinal))
        {
            tags[group.Key] = group.Select(t => t.Name).Order(StringComparer.Ordinal).ToList();
        }

        var views = new Dictionary<string, ArtifactView>(StringComparer.Ordinal);
        foreach (var manifest in manifests)
        {
            var digest = manifest.Record.Digest;
            views[digest] = await ViewAsync(registry, contents, manifest, tags.GetValueOrDefault(digest) ?? [], ct);
        }

        var listed = Nest(page.Items.Select(a => views[a.Manifest.Digest]).ToList(), dependents, d => views[d.Manifest.Digest]);
        return new ListPage<ArtifactView>(listed, page.HasMore, page.First, page.Last);
    }

    /// <summary>
    /// A page of top-level artifacts with what hangs under each: an index's platform images (by platform), then its
    /// referrers (signatures, SBOMs, attestations; newest first), each followed by its own referrers, every one with
    /// <see cref="ArtifactView.ParentDigest"/> set. A manifest under two parents is listed under both.
    /// </summary>
    private static List<ArtifactView> Nest(List<ArtifactView> page, IReadOnlyList<DependentManifest> dependents, Func<DependentManifest, ArtifactView> viewOf)
    {
        var views = new Dictionary<(string Parent, string Digest), ArtifactView>();
        foreach (var dependent in dependents)
        {
            views[(dependent.ParentDigest, dependent.Manifest.Digest)] = viewOf(dependent) with { ParentDigest = dependent.ParentDigest };
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

    private async Task<ArtifactView> ViewAsync(RegistryRecord registry, RepositoryContents contents, StoredManifest manifest, IReadOnlyList<string> tags,
        CancellationToken ct)
    {
        var digest = manifest.Record.Digest;
        var pulls = contents.Pulls.GetValueOrDefault(digest);
        var scan = contents.ScanOf(digest, manifest.Parsed);
        var (platforms, configUnreadable) = await PlatformsAsync(registry, contents, manifest, ct);
        return new ArtifactView(digest, tags, ManifestKinds.Classify(manifest.Parsed), manifest.Record.MediaType,
            contents.SizeOf(digest), platforms, manifest.Record.CreatedAt,
            pulls?.LastPulledAt, pulls?.PullCount ?? 0, scan.Status, scan.Summary, manifest.Record.SubjectDigest, configUnreadable);
    }

    /// <summary>A page of the repository's tags (<see cref="TagSortKeys"/>). Unknown repository: <see cref="ManagementException"/> 404.</summary>
    /// <exception cref="InvalidCursorException">the cursor is of another sort key</exception>
    public async Task<ListPage<TagResponse>> ListTagsAsync(RegistryRecord registry, string repository, ListPageRequest request, CancellationToken ct)
    {
        var page = await artifacts.ListTagPageAsync((await RequireRepositoryAsync(registry, repository, ct)).Id, request, ct);
        return new ListPage<TagResponse>(page.Items.Select(t => new TagResponse(t.Name, t.ManifestDigest, t.UpdatedAt)).ToList(), page.HasMore, page.First, page.Last);
    }

    /// <summary>
    /// One manifest by digest, or null when the repository or the manifest does not exist. Indexed lookups of that
    /// manifest, its tags, children, indexes, referrers, pulls and scans only: O(1) in the repository's size.
    /// </summary>
    public async Task<ManifestDetailView?> GetManifestAsync(RegistryRecord registry, string repository, string digest, CancellationToken ct)
    {
        var record = RepositoryName.IsValid(repository) ? await artifacts.GetRepositoryAsync(registry.Id, repository, ct) : null;
        if (record is null || !Digest.TryParse(digest, out var parsedDigest)
            || await artifacts.GetManifestAsync(record.Id, parsedDigest.ToString(), ct) is not { } stored)
        {
            return null;
        }

        var manifest = Parse(stored);
        var contents = await LoadAsync(record, [manifest], ct);
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
        return new ManifestDetailView(key, manifest.Record.MediaType, ManifestKinds.Classify(parsed), parsed.ArtifactType,
            await artifacts.ListManifestTagsAsync(record.Id, key, ct),
            contents.SizeOf(key), (await PlatformsAsync(registry, contents, manifest, ct)).Platforms, manifest.Record.CreatedAt, pulls?.PullCount ?? 0,
            pulls?.LastPulledAt, config, layers, children, manifest.Record.SubjectDigest, parsed.Annotations, referrers,
            scan.Status, scan.Summary, Encoding.UTF8.GetString(manifest.Record.Content));
    }

    /// <summary>
    /// What deleting the registry would remove and whether anything still pulls from it: totals from one aggregate
    /// query each, and only the <see cref="SafetyReportRepositories"/> most recently pulled repositories listed.
    /// </summary>
    public async Task<SafetyReport> GetSafetyReportAsync(RegistryRecord registry, CancellationToken ct)
    {
        var pulls = await pullStats.GetRegistryPullSummaryAsync(registry.Id, time.GetUtcNow(), SafetyReportRepositories, ct);
        var counts = await artifacts.CountRegistryContentsAsync(registry.Id, ct);
        var usage = await artifacts.GetUsageAsync(registry.Id, ct);
        return new SafetyReport(
            pulls.PullsLast24Hours,
            pulls.PullsLast7Days,
            pulls.LastPulledAt,
            pulls.RecentRepositories.Select(p => new RepositoryPulls(p.Repository, p.PullsLast24Hours, p.PullsLast7Days, p.LastPulledAt)).ToList(),
            counts.Repositories,
            counts.Tags,
            counts.Manifests,
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

    private static StoredManifest Parse(ManifestRecord record) => new(record, ManifestValidator.ParseStored(record.Content, record.MediaType));

    /// <summary>
    /// What a page of manifests needs besides itself, in four queries for the page: the child manifests of its
    /// indexes (sizes), the indexes that list its images (platforms), its pulls and its scans.
    /// </summary>
    private async Task<RepositoryContents> LoadAsync(RepositoryRecord repository, IReadOnlyList<StoredManifest> page, CancellationToken ct)
    {
        var manifests = page.ToDictionary(m => m.Record.Digest, StringComparer.Ordinal);
        var children = page
            .SelectMany(m => m.Parsed.References.Where(r => r.Kind == ReferenceKind.Manifest).Select(r => r.Descriptor.Digest.ToString()))
            .Where(d => !manifests.ContainsKey(d))
            .ToHashSet(StringComparer.Ordinal);
        foreach (var child in await artifacts.GetManifestsAsync(repository.Id, children, ct))
        {
            manifests[child.Digest] = Parse(child);
        }

        var images = page.Where(m => !MediaTypes.IsIndex(m.Parsed.MediaType)).Select(m => m.Record.Digest).ToList();
        var indexedPlatforms = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in await artifacts.ListIndexesOfAsync(repository.Id, images, ct))
        {
            var platform = Parse(entry.Index).Parsed.References
                .Where(r => r.Kind == ReferenceKind.Manifest && r.Descriptor.Digest.ToString() == entry.ChildDigest)
                .Select(r => ManifestKinds.FormatPlatform(r.Descriptor.Platform))
                .FirstOrDefault(p => p is not null);
            if (platform is not null)
            {
                indexedPlatforms.TryAdd(entry.ChildDigest, platform);
            }
        }

        var digests = page.Select(m => m.Record.Digest).ToList();
        var pulls = (await pullStats.GetManifestPullStatsAsync(repository.Id, digests, ct)).ToDictionary(p => p.ManifestDigest, StringComparer.Ordinal);
        var badges = await vulnerabilities.LoadBadgesAsync(repository.Id, page.Select(m => (m.Record.Digest, m.Parsed)).ToList(), ct);
        return new RepositoryContents(manifests, indexedPlatforms, pulls, badges);
    }

    private sealed record StoredManifest(ManifestRecord Record, ParsedManifest Parsed);

    /// <summary>A page of manifests (and its indexes' children) with what the views of it show.</summary>
    private sealed class RepositoryContents(
        IReadOnlyDictionary<string, StoredManifest> manifests,
        IReadOnlyDictionary<string, string> indexedPlatforms,
        IReadOnlyDictionary<string, ManifestPullStats> pulls,
        Func<string, ParsedManifest, ScanBadge> scans)
    {
        private readonly Dictionary<string, long> _sizes = new(StringComparer.Ordinal);

        public IReadOnlyDictionary<string, ManifestPullStats> Pulls => pulls;

        /// <summary>The platform an index of the repository declares for each image of the page it lists.</summary>
        public IReadOnlyDictionary<string, string> IndexedPlatforms => indexedPlatforms;

        public ScanBadge ScanOf(string digest, ParsedManifest parsed) => scans(digest, parsed);

        /// <summary>
        /// The manifest's bytes plus its distinct blobs, plus (an index) its children's sizes; a child the repository
        /// lacks, or a grandchild (not loaded for the page), counts with its descriptor size. Memoised: children
        /// shared by several indexes are summed once each.
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
