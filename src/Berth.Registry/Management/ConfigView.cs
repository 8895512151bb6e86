namespace Berth.Registry.Management;

/// <summary>
/// An image manifest's config blob; the image fields are null when absent (or not an image config).
/// <see cref="Unreadable"/> says why an image config could not be read (not UTF-8, not JSON, a duplicate key).
/// </summary>
public sealed record ConfigView(
    string Digest,
    string MediaType,
    long Size,
    string? Os,
    string? Architecture,
    string? Variant,
    DateTimeOffset? Created,
    IReadOnlyList<string>? Entrypoint,
    IReadOnlyList<string>? Cmd,
    IReadOnlyList<string>? Env,
    IReadOnlyDictionary<string, string>? Labels,
    string? Unreadable);
