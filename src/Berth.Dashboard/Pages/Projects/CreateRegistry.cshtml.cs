using Berth.Registry.Auditing;
using Berth.Core.Metadata;
using Berth.Registry;
using Berth.Registry.Distribution;
using Berth.Registry.Hosting;
using Berth.Registry.Management;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Berth.Dashboard.Pages.Projects;

/// <summary>
/// Creates a registry, then redirects (303) to <c>?created=NAME</c>, which shows the password once: it travels there
/// in TempData, the only time it exists in clear. A reload shows that it was shown, not the password, and creates nothing.
/// </summary>
public sealed class CreateRegistryModel(ProjectAccess access, TenantService service, RegistryLifecycle lifecycle,
    RegistryAddressing addressing, IOptions<BerthOptions> options) : PageModel
{
    private const string SecretKind = "created";

    [BindProperty]
    public string Name { get; set; } = "";

    /// <summary>The registry just created (query string), whose result this GET shows.</summary>
    [BindProperty(SupportsGet = true, Name = "created")]
    public string? CreatedName { get; set; }

    public ProjectRecord Project { get; private set; } = null!;

    public string? Error { get; private set; }

    /// <summary>The registry created, with its password when this is the one time it is shown (else null password).</summary>
    public Credentials? Created { get; private set; }

    public bool ShownOnce => Created is { Password.Length: 0 };

    public long DefaultAllocation => options.Value.Registries.DefaultStorageLimitBytes;

    public long AllocationStep => options.Value.Registries.AllocationStepBytes;

    public async Task OnGetAsync(string project)
    {
        var ct = HttpContext.RequestAborted;
        (Project, _) = await access.RequireProjectAsync(User, project, ProjectRole.Owner, ct);
        if (CreatedName is { Length: > 0 } name)
        {
            var (registry, _) = await access.RequireRegistryAsync(User, name, ProjectRole.Owner, ct);
            if (registry.ProjectId != Project.Id)
            {
                throw new ManagementException(StatusCodes.Status404NotFound, "Registry not found", $"Project {Project.Name} has no registry '{name}'.");
            }

            Response.Headers.CacheControl = "no-store";
            var password = OneTimeSecrets.Take(TempData, SecretKind, registry.Name) ?? "";
            Created = new Credentials(addressing.LoginHost(registry.Name, Request), addressing.Endpoint(registry.Name, Request), registry.Name, password);
        }
    }

    public async Task<IActionResult> OnPostAsync(string project)
    {
        var ct = HttpContext.RequestAborted;
        (Project, _) = await access.RequireProjectAsync(User, project, ProjectRole.Owner, ct);
        try
        {
            var (registry, password) = await service.CreateRegistryAsync(Project, Name.Trim(), ct);
            await lifecycle.AuditAsync(registry, AuditActor.From(HttpContext), "registry.created", null, ct);
            OneTimeSecrets.Put(TempData, SecretKind, registry.Name, password);
            return new SeeOtherResult($"/projects/{Project.Name}/registries/new?created={Uri.EscapeDataString(registry.Name)}");
        }
        catch (ManagementException ex) when (ex.Status is 400 or 409)
        {
            Error = ex.Message;
            Response.StatusCode = ex.Status;
            return Page();
        }
    }
}
