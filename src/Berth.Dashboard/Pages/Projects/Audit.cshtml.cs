using Berth.Core.Metadata;
using Berth.Registry.Management;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Dashboard.Pages.Projects;

public sealed class AuditModel(ProjectAccess access, IAuditStore audit, ITenantStore tenants) : PageModel
{
    public const int Limit = 200;

    public ProjectRecord Project { get; private set; } = null!;

    public IReadOnlyList<AuditEvent> Events { get; private set; } = [];

    /// <summary>Ids of registries that still exist: only those get a link (a reused name is a different registry).</summary>
    public IReadOnlySet<string> LiveRegistries { get; private set; } = new HashSet<string>();

    public async Task OnGetAsync(string project)
    {
        var ct = HttpContext.RequestAborted;
        (Project, _) = await access.RequireProjectAsync(User, project, ProjectRole.Viewer, ct);
        Events = await audit.ListAuditAsync(Project.Id, null, Limit, ct);
        LiveRegistries = (await tenants.ListRegistriesAsync(Project.Id, ct)).Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
    }
}
