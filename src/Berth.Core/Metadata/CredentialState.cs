namespace Berth.Core.Metadata;

/// <summary>
/// What decides whether a credential generation of a registry is still good: the current <see cref="Generation"/>,
/// and, while a reset's overlap lasts (until <see cref="PreviousValidUntil"/>), the one before it.
/// </summary>
public sealed record CredentialState(long Generation, DateTimeOffset? PreviousValidUntil);
