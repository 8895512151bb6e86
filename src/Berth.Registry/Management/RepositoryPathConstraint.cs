using Berth.Core.Distribution;

namespace Berth.Registry.Management;

/// <summary>
/// Routes a repository catch-all (<c>{**path:repositoryPath(kind)}</c>) by what the path ends with (split by
/// <see cref="RepositoryPath"/>, as /v2 paths are), since repository names contain '/': <c>tags</c> (<c>…/tags</c>), <c>artifacts</c> (<c>…/artifacts</c>), <c>manifest</c>
/// (<c>…/manifests/{digest}</c>), <c>tag</c> (<c>…/tags/{tag}</c>), <c>repository</c> (neither of the last two),
/// <c>vulnerabilities</c>, <c>scan</c> and <c>sbom</c> (<c>…/manifests/{reference}/vulnerabilities</c>, …). The kinds of one HTTP method exclude each other, so routing is never ambiguous.
/// </summary>
public sealed class RepositoryPathConstraint : IRouteConstraint
{
    public const string Name = "repositoryPath";

    private readonly Func<string, bool> _matches;

    public RepositoryPathConstraint(string kind)
    {
        _matches = kind switch
        {
            "tags" => path => RepositoryPath.TryTrimSuffix(path, "/tags", out _),
            "artifacts" => path => RepositoryPath.TryTrimSuffix(path, "/artifacts", out _),
            "manifest" => path => IsLastSegment(path, "/manifests/"),
            "tag" => path => IsLastSegment(path, "/tags/"),
            "repository" => path => !IsLastSegment(path, "/manifests/") && !IsLastSegment(path, "/tags/"),
            "vulnerabilities" => path => IsManifestResource(path, "/vulnerabilities"),
            "scan" => path => IsManifestResource(path, "/scan"),
            "sbom" => path => IsManifestResource(path, "/sbom"),
            _ => throw new ArgumentException($"unknown repository path kind '{kind}'", nameof(kind)),
        };
    }

    public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection) =>
        values.TryGetValue(routeKey, out var value) && value?.ToString() is { Length: > 0 } path && _matches(path);

    /// <summary>
    /// Splits a path this constraint matched into the repository and what follows <paramref name="marker"/>: the final
    /// segment (digest or tag) for a marker ending in '/', else nothing.
    /// </summary>
    public static (string Repository, string Remainder) Split(string path, string marker)
    {
        if (marker.EndsWith('/'))
        {
            return RepositoryPath.TrySplitLastSegment(path, marker, out var repository, out var segment)
                ? (repository, segment)
                : throw new ArgumentException($"'{path}' does not end with {marker}<segment>", nameof(path));
        }

        return RepositoryPath.TryTrimSuffix(path, marker, out var name)
            ? (name, "")
            : throw new ArgumentException($"'{path}' does not end with {marker}", nameof(path));
    }

    /// <summary>Splits <c>{repository}/manifests/{reference}{suffix}</c> into the repository and the reference.</summary>
    public static (string Repository, string Reference) SplitManifestResource(string path, string suffix) =>
        Split(path[..^suffix.Length], "/manifests/");

    private static bool IsManifestResource(string path, string suffix) =>
        RepositoryPath.TryTrimSuffix(path, suffix, out var resource) && IsLastSegment(resource, "/manifests/");

    private static bool IsLastSegment(string path, string marker) => RepositoryPath.TrySplitLastSegment(path, marker, out _, out _);
}
