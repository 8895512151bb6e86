namespace Berth.Api;

/// <summary>A registry's tag immutability rules, in the order they are numbered in refusals (rule 1 first); <see cref="UpdatedAt"/> null when it never had any.</summary>
public sealed record ImmutabilityResponse(IReadOnlyList<ImmutabilityRuleView> Rules, DateTimeOffset? UpdatedAt);
