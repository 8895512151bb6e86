namespace Berth.Core.Distribution;

/// <summary>
/// Splits URL paths that start with a repository name. Names contain '/' and may even have a component called
/// "manifests" or "tags", so what a path addresses is recognised from its END, as the distribution spec anchors it
/// (<c>&lt;name&gt;/manifests/&lt;reference&gt;</c>): the /v2 API (<c>V2Route</c>) and the management API
/// (<c>RepositoryPathConstraint</c>) both split here. Names are split, not validated: callers check them against
/// <see cref="RepositoryName"/> where an invalid name has its own answer.
/// </summary>
public static class RepositoryPath
{
    /// <summary>Matches <c>&lt;repository&gt;&lt;suffix&gt;</c> with a non-empty repository, e.g. <c>shop/api/tags/list</c>.</summary>
    public static bool TryTrimSuffix(string path, string suffix, out string repository)
    {
        if (path.Length > suffix.Length && path.EndsWith(suffix, StringComparison.Ordinal))
        {
            repository = path[..^suffix.Length];
            return true;
        }

        repository = "";
        return false;
    }

    /// <summary>
    /// Matches <c>&lt;repository&gt;&lt;marker&gt;&lt;segment&gt;</c> with a non-empty repository and a final segment
    /// without '/', e.g. <c>shop/api/manifests/latest</c> with the marker <c>/manifests/</c>.
    /// </summary>
    public static bool TrySplitLastSegment(string path, string marker, out string repository, out string segment)
    {
        // The last occurrence is the only candidate: the segment after it may not contain '/', and the marker ends in one.
        var index = path.LastIndexOf(marker, StringComparison.Ordinal);
        var rest = index + marker.Length;
        if (index > 0 && rest < path.Length && path.IndexOf('/', rest) < 0)
        {
            repository = path[..index];
            segment = path[rest..];
            return true;
        }

        repository = "";
        segment = "";
        return false;
    }

    /// <summary>Splits <c>&lt;first&gt;/&lt;rest&gt;</c> at the first '/' when the first component is non-empty (a path-based registry name).</summary>
    public static bool TrySplitFirstComponent(string name, out string first, out string rest)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            first = name[..slash];
            rest = name[(slash + 1)..];
            return true;
        }

        first = "";
        rest = "";
        return false;
    }
}
