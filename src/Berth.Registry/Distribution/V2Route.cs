using Berth.Core.Distribution;

namespace Berth.Registry.Distribution;

public enum V2RouteKind
{
    NotFound,
    Base,
    Catalog,
    Tags,
    Manifest,
    Blob,
    UploadStart,
    Upload,
    Referrers,
}

/// <summary>A parsed /v2 path: what resource, of which repository name, with which reference (tag, digest or upload id).</summary>
public readonly record struct V2Route(V2RouteKind Kind, string Name, string Reference)
{
    private static readonly V2Route NotFoundRoute = new(V2RouteKind.NotFound, "", "");

    /// <summary>
    /// Parses the path below <c>/v2</c>. Repository names contain '/', and may even contain a component called
    /// "manifests" or "blobs", so the resource is recognised from the END of the path (<see cref="RepositoryPath"/>),
    /// as the spec's grammar anchors it: <c>&lt;name&gt;/manifests/&lt;reference&gt;</c>, <c>&lt;name&gt;/blobs/uploads/&lt;id&gt;</c>, ….
    /// </summary>
    public static V2Route Parse(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "/")
        {
            return new V2Route(V2RouteKind.Base, "", "");
        }

        if (path[0] != '/')
        {
            return NotFoundRoute;
        }

        var p = path[1..];
        if (p == "_catalog")
        {
            return new V2Route(V2RouteKind.Catalog, "", "");
        }

        if (RepositoryPath.TryTrimSuffix(p, "/tags/list", out var name))
        {
            return new V2Route(V2RouteKind.Tags, name, "");
        }

        if (RepositoryPath.TryTrimSuffix(p, "/blobs/uploads/", out name) || RepositoryPath.TryTrimSuffix(p, "/blobs/uploads", out name))
        {
            return new V2Route(V2RouteKind.UploadStart, name, "");
        }

        if (RepositoryPath.TrySplitLastSegment(p, "/blobs/uploads/", out name, out var reference))
        {
            return new V2Route(V2RouteKind.Upload, name, reference);
        }

        if (RepositoryPath.TrySplitLastSegment(p, "/blobs/", out name, out reference))
        {
            return new V2Route(V2RouteKind.Blob, name, reference);
        }

        if (RepositoryPath.TrySplitLastSegment(p, "/manifests/", out name, out reference))
        {
            return new V2Route(V2RouteKind.Manifest, name, reference);
        }

        if (RepositoryPath.TrySplitLastSegment(p, "/referrers/", out name, out reference))
        {
            return new V2Route(V2RouteKind.Referrers, name, reference);
        }

        return NotFoundRoute;
    }
}
