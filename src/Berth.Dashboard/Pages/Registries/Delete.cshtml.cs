using Berth.Registry.Auditing;
using Berth.Core.Metadata;
using Berth.Registry.Distribution;
using Berth.Registry.Management;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Dashboard.Pages.Registries;

/// <summary>
/// Delete with a safety report and type-the-name confirmation. The script only disables the button until the name
/// matches; the POST checks the name itself, so a page without script (or a forged form) deletes nothing on a mismatch.
/// </summary>
public sealed class DeleteModel(ProjectAccess access, IArtifactStore artifacts, RegistryAddressing addressing,
    RegistryBrowser browser, RegistryDeletion deletion) : PageModel
{
    public RegistrySummary Summary { get; private set; } = null!;

    public SafetyReport Report { get; private set; } = null!;

    [BindProperty]
    public string? Confirm { get; set; }

    public string? Error { get; private set; }

    [TempData]
    public string? Notice { get; set; }

    public async Task OnGetAsync(string name)
    {
        var (registry, _) = await access.RequireRegistryAsync(User, name, ProjectRole.Owner, HttpContext.RequestAborted);
        await LoadAsync(registry);
    }

    public async Task<IActionResult> OnPostAsync(string name)
    {
        var ct = HttpContext.RequestAborted;
        var (registry, _) = await access.RequireRegistryAsync(User, name, ProjectRole.Owner, ct);
        if (!string.Equals(Confirm, registry.Name, StringComparison.Ordinal))
        {
            Error = $"The name you typed does not match. Type {registry.Name} exactly to delete the registry; nothing was deleted.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            await LoadAsync(registry);
            return Page();
        }

        await deletion.DeleteAsync(registry, AuditActor.From(HttpContext), ct);
        Notice = $"Registry {registry.Name} was deleted with everything in it.";
        return new SeeOtherResult($"/projects/{registry.ProjectName}/registries");
    }

    private async Task LoadAsync(RegistryRecord registry)
    {
        var ct = HttpContext.RequestAborted;
        Summary = await RegistrySummary.LoadAsync(registry, artifacts, addressing, Request, ct);
        Report = await browser.GetSafetyReportAsync(registry, ct);
    }
}
