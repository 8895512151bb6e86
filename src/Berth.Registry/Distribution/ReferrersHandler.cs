using System.Text.Json;
using Berth.Core.Distribution;
using Berth.Core.Metadata;

namespace Berth.Registry.Distribution;

/// <summary>
/// <c>GET /v2/&lt;name&gt;/referrers/&lt;digest&gt;[?artifactType=]</c>: an OCI index of the manifests whose subject is
/// the digest. Per spec never 404: an unknown digest or repository has an empty list.
/// </summary>
public sealed class ReferrersHandler(IArtifactStore artifacts)
{
    public async Task HandleAsync(V2Request request)
    {
        if (!HttpMethods.IsGet(request.Request.Method) && !HttpMethods.IsHead(request.Request.Method))
        {
            throw new OciException(OciErrorCode.Unsupported);
        }

        var subject = Digest.Parse(request.Route.Reference);
        var artifactType = request.Request.Query["artifactType"].ToString();
        var filter = artifactType.Length > 0 ? artifactType : null;
        var repository = await artifacts.GetRepositoryAsync(request.RegistryId, request.Target.Repository, request.Aborted);
        var referrers = repository is null
            ? []
            : await artifacts.ListReferrersAsync(repository.Id, subject.ToString(), filter, request.Aborted);

        var descriptors = referrers.Select(r => new ReferrerDescriptor(
            r.MediaType,
            r.Digest,
            r.Size,
            r.ArtifactType,
            r.AnnotationsJson is null ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(r.AnnotationsJson))).ToList();

        if (filter is not null)
        {
            request.Response.Headers["OCI-Filters-Applied"] = "artifactType";
        }

        request.Response.ContentType = MediaTypes.OciIndex;
        await JsonSerializer.SerializeAsync(request.Response.Body, new ReferrerIndex(2, MediaTypes.OciIndex, descriptors), V2Json.Options, request.Aborted);
    }

    private sealed record ReferrerIndex(int SchemaVersion, string MediaType, IReadOnlyList<ReferrerDescriptor> Manifests);

    private sealed record ReferrerDescriptor(string MediaType, string Digest, long Size, string? ArtifactType, Dictionary<string, string>? Annotations);
}
