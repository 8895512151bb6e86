namespace Berth.Api;

/// <summary>
/// A tag immutability rule: tags of repositories matching <see cref="Repositories"/> (a glob, <c>**</c> for all) whose
/// name matches <see cref="TagPattern"/> (a regular expression; every tag when omitted) and not
/// <see cref="ExcludeTagPattern"/> can be created but never moved to another manifest or deleted.
/// </summary>
public sealed record ImmutabilityRuleView(string? Repositories, string? TagPattern, string? ExcludeTagPattern);
