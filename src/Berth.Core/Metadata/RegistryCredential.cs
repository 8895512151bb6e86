namespace Berth.Core.Metadata;

/// <summary>
/// A registry's one credential. <see cref="Generation"/> changes on every password reset; tokens and cached
/// verifications carry the generation they were made under and die when it moves on. The hash of the password it
/// replaced (and when) is kept so a client still sending that one can be told why it fails; until
/// <see cref="PreviousPasswordValidUntil"/> (a reset with an overlap) it still works, as generation
/// <see cref="Generation"/> - 1.
/// </summary>
public sealed record RegistryCredential(
    string RegistryId,
    string Username,
    string PasswordHash,
    long Generation,
    string? PreviousPasswordHash = null,
    DateTimeOffset? PasswordReplacedAt = null,
    DateTimeOffset? PreviousPasswordValidUntil = null);
