using Berth.Core.Metadata;
using Berth.Registry.Distribution;
using Berth.Registry.Management;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Dashboard.Pages.Registries;

/// <summary>
/// The registry's cleanup runs, newest first, a page at a time (<c>?before=ID</c> for older ones); everyone who sees
/// the registry sees them.
/// </summary>
public sealed class CleanupRunsModel(ProjectAccess access, IArtifactStore artifacts, RegistryAddressing addressing, ICleanupStore store) : PageModel
{
    public const int PageSize = 50;

    public RegistrySummary Summary { get; private set; } = null!;

    public ProjectRole Role { get; private set; }

    public IReadOnlyList<CleanupRunRecord> Runs { get; private set; } = [];

    /// <summary>The id to page on for older runs; null on the last page.</summary>
    public long? OlderBefore { get; private set; }

    [TempData]
    public string? Notice { get; set; }

    public async Task OnGetAsync(string name, long? before)
    {
        var ct = HttpContext.RequestAborted;
        var (registry, role) = await access.RequireRegistryAsync(User, name, ProjectRole.Viewer, ct);
        Role = role;
        Summary = await RegistrySummary.LoadAsync(registry, artifacts, addressing, Request, ct);
        // One row more than the page says whether there are older ones.
        var runs = await store.ListCleanupRunsAsync(registry.Id, before, PageSize + 1, ct);
        Runs = [.. runs.Take(PageSize)];
        OlderBefore = runs.Count > PageSize ? Runs[^1].Id : null;
    }
}
