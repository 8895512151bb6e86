using Berth.Registry.Auditing;
using Berth.Core.Metadata;
using Berth.Registry;
using Berth.Registry.Distribution;
using Berth.Registry.Management;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Dashboard.Pages.Registries;

/// <summary>
/// Confirms deleting one manifest (<c>?repository=</c>): what goes with it (its tags, its size, its platforms), or why
/// it can't go (an index of the repository lists it), with no delete button then. The POST deletes, or shows the same
/// refusal when an index arrived meanwhile.
/// </summary>
public sealed class DeleteManifestModel(ProjectAccess access, IArtifactStore artifacts, RegistryAddressing addressing, RegistryBrowser browser,
    ArtifactDeletion deletion) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string Repository { get; set; } = "";

    public RegistrySummary Summary { get; private set; } = null!;

    public ManifestDetailView Manifest { get; private set; } = null!;

    /// <summary>Why the manifest can't be deleted; null when it can.</summary>
    public string? Refusal { get; private set; }

    [TempData]
    public string? Notice { get; set; }

    public async Task OnGetAsync(string name, string digest)
    {
        var (registry, _) = await access.RequireRegistryAsync(User, name, ProjectRole.Developer, HttpContext.RequestAborted);
        await LoadAsync(registry, digest);
    }

    public async Task<IActionResult> OnPostAsync(string name, string digest)
    {
        var ct = HttpContext.RequestAborted;
        var (registry, _) = await access.RequireRegistryAsync(User, name, ProjectRole.Developer, ct);
        try
        {
            await deletion.DeleteManifestAsync(registry, Repository, digest, AuditActor.From(HttpContext), ct);
        }
        catch (ManagementException ex) when (ex.Status == StatusCodes.Status409Conflict)
        {
            Response.StatusCode = StatusCodes.Status409Conflict;
            await LoadAsync(registry, digest);
            // Not an index's member: an immutability rule refused it, and the exception says which.
            Refusal ??= ex.Message;
            return Page();
        }

        Notice = $"Manifest {Display.ShortDigest(digest)} and its tags were deleted.";
        return new SeeOtherResult(Paths.Repository(registry.Name, Repository));
    }

    private async Task LoadAsync(RegistryRecord registry, string digest)
    {
        var ct = HttpContext.RequestAborted;
        Summary = await RegistrySummary.LoadAsync(registry, artifacts, addressing, Request, ct);
        Manifest = await browser.GetManifestAsync(registry, Repository, digest, ct)
            ?? throw new ManagementException(StatusCodes.Status404NotFound, "Manifest not found", $"Repository '{Repository}' of {registry.Name} has no manifest '{digest}'.");
        var referencing = await deletion.ListReferencingIndexesAsync(registry, Repository, Manifest.Digest, ct);
        Refusal = referencing.Count == 0 ? null : ArtifactDeletion.RefusalReason(referencing);
    }
}
