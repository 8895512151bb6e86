using Berth.Core.Metadata;
using Berth.Registry.Distribution;
using Berth.Registry.Management;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Dashboard.Pages.Registries;

public sealed class RepositoryModel(ProjectAccess access, IArtifactStore artifacts, RegistryAddressing addressing, RegistryBrowser browser) : PageModel
{
    public RegistrySummary Summary { get; private set; } = null!;

    public string Repository { get; private set; } = "";

    public IReadOnlyList<ArtifactView> Artifacts { get; private set; } = [];

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
        Artifacts = await browser.ListArtifactsAsync(registry, repository, ct);
    }
}
