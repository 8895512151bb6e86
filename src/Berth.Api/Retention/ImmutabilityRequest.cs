namespace Berth.Api;

/// <summary>Body of <c>PUT /api/v1/registries/{name}/immutability</c>: the registry's rules, replacing the previous ones (an empty list: none).</summary>
public sealed record ImmutabilityRequest(List<ImmutabilityRuleView>? Rules);
