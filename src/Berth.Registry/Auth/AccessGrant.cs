namespace Berth.Registry.Auth;

/// <summary>One entry of a token's <c>access</c> claim: what may be done on one resource.</summary>
public sealed record AccessGrant(string Type, string Name, IReadOnlyList<string> Actions);
