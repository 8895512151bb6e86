using Berth.Core.Metadata;
using Berth.Registry.Distribution;
using Berth.Registry.Management;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Dashboard.Pages.Projects;

public sealed class RegistriesModel(ProjectAccess access, ITenantStore tenants, RegistryAddressing addressing) : PageModel
{
    public ProjectRecord Project { get; private set; } = null!;

    public ProjectRole Role { get; private set; }

    public IReadOnlyList<RegistrySummary> Registries { get; private set; } = [];

    /// <summary>Search, sort and Previous/Next of the list (a page of <see cref="KeysetPaging.PageSize"/>).</summary>
    public KeysetLinks Links { get; private set; } = null!;

    /// <summary>Set by the page that sent the user here (a deleted registry), shown once.</summary>
    [TempData]
    public string? Notice { get; set; }

    public async Task OnGetAsync(string project)
    {
        var ct = HttpContext.RequestAborted;
        (Project, Role) = await access.RequireProjectAsync(User, project, ProjectRole.Viewer, ct);
        var page = await KeysetPaging.LoadAsync(Request, ListSort.Ascending(ListSort.NameKey), [ListSort.NameKey, ListSort.CreatedKey], "registries",
            request => tenants.ListRegistriesAsync(Project.Id, request, ct));
        Registries = page.Items.Select(r => new RegistrySummary(r.Registry, addressing.Endpoint(r.Registry.Name, Request),
            addressing.LoginHost(r.Registry.Name, Request), r.Usage)).ToList();
        Links = page.Links;
    }
}
