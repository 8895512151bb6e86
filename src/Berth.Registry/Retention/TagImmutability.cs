using Berth.Registry.Auditing;
using System.Collections.Concurrent;
using System.Text.Json;
using Berth.Api;
using Berth.Core.Metadata;

namespace Berth.Registry.Retention;

/// <summary>
/// A registry's tag immutability rules: read on every push of a tag and every delete, so each node keeps them for a
/// few seconds (<see cref="CacheFor"/>); a change made on this node applies here at once, on the others within that
/// time. Changes are audited (<c>immutability.updated</c>).
/// </summary>
public sealed partial class TagImmutability(
    ITagImmutabilityStore store,
    IArtifactStore artifacts,
    RegistryAudit audit,
    TimeProvider time,
    ILogger<TagImmutability> logger)
{
    /// <summary>Most rules a registry can have: each push of a tag runs them all.</summary>
    public const int MaxRules = 50;

    /// <summary>How long a node relies on rules it read: how late another node's change can apply here.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(3);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ConcurrentDictionary<string, (ImmutabilityRules Rules, DateTimeOffset? UpdatedAt, DateTimeOffset ReadAt)> _cache = new(StringComparer.Ordinal);

    public async Task<ImmutabilityRules> GetRulesAsync(string registryId, CancellationToken ct) =>
        (await GetAsync(registryId, ct)).Rules;

    /// <summary>The rules with when they were last changed (null: never).</summary>
    public async Task<(ImmutabilityRules Rules, DateTimeOffset? UpdatedAt)> GetAsync(string registryId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(registryId, out var cached) && now - cached.ReadAt < CacheFor)
        {
            return (cached.Rules, cached.UpdatedAt);
        }

        var record = await store.GetTagImmutabilityAsync(registryId, ct);
        var rules = record is null ? ImmutabilityRules.None : Read(registryId, record.RulesJson);
        _cache[registryId] = (rules, record?.UpdatedAt, now);
        return (rules, record?.UpdatedAt);
    }

    /// <summary>Replaces the registry's rules (none: every tag is mutable again) and audits the change.</summary>
    /// <exception cref="ManagementException">404 when the registry is gone</exception>
    public async Task<ImmutabilityRules> SetRulesAsync(RegistryRecord registry, IReadOnlyList<ImmutabilityRule> rules, AuditActor actor, CancellationToken ct)
    {
        var set = new ImmutabilityRules(rules);
        var now = time.GetUtcNow();
        var json = set.IsEmpty ? null : JsonSerializer.Serialize(set.Rules.Select(ToView).ToList(), Json);
        if (!await store.SetTagImmutabilityAsync(registry.Id, json, now, ct))
        {
            throw new ManagementException(StatusCodes.Status404NotFound, "Registry not found", $"There is no registry named '{registry.Name}'.");
        }

        _cache[registry.Id] = (set, set.IsEmpty ? null : now, now);
        await audit.AuditAsync(registry, actor, "immutability.updated",
            set.IsEmpty ? "no rules" : string.Join("; ", set.Rules.Select(r => r.ToString())), CancellationToken.None);
        return set;
    }

    /// <summary>Refuses to delete (untag) a protected tag.</summary>
    /// <exception cref="ImmutableTagException">a rule protects the tag</exception>
    public async Task EnsureTagDeletableAsync(string registryId, string repository, string tag, CancellationToken ct)
    {
        if ((await GetRulesAsync(registryId, ct)).Protecting(repository, tag) is { } rule)
        {
            throw new ImmutableTagException(repository, tag, rule);
        }
    }

    /// <summary>Refuses to delete a manifest that carries a protected tag (deleting it would delete the tag).</summary>
    /// <exception cref="ImmutableTagException">a rule protects one of the manifest's tags</exception>
    public async Task EnsureManifestDeletableAsync(string registryId, RepositoryRecord repository, string digest, CancellationToken ct)
    {
        var rules = await GetRulesAsync(registryId, ct);
        if (rules.IsEmpty || !rules.CoversRepository(repository.Name))
        {
            return;
        }

        foreach (var tag in await artifacts.ListManifestTagsAsync(repository.Id, digest, ct))
        {
            if (rules.Protecting(repository.Name, tag) is { } rule)
            {
                throw new ImmutableTagException(repository.Name, tag, rule);
            }
        }
    }

    /// <summary>Refuses to delete a repository holding a protected tag; reads its tags only when a rule covers it, a page at a time.</summary>
    /// <exception cref="ImmutableTagException">a rule protects one of the repository's tags</exception>
    public async Task EnsureRepositoryDeletableAsync(string registryId, RepositoryRecord repository, CancellationToken ct)
    {
        const int Page = 1000;
        var rules = await GetRulesAsync(registryId, ct);
        if (rules.IsEmpty || !rules.CoversRepository(repository.Name))
        {
            return;
        }

        string? last = null;
        IReadOnlyList<string> tags;
        do
        {
            tags = await artifacts.ListTagsAsync(repository.Id, last, Page, ct);
            foreach (var tag in tags)
            {
                if (rules.Protecting(repository.Name, tag) is { } rule)
                {
                    throw new ImmutableTagException(repository.Name, tag, rule);
                }
            }

            last = tags.Count > 0 ? tags[^1] : null;
        }
        while (tags.Count == Page);
    }

    /// <summary>
    /// Parses rules as the API and the dashboard receive them.
    /// </summary>
    /// <exception cref="ManagementException">400 naming the field (<c>rules[1].tagPattern</c>) that is not valid, or too many rules</exception>
    public static IReadOnlyList<ImmutabilityRule> Parse(IReadOnlyList<ImmutabilityRuleView>? views)
    {
        if (views is null)
        {
            throw Invalid("rules", "rules is required (an empty list removes every rule)");
        }

        if (views.Count > MaxRules)
        {
            throw Invalid("rules", $"rules: at most {MaxRules} rules, not {views.Count}");
        }

        var rules = new List<ImmutabilityRule>(views.Count);
        for (var i = 0; i < views.Count; i++)
        {
            var view = views[i] ?? throw Invalid($"rules[{i}]", $"rules[{i}] is null");
            if (!ImmutabilityRule.TryParse(view.Repositories, view.TagPattern, view.ExcludeTagPattern, out var rule, out var error))
            {
                var field = error.Split([':', ' '], 2)[0];
                throw Invalid($"rules[{i}].{field}", $"rules[{i}].{error}");
            }

            rules.Add(rule);
        }

        return rules;
    }

    public static ImmutabilityRuleView ToView(ImmutabilityRule rule) => new(rule.Repositories, rule.TagPattern, rule.ExcludeTagPattern);

    private static ManagementException Invalid(string field, string detail) =>
        new(StatusCodes.Status400BadRequest, "Invalid immutability rules", detail) { Extensions = new Dictionary<string, object?> { ["field"] = field } };

    private ImmutabilityRules Read(string registryId, string json)
    {
        var rules = new List<ImmutabilityRule>();
        foreach (var view in JsonSerializer.Deserialize<List<ImmutabilityRuleView>>(json, Json) ?? [])
        {
            if (ImmutabilityRule.TryParse(view.Repositories, view.TagPattern, view.ExcludeTagPattern, out var rule, out var error))
            {
                rules.Add(rule);
            }
            else
            {
                // Validated when stored: only a change in what the server accepts gets here. The other rules still hold.
                LogUnreadableRule(registryId, error);
            }
        }

        return new ImmutabilityRules(rules);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Registry {RegistryId} has a tag immutability rule this server can't read, ignored: {Error}")]
    private partial void LogUnreadableRule(string registryId, string error);
}
