namespace Berth.Registry.Retention;

/// <summary>A deletion candidate (a tag, or a manifest by digest) that cleanup keeps, and why (see <see cref="RepositoryCleanup"/>).</summary>
public sealed record CleanupProtection(string Reference, string Reason);
