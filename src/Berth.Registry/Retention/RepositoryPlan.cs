using Berth.Core.Metadata;

namespace Berth.Registry.Retention;

/// <summary>
/// What cleanup deletes in one repository: tags (untagged first), then manifests in <see cref="Manifests"/> order
/// (referrers before their subject, an index before its children), and the candidates it keeps.
/// </summary>
public sealed record RepositoryPlan(IReadOnlyList<CleanupTag> Tags, IReadOnlyList<string> Manifests, IReadOnlyList<CleanupProtection> Protected)
{
    public static readonly RepositoryPlan Empty = new([], [], []);

    public bool IsEmpty => Tags.Count == 0 && Manifests.Count == 0 && Protected.Count == 0;
}
