using Berth.Core.Metadata;
using Berth.Registry.Distribution;
using Berth.Registry.Management;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Dashboard.Pages.Registries;

/// <summary>Explains what a reset does, then resets and shows the new password in the POST's response, once.</summary>
public sealed class PasswordModel(ProjectAccess access, IArtifactStore artifacts, RegistryAddressing addressing, RegistryPasswordReset reset) : PageModel
{
    public RegistrySummary Summary { get; private set; } = null!;

    public Credentials? NewPassword { get; private set; }

    public async Task OnGetAsync(string name)
    {
        var (registry, _) = await access.RequireRegistryAsync(User, name, ProjectRole.Owner, HttpContext.RequestAborted);
        Summary = await RegistrySummary.LoadAsync(registry, artifacts, addressing, Request, HttpContext.RequestAborted);
    }

    public async Task OnPostAsync(string name)
    {
        var ct = HttpContext.RequestAborted;
        var (registry, _) = await access.RequireRegistryAsync(User, name, ProjectRole.Owner, ct);
        var password = await reset.ResetAsync(registry, AuditActor.From(HttpContext), ct);
        Response.Headers.CacheControl = "no-store";
        Summary = await RegistrySummary.LoadAsync(registry, artifacts, addressing, Request, ct);
        NewPassword = new Credentials(Summary.LoginHost, Summary.Endpoint, registry.Name, password);
    }
}
