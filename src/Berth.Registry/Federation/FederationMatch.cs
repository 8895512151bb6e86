using Berth.Core.Metadata;

namespace Berth.Registry.Federation;

/// <summary>
/// The outcome of checking an ID token against a registry's rules: the rule it satisfies and until when the sign-in
/// holds (the sooner of the token's <c>exp</c> and the rule's token lifetime), or why it was refused.
/// </summary>
public sealed record FederationMatch(FederationRuleRecord? Rule, DateTimeOffset ValidUntil, string? Failure)
{
    public static FederationMatch Refused(string reason) => new(null, default, reason);
}
