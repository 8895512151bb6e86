namespace Berth.Core.Metadata;

/// <summary>
/// The outcome of a restore: the restored entry, or why not (<see cref="ConflictingDigest"/> is where the live tag of
/// that name points; <see cref="MissingDigest"/> the content a restore would need that is gone).
/// </summary>
public sealed record BinRestore(BinRestoreStatus Status, BinEntry? Entry = null, string? ConflictingDigest = null, string? MissingDigest = null);
