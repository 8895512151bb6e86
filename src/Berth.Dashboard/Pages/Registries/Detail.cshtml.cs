using Berth.Registry.Auditing;
using Berth.Api;
using Berth.Core;
using Berth.Core.Metadata;
using Berth.Registry;
using Berth.Registry.Distribution;
using Berth.Registry.Hosting;
using Berth.Registry.Management;
using Berth.Registry.Retention;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Berth.Dashboard.Pages.Registries;

public sealed class DetailModel(ProjectAccess access, IArtifactStore artifacts, IAdvisoryStore advisories, RegistryAddressing addressing,
    RegistryBrowser browser, RegistryLifecycle lifecycle, IScanStore scans, IOptions<BerthOptions> options, ArtifactBin bin) : PageModel
{
    // The most affected images the summary card lists (the API's ?top= gives more).
    private const int AffectedShown = 5;

    /// <summary>Allocations move in steps of this many GiB (<c>Berth:Registries:AllocationStep</c>); the form offers only those.</summary>
    public long StepGiB => options.Value.Registries.AllocationStepBytes / ByteSize.GiB;

    public RegistrySummary Summary { get; private set; } = null!;

    public ProjectRole Role { get; private set; }

    public IReadOnlyList<RepositoryView> Repositories { get; private set; } = [];

    /// <summary>Search, sort and Previous/Next of the repository list (a page of <see cref="KeysetPaging.PageSize"/>).</summary>
    public KeysetLinks RepositoryLinks { get; private set; } = null!;

    /// <summary>The most recently updated tag of each repository, for ready-to-run pull commands.</summary>
    public IReadOnlyDictionary<string, string> LatestTags { get; private set; } = new Dictionary<string, string>();

    [BindProperty]
    public long? SizeGiB { get; set; }

    public string? ResizeError { get; private set; }

    public AdvisoryDatabaseStatus? Advisories { get; private set; }

    public RegistryVulnerabilities? Vulnerabilities { get; private set; }

    [TempData]
    public string? Notice { get; set; }

    /// <summary>The registry's recovery bin, and how long deletes stay in it.</summary>
    public BinCounts RecentlyDeleted { get; private set; } = BinCounts.Empty;

    public TimeSpan RecoveryWindow => bin.RecoveryWindow;

    public async Task OnGetAsync(string name)
    {
        var (registry, role) = await access.RequireRegistryAsync(User, name, ProjectRole.Viewer, HttpContext.RequestAborted);
        await LoadAsync(registry, role);
        // The current allocation, or the step at or above it when it isn't on a step (set before the step changed).
        var steps = (registry.StorageLimitBytes + StepGiB * ByteSize.GiB - 1) / (StepGiB * ByteSize.GiB);
        SizeGiB = Math.Max(1, steps) * StepGiB;
    }

    public async Task<IActionResult> OnPostResizeAsync(string name)
    {
        var ct = HttpContext.RequestAborted;
        var (registry, role) = await access.RequireRegistryAsync(User, name, ProjectRole.Owner, ct);
        if (SizeGiB is not { } gib || gib < 1 || gib > 1024 * 1024)
        {
            ResizeError = "Enter a whole number of GiB from 1 to 1048576.";
        }
        else
        {
            try
            {
                await lifecycle.ResizeAsync(registry, gib * ByteSize.GiB, AuditActor.From(HttpContext), ct);
                Notice = $"Storage allocation of {registry.Name} is now {ByteSize.Format(gib * ByteSize.GiB)}.";
                return new SeeOtherResult(Paths.Registry(registry.Name));
            }
            catch (ManagementException ex) when (ex.Status is StatusCodes.Status400BadRequest or StatusCodes.Status409Conflict)
            {
                ResizeError = ex.Message;
            }
        }

        Response.StatusCode = StatusCodes.Status400BadRequest;
        await LoadAsync(registry, role);
        return Page();
    }

    private async Task LoadAsync(RegistryRecord registry, ProjectRole role)
    {
        var ct = HttpContext.RequestAborted;
        Role = role;
        Summary = await RegistrySummary.LoadAsync(registry, artifacts, addressing, Request, ct);
        var page = await KeysetPaging.LoadAsync(Request, ListSort.Ascending(ListSort.NameKey), RegistryBrowser.RepositorySortKeys, "repositories",
            request => browser.ListRepositoriesAsync(registry, request, ct));
        Repositories = page.Items;
        RepositoryLinks = page.Links;
        Advisories = await advisories.GetAdvisoryStatusAsync(ct);
        Vulnerabilities = await scans.GetRegistryVulnerabilitiesAsync(registry.Id, AffectedShown, ct);
        // A repository deleted meanwhile just gets the placeholder.
        LatestTags = await artifacts.GetLatestTagsAsync(registry.Id, Repositories.Take(5).Select(r => r.Name).ToList(), ct);
        RecentlyDeleted = await bin.CountAsync(registry, ct);
    }
}
