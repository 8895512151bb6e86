using Berth.Registry.Auditing;
using Berth.Core.Metadata;
using Berth.Registry.Distribution;
using Berth.Registry.Management;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Dashboard.Pages.Registries;

/// <summary>
/// Deletes one repository (<c>?repository=</c>, which may contain '/') after the user types its name, showing the space
/// it frees: the blobs no other repository of the registry holds. As on the registry delete page, the POST checks the
/// name itself; the script only holds the button until it matches.
/// </summary>
public sealed class DeleteRepositoryModel(ProjectAccess access, IArtifactStore artifacts, RegistryAddressing addressing, ArtifactDeletion deletion)
    : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string Repository { get; set; } = "";

    public RegistrySummary Summary { get; private set; } = null!;

    /// <summary>Bytes only this repository holds.</summary>
    public long FreedBytes { get; private set; }

    [BindProperty]
    public string? Confirm { get; set; }

    public string? Error { get; private set; }

    [TempData]
    public string? Notice { get; set; }

    public async Task OnGetAsync(string name)
    {
        var (registry, _) = await access.RequireRegistryAsync(User, name, ProjectRole.Developer, HttpContext.RequestAborted);
        await LoadAsync(registry);
    }

    public async Task<IActionResult> OnPostAsync(string name)
    {
        var ct = HttpContext.RequestAborted;
        var (registry, _) = await access.RequireRegistryAsync(User, name, ProjectRole.Developer, ct);
        if (!string.Equals(Confirm, Repository, StringComparison.Ordinal))
        {
            Error = $"The name you typed does not match. Type {Repository} exactly to delete the repository; nothing was deleted.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            await LoadAsync(registry);
            return Page();
        }

        // Measured before the delete: afterwards the repository's links are being purged.
        var freed = await deletion.GetExclusiveBytesAsync(registry, Repository, ct);
        await deletion.DeleteRepositoryAsync(registry, Repository, AuditActor.From(HttpContext), ct);
        Notice = $"Repository {Repository} was deleted with its images; {Display.Bytes(freed)} of storage is freed.";
        return new SeeOtherResult(Paths.Registry(registry.Name));
    }

    private async Task LoadAsync(RegistryRecord registry)
    {
        var ct = HttpContext.RequestAborted;
        Summary = await RegistrySummary.LoadAsync(registry, artifacts, addressing, Request, ct);
        FreedBytes = await deletion.GetExclusiveBytesAsync(registry, Repository, ct);
    }
}
