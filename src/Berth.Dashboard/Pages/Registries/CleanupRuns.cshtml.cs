using Berth.Registry.Auditing;
using Berth.Core.Metadata;
using Berth.Registry;
using Berth.Registry.Distribution;
using Berth.Registry.Management;
using Berth.Registry.Retention;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Dashboard.Pages.Registries;

/// <summary>
/// The registry's cleanup runs, newest first, a page at a time (<c>?before=ID</c> for older ones); everyone who sees
/// the registry sees them. Developers start one with "Run now" (here and on the policy page), which redirects here (303).
/// </summary>
public sealed class CleanupRunsModel(ProjectAccess access, IArtifactStore artifacts, RegistryAddressing addressing, ICleanupStore store,
    CleanupPolicies policies, CleanupRuns runs) : PageModel
{
    public const int PageSize = 50;

    public RegistrySummary Summary { get; private set; } = null!;

    public ProjectRole Role { get; private set; }

    public IReadOnlyList<CleanupRunRecord> Runs { get; private set; } = [];

    /// <summary>The id to page on for older runs; null on the last page.</summary>
    public long? OlderBefore { get; private set; }

    [TempData]
    public string? Notice { get; set; }

    /// <summary>Why "Run now" started nothing (a run was already going).</summary>
    [TempData]
    public string? Refused { get; set; }

    public bool CanRun => Role is ProjectRole.Owner or ProjectRole.Developer;

    public async Task OnGetAsync(string name, long? before)
    {
        var ct = HttpContext.RequestAborted;
        var (registry, role) = await access.RequireRegistryAsync(User, name, ProjectRole.Viewer, ct);
        Role = role;
        Summary = await RegistrySummary.LoadAsync(registry, artifacts, addressing, Request, ct);
        // One row more than the page says whether there are older ones.
        var page = await store.ListCleanupRunsAsync(registry.Id, before, PageSize + 1, ct);
        Runs = [.. page.Take(PageSize)];
        OlderBefore = page.Count > PageSize ? Runs[^1].Id : null;
    }

    public async Task<IActionResult> OnPostRunAsync(string name)
    {
        var ct = HttpContext.RequestAborted;
        var (registry, _) = await access.RequireRegistryAsync(User, name, ProjectRole.Developer, ct);
        var policy = (await policies.GetAsync(registry, ct)).Policy
            ?? throw new ManagementException(StatusCodes.Status400BadRequest, "No cleanup policy", $"Registry '{registry.Name}' has no cleanup policy to run: save one first.");
        var run = await runs.StartAsync(registry, policy, CleanupRuns.Manual, AuditActor.From(HttpContext), ct);
        if (run is null)
        {
            Refused = "A cleanup run of this registry is already running: it is listed below.";
        }
        else
        {
            Notice = $"Cleanup run {run.Id} started: it deletes what the preview listed, unless an image was re-tagged or pulled since.";
        }

        return new SeeOtherResult($"/registries/{registry.Name}/cleanup-runs");
    }
}
