using Berth.Registry.Auditing;
using Berth.Api;
using Berth.Core.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Berth.Registry.Management;

/// <summary>
/// Repositories, artifacts, manifests and tags of a registry under <c>/api/v1</c> (see docs/api.md). Viewers read,
/// developers delete. All logic is in <see cref="RegistryBrowser"/>, shared with the dashboard.
/// </summary>
/// <remarks>
/// Repository names contain '/', so the repository is a catch-all and the sub-resource is recognised from the end of
/// the path (<see cref="RepositoryPathConstraint"/>): <c>{repo}/tags</c>, <c>{repo}/artifacts</c>,
/// <c>{repo}/manifests/{digest}</c>, <c>{repo}/tags/{tag}</c>. A suffix always means the sub-resource.
/// </remarks>
public static class RepositoryEndpoints
{
    private const string Repositories = "/registries/{name}/repositories";

    /// <summary>The route constraint and API descriptions the repository endpoints need.</summary>
    internal static IServiceCollection AddBerthRepositoryApi(this IServiceCollection services)
    {
        services.Configure<RouteOptions>(options => options.SetParameterPolicy<RepositoryPathConstraint>(RepositoryPathConstraint.Name));
        services.TryAddEnumerable(ServiceDescriptor.Transient<IApiDescriptionProvider, DocumentedRepositoryPathProvider>());
        services.TryAddSingleton<RegistryBrowser>();
        services.TryAddSingleton<ArtifactDeletion>();
        return services;
    }

    public static RouteGroupBuilder MapBerthRepositoryApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("").WithTags("Repositories").ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet(Repositories, ListRepositoriesAsync)
            .WithSummary("List the repositories of a registry, with sizes and pull counts (paged; sort name, updated)")
            .ProducesPagedList<RepositoryView>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/registries/{name}/safety-report", GetSafetyReportAsync)
            .WithSummary("Pull activity of a registry and what deleting it would remove");
        group.MapGet(Repositories + "/{**path:" + RepositoryPathConstraint.Name + "(tags)}", ListTagsAsync)
            .WithSummary("List the tags of a repository (paged; sort name, updated)")
            .WithDocumentedPath("{repository}/tags")
            .ProducesPagedList<TagResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet(Repositories + "/{**path:" + RepositoryPathConstraint.Name + "(artifacts)}", ListArtifactsAsync)
            .WithSummary("List the artifacts (manifests) of a repository, newest first, each followed by its platform images and referrers (paged; sort -pushed, pushed)")
            .WithDocumentedPath("{repository}/artifacts")
            .ProducesPagedList<ArtifactView>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet(Repositories + "/{**path:" + RepositoryPathConstraint.Name + "(manifest)}", GetManifestAsync)
            .WithSummary("Describe a manifest: config, layers, platforms, referrers and its JSON")
            .WithDocumentedPath("{repository}/manifests/{digest}");
        group.MapDelete(Repositories + "/{**path:" + RepositoryPathConstraint.Name + "(manifest)}", DeleteManifestAsync)
            .WithSummary("Delete a manifest and its tags (restorable for the recovery window, then the blobs only it used are freed). 409 while an index of the repository lists it")
            .WithDocumentedPath("{repository}/manifests/{digest}")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete(Repositories + "/{**path:" + RepositoryPathConstraint.Name + "(tag)}", DeleteTagAsync)
            .WithSummary("Delete a tag (restorable for the recovery window); the manifest stays reachable by digest")
            .WithDocumentedPath("{repository}/tags/{tag}")
            .ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapDelete(Repositories + "/{**path:" + RepositoryPathConstraint.Name + "(repository)}", DeleteRepositoryAsync)
            .WithSummary("Delete a repository with all its manifests and tags; frees the blobs no other repository uses")
            .WithDocumentedPath("{repository}")
            .ProducesProblem(StatusCodes.Status403Forbidden);
        return api;
    }

    private static async Task<PagedList<RepositoryView>> ListRepositoriesAsync(
        string name, [AsParameters] ListQuery query, HttpContext context, ProjectAccess access, RegistryBrowser browser, CancellationToken ct)
    {
        var request = query.ToRequest(ListSort.Ascending(ListSort.NameKey), RegistryBrowser.RepositorySortKeys);
        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Viewer, ct);
        var page = await browser.ListRepositoriesAsync(registry, request, ct);
        return new PagedList<RepositoryView>(page.Items, page.Next, request);
    }

    private static async Task<Ok<SafetyReport>> GetSafetyReportAsync(
        string name, HttpContext context, ProjectAccess access, RegistryBrowser browser, CancellationToken ct)
    {
        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Viewer, ct);
        return TypedResults.Ok(await browser.GetSafetyReportAsync(registry, ct));
    }

    private static async Task<PagedList<TagResponse>> ListTagsAsync(
        string name, string path, [AsParameters] ListQuery query, HttpContext context, ProjectAccess access, RegistryBrowser browser, CancellationToken ct)
    {
        var request = query.ToRequest(ListSort.Ascending(ListSort.NameKey), RegistryBrowser.TagSortKeys);
        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Viewer, ct);
        var page = await browser.ListTagsAsync(registry, RepositoryPathConstraint.Split(path, "/tags").Repository, request, ct);
        return new PagedList<TagResponse>(page.Items, page.Next, request);
    }

    private static async Task<PagedList<ArtifactView>> ListArtifactsAsync(
        string name, string path, [AsParameters] ListQuery query, HttpContext context, ProjectAccess access, RegistryBrowser browser, CancellationToken ct)
    {
        var request = query.ToRequest(RegistryBrowser.DefaultArtifactSort, RegistryBrowser.ArtifactSortKeys);
        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Viewer, ct);
        var page = await browser.ListArtifactsAsync(registry, RepositoryPathConstraint.Split(path, "/artifacts").Repository, request, ct);
        return new PagedList<ArtifactView>(page.Items, page.Next, request);
    }

    private static async Task<Ok<ManifestDetailView>> GetManifestAsync(
        string name, string path, HttpContext context, ProjectAccess access, RegistryBrowser browser, CancellationToken ct)
    {
        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Viewer, ct);
        var (repository, digest) = RepositoryPathConstraint.Split(path, "/manifests/");
        return TypedResults.Ok(await browser.GetManifestAsync(registry, repository, digest, ct)
            ?? throw new ManagementException(StatusCodes.Status404NotFound, "Manifest not found", $"Repository '{repository}' has no manifest '{digest}'."));
    }

    private static async Task<NoContent> DeleteManifestAsync(
        string name, string path, HttpContext context, ProjectAccess access, ArtifactDeletion deletion, CancellationToken ct)
    {
        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Developer, ct);
        var (repository, digest) = RepositoryPathConstraint.Split(path, "/manifests/");
        await deletion.DeleteManifestAsync(registry, repository, digest, AuditActor.From(context), ct);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> DeleteTagAsync(
        string name, string path, HttpContext context, ProjectAccess access, ArtifactDeletion deletion, CancellationToken ct)
    {
        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Developer, ct);
        var (repository, tag) = RepositoryPathConstraint.Split(path, "/tags/");
        await deletion.DeleteTagAsync(registry, repository, tag, AuditActor.From(context), ct);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> DeleteRepositoryAsync(
        string name, string path, HttpContext context, ProjectAccess access, ArtifactDeletion deletion, CancellationToken ct)
    {
        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Developer, ct);
        await deletion.DeleteRepositoryAsync(registry, path, AuditActor.From(context), ct);
        return TypedResults.NoContent();
    }
}
