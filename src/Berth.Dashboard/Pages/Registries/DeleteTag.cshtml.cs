using Berth.Registry.Auditing;
using Berth.Core.Distribution;
using Berth.Core.Metadata;
using Berth.Registry;
using Berth.Registry.Distribution;
using Berth.Registry.Management;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Dashboard.Pages.Registries;

/// <summary>
/// Confirms removing one tag (<c>?repository=&amp;tag=</c>): the manifest it names stays, reachable by digest and by its
/// other tags. The POST untags and redirects (303) to that manifest.
/// </summary>
public sealed class DeleteTagModel(ProjectAccess access, IArtifactStore artifacts, RegistryAddressing addressing, RegistryBrowser browser,
    ArtifactDeletion deletion) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string Repository { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string Tag { get; set; } = "";

    public RegistrySummary Summary { get; private set; } = null!;

    /// <summary>The manifest the tag names now.</summary>
    public ManifestDetailView Manifest { get; private set; } = null!;

    [TempData]
    public string? Notice { get; set; }

    public async Task OnGetAsync(string name)
    {
        var ct = HttpContext.RequestAborted;
        var (registry, _) = await access.RequireRegistryAsync(User, name, ProjectRole.Developer, ct);
        Summary = await RegistrySummary.LoadAsync(registry, artifacts, addressing, Request, ct);
        var repository = RepositoryName.IsValid(Repository) ? await artifacts.GetRepositoryAsync(registry.Id, Repository, ct) : null;
        var tagged = repository is not null && RepositoryName.IsValidTag(Tag) ? await artifacts.GetManifestAsync(repository.Id, Tag, ct) : null;
        Manifest = (tagged is null ? null : await browser.GetManifestAsync(registry, Repository, tagged.Digest, ct))
            ?? throw new ManagementException(StatusCodes.Status404NotFound, "Tag not found", $"Repository '{Repository}' of {registry.Name} has no tag '{Tag}'.");
    }

    public async Task<IActionResult> OnPostAsync(string name, string digest)
    {
        var ct = HttpContext.RequestAborted;
        var (registry, _) = await access.RequireRegistryAsync(User, name, ProjectRole.Developer, ct);
        await deletion.DeleteTagAsync(registry, Repository, Tag, AuditActor.From(HttpContext), ct);
        Notice = $"Tag {Tag} was removed; the manifest is still available by digest.";
        return new SeeOtherResult(Paths.Manifest(registry.Name, Repository, digest));
    }
}
