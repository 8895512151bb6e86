namespace Berth.Core.Metadata;

/// <summary>
/// A dashboard/API user. <see cref="SecurityStamp"/> changes with the password (and on demand): sessions and cached
/// verifications made under an older stamp stop working. The hash of the password it replaced (and when) is kept so a
/// client still sending that one can be told why it fails.
/// </summary>
public sealed record UserRecord(
    string Id,
    string Username,
    string PasswordHash,
    bool IsAdmin,
    long SecurityStamp,
    DateTimeOffset CreatedAt,
    string? PreviousPasswordHash = null,
    DateTimeOffset? PasswordChangedAt = null);
