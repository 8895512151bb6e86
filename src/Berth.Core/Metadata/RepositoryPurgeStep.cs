namespace Berth.Core.Metadata;

/// <summary>
/// One batch of a repository purge: the blobs it unlinked from the repository, and whether anything of the
/// repository is left (false once its row is gone).
/// </summary>
public sealed record RepositoryPurgeStep(IReadOnlyList<string> UnlinkedDigests, bool More);
