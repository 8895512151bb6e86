using Berth.Registry.Auditing;
using Berth.Api;
using Berth.Core.Distribution;
using Berth.Core.Metadata;
using Microsoft.AspNetCore.Mvc;

using Berth.Registry.Retention;

namespace Berth.Registry.Management;

/// <summary>
/// The recovery bin of a registry under <c>/api/v1</c> (see docs/api.md): recently deleted tags and manifests, and
/// restoring them. Viewers list, developers restore.
/// </summary>
public static class BinEndpoints
{
    public static RouteGroupBuilder MapBerthBinApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("").WithTags("Recovery bin").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/registries/{name}/deleted", ListAsync)
            .WithSummary("List recently deleted tags and manifests, still restorable (paged, newest first; ?repository= filters)")
            .ProducesPagedList<DeletedEntryResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapPost("/registries/{name}/deleted/restore", RestoreAsync)
            .WithSummary("Restore a deleted tag ({\"repository\",\"tag\"}: with its manifest) or manifest ({\"repository\",\"digest\"}). 409 when a live tag of that name points elsewhere")
            .Produces<DeletedEntryResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    private static async Task<PagedList<DeletedEntryResponse>> ListAsync(string name, [AsParameters] ListQuery query,
        [FromQuery(Name = "repository")] string? repository, HttpContext context, ProjectAccess access, ArtifactBin bin, CancellationToken ct)
    {
        var request = query.ToRequest(ListSort.Descend(ListSort.DeletedKey), ListSort.DeletedKey);
        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Viewer, ct);
        var page = await bin.ListAsync(registry, string.IsNullOrEmpty(repository) ? null : repository, request, ct);
        return new PagedList<DeletedEntryResponse>(page.Items.Select(ToResponse).ToList(), page.Next, request);
    }

    private static async Task<DeletedEntryResponse> RestoreAsync(string name, RestoreRequest? body, HttpContext context, ProjectAccess access,
        ArtifactBin bin, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(body?.Repository) || string.IsNullOrEmpty(body.Tag) == string.IsNullOrEmpty(body.Digest))
        {
            throw new ManagementException(StatusCodes.Status400BadRequest, "Invalid body",
                "The body must be JSON with \"repository\" and either \"tag\" or \"digest\".");
        }

        if (body.Digest is { Length: > 0 } digest && !Digest.TryParse(digest, out _))
        {
            throw new ManagementException(StatusCodes.Status400BadRequest, "Invalid digest", $"'{digest}' is not a digest.");
        }

        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Developer, ct);
        return ToResponse(await bin.RestoreAsync(registry, body.Repository, body.Tag ?? body.Digest!, AuditActor.From(context), ct));
    }

    internal static DeletedEntryResponse ToResponse(BinEntry entry) =>
        new(entry.Repository, entry.Tag, entry.Digest, entry.DeletedAt, entry.ExpiresAt);
}
