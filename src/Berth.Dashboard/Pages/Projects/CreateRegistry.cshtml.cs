using Berth.Core.Metadata;
using Berth.Registry;
using Berth.Registry.Distribution;
using Berth.Registry.Hosting;
using Berth.Registry.Management;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Berth.Dashboard.Pages.Projects;

/// <summary>Creates a registry and shows its password in the response to the POST: the only time it exists in clear.</summary>
public sealed class CreateRegistryModel(ProjectAccess access, TenantService service, RegistryLifecycle lifecycle,
    RegistryAddressing addressing, IOptions<BerthOptions> options) : PageModel
{
    [BindProperty]
    public string Name { get; set; } = "";

    public ProjectRecord Project { get; private set; } = null!;

    public string? Error { get; private set; }

    public Credentials? Created { get; private set; }

    public long DefaultAllocation => options.Value.Registries.DefaultStorageLimitBytes;

    public long AllocationStep => options.Value.Registries.AllocationStepBytes;

    public async Task OnGetAsync(string project) =>
        (Project, _) = await access.RequireProjectAsync(User, project, ProjectRole.Owner, HttpContext.RequestAborted);

    public async Task<IActionResult> OnPostAsync(string project)
    {
        var ct = HttpContext.RequestAborted;
        (Project, _) = await access.RequireProjectAsync(User, project, ProjectRole.Owner, ct);
        try
        {
            var (registry, password) = await service.CreateRegistryAsync(Project, Name.Trim(), ct);
            await lifecycle.AuditAsync(registry, AuditActor.From(HttpContext), "registry.created", null, ct);
            Response.Headers.CacheControl = "no-store";
            Created = new Credentials(addressing.LoginHost(registry.Name, Request), addressing.Endpoint(registry.Name, Request), registry.Name, password);
        }
        catch (ManagementException ex) when (ex.Status is 400 or 409)
        {
            Error = ex.Message;
            Response.StatusCode = ex.Status;
        }

        return Page();
    }
}
