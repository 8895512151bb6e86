using Berth.Core.Metadata;
using Berth.Registry.Management;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Dashboard.Pages.Projects;

public sealed class AuditModel(ProjectAccess access, IAuditStore audit, ITenantStore tenants) : PageModel
{
    public ProjectRecord Project { get; private set; } = null!;

    public IReadOnlyList<AuditEvent> Events { get; private set; } = [];

    /// <summary>Search and Previous/Next of the log (a page of <see cref="KeysetPaging.PageSize"/>, newest first).</summary>
    public KeysetLinks Links { get; private set; } = null!;

    /// <summary>Ids of registries that still exist: only those get a link (a reused name is a different registry).</summary>
    public IReadOnlySet<string> LiveRegistries { get; private set; } = new HashSet<string>();

    public async Task OnGetAsync(string project)
    {
        var ct = HttpContext.RequestAborted;
        (Project, _) = await access.RequireProjectAsync(User, project, ProjectRole.Viewer, ct);
        var page = await KeysetPaging.LoadAsync(Request, ListSort.Descend(ListSort.AtKey), [ListSort.AtKey], "events",
            request => audit.ListAuditAsync(Project.Id, null, request, ct));
        Events = page.Items;
        Links = page.Links;
        LiveRegistries = await tenants.GetLiveRegistryIdsAsync(Events.Select(e => e.RegistryId).OfType<string>().Distinct(StringComparer.Ordinal).ToList(), ct);
    }
}
