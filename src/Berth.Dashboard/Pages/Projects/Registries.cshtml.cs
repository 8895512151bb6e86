using Berth.Core.Metadata;
using Berth.Registry.Distribution;
using Berth.Registry.Management;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Dashboard.Pages.Projects;

public sealed class RegistriesModel(ProjectAccess access, ITenantStore tenants, IArtifactStore artifacts, RegistryAddressing addressing) : PageModel
{
    public ProjectRecord Project { get; private set; } = null!;

    public ProjectRole Role { get; private set; }

    public IReadOnlyList<RegistrySummary> Registries { get; private set; } = [];

    /// <summary>Set by the page that sent the user here (a deleted registry), shown once.</summary>
    [TempData]
    public string? Notice { get; set; }

    public async Task OnGetAsync(string project)
    {
        var ct = HttpContext.RequestAborted;
        (Project, Role) = await access.RequireProjectAsync(User, project, ProjectRole.Viewer, ct);
        var rows = new List<RegistrySummary>();
        foreach (var registry in await tenants.ListRegistriesAsync(Project.Id, ct))
        {
            rows.Add(await RegistrySummary.LoadAsync(registry, artifacts, addressing, Request, ct));
        }

        Registries = rows;
    }
}
