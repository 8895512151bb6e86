using Berth.Core.Metadata;
using Berth.Registry.Distribution;
using Berth.Registry.Management;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Dashboard.Pages.Registries;

/// <summary>
/// A repository's artifacts, newest first, <see cref="PageSize"/> at a time (<c>?after=</c> from the Next link), or
/// those with a tag containing <c>?q=</c>: the page's size and cost do not grow with the repository.
/// </summary>
public sealed class RepositoryModel(ProjectAccess access, IArtifactStore artifacts, RegistryAddressing addressing, RegistryBrowser browser) : PageModel
{
    public const int PageSize = 50;

    public RegistrySummary Summary { get; private set; } = null!;

    public string Repository { get; private set; } = "";

    public IReadOnlyList<ArtifactView> Artifacts { get; private set; } = [];

    /// <summary>The tag search, when there is one.</summary>
    public string? Q { get; private set; }

    /// <summary>True when this is not the first page (<c>?after=</c>).</summary>
    public bool Continued { get; private set; }

    /// <summary>The address of the next page; null on the last.</summary>
    public string? NextPage { get; private set; }

    [TempData]
    public string? Notice { get; set; }

    public async Task OnGetAsync(string name, string repository)
    {
        var ct = HttpContext.RequestAborted;
        var query = ListPageRequest.Parse(Request.Query, ListSorts.Artifacts, PageSize);
        var (registry, _) = await access.RequireRegistryAsync(User, name, ProjectRole.Viewer, ct);
        Summary = await RegistrySummary.LoadAsync(registry, artifacts, addressing, Request, ct);
        Repository = repository;
        Q = query.Q;
        Continued = query.After is not null;
        var page = await browser.ListArtifactsAsync(registry, repository, query, ct);
        Artifacts = page.Items;
        NextPage = ListPageRequest.NextPage(Request, page.Next);
    }
}
