using Berth.Core.Metadata;
using Berth.Registry.Distribution;
using Berth.Registry.Management;
using Berth.Registry.Retention;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Dashboard.Pages.Registries;

/// <summary>
/// A repository's artifacts, newest first, a page of <see cref="KeysetPaging.PageSize"/> at a time (Previous/Next), or
/// those with a tag containing <c>?q=</c>: the page's size and cost do not grow with the repository.
/// </summary>
public sealed class RepositoryModel(ProjectAccess access, IArtifactStore artifacts, RegistryAddressing addressing, RegistryBrowser browser,
    TagImmutability immutability) : PageModel
{
    public RegistrySummary Summary { get; private set; } = null!;

    public string Repository { get; private set; } = "";

    public IReadOnlyList<ArtifactView> Artifacts { get; private set; } = [];

    /// <summary>Search, sort and Previous/Next of the artifact list.</summary>
    public KeysetLinks ArtifactLinks { get; private set; } = null!;

    /// <summary>The registry's immutability rules: protected tags get an "immutable" badge.</summary>
    public ImmutabilityRules Immutable { get; private set; } = ImmutabilityRules.None;

    /// <summary>Developers may delete the repository.</summary>
    public bool CanDelete { get; private set; }

    [TempData]
    public string? Notice { get; set; }

    public async Task OnGetAsync(string name, string repository)
    {
        var ct = HttpContext.RequestAborted;
        var (registry, role) = await access.RequireRegistryAsync(User, name, ProjectRole.Viewer, ct);
        CanDelete = role >= ProjectRole.Developer;
        Summary = await RegistrySummary.LoadAsync(registry, artifacts, addressing, Request, ct);
        Repository = repository;
        var page = await KeysetPaging.LoadAsync(Request, RegistryBrowser.DefaultArtifactSort, RegistryBrowser.ArtifactSortKeys, "artifacts",
            request => browser.ListArtifactsAsync(registry, repository, request, ct));
        Artifacts = page.Items;
        ArtifactLinks = page.Links;
        Immutable = await immutability.GetRulesAsync(registry.Id, ct);
    }
}
