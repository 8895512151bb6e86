namespace Berth.Registry.Retention;

/// <summary>
/// A tag an immutability rule protects was to be moved or deleted (directly, or with the manifest carrying it). /v2
/// answers 403 DENIED, the management API and the dashboard 409, all with this message, which names the rule.
/// </summary>
public sealed class ImmutableTagException(string repository, string tag, ImmutabilityRule rule)
    : Exception($"tag \"{tag}\" is immutable ({rule})")
{
    public string Repository { get; } = repository;

    public string Tag { get; } = tag;

    public ImmutabilityRule Rule { get; } = rule;
}
