namespace Berth.Core.Metadata;

/// <summary>An index of a repository that lists a given manifest among its <c>manifests</c>, with the index's tags.</summary>
public sealed record ReferencingIndex(string Digest, IReadOnlyList<string> Tags);
