namespace Berth.Core.Metadata;

/// <summary>
/// A registry's credential changed: <see cref="Generation"/> is the new generation, or null when the registry was
/// deleted. A null <see cref="RegistryId"/> means notifications may have been missed. With
/// <see cref="DeletedFederationRuleId"/> set, the registry's federation rule of that id was deleted (its generation is
/// unchanged, and null here).
/// </summary>
public sealed record CredentialChange(string? RegistryId, long? Generation)
{
    public static readonly CredentialChange MayHaveMissedChanges = new(null, null);

    public string? DeletedFederationRuleId { get; init; }
}
